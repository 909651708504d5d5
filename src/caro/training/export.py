"""Merged model -> GGUF files, with llama.cpp's own tools only.

F16 and Q8_0 come from llama.cpp's `convert_hf_to_gguf.py`, taken from the source distribution of the
installed llama-cpp-python (same llama.cpp commit as the runtime that will load the files). Q4_K_M comes
from llama.cpp's quantizer through `llama_cpp.llama_model_quantize`. After writing, each file is read back
and the tensor types llama.cpp actually chose are reported: K-quants need rows divisible by 256, so a
640-wide model such as FunctionGemma gets Q5_0/Q8_0 fallbacks in most tensors of its "Q4_K_M" file.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.errors import CaroError, MissingExtra, UsageError

QUANTS = ("f16", "q8_0", "q4_k_m")
LABELS = {"f16": "F16", "q8_0": "Q8_0", "q4_k_m": "Q4_K_M"}
CONVERTER = "convert_hf_to_gguf.py"
LORA_CONVERTER = "convert_lora_to_gguf.py"
# What the converters need from llama.cpp's tree, relative to vendor/llama.cpp/ in the sdist.
CONVERTER_PARTS = (CONVERTER, LORA_CONVERTER, "conversion/", "gguf-py/")
LLAMA_FTYPE_MOSTLY_Q4_K_M = 15


@dataclass
class GGUFInfo:
    """One written file: size, tensor types and what they add up to."""

    quant: str
    path: Path
    size_bytes: int
    seconds: float
    tensor_types: dict[str, int] = field(default_factory=dict)  # type name -> tensor count
    weights_by_type: dict[str, int] = field(default_factory=dict)  # type name -> parameter count
    parameters: int = 0
    file_type: str = ""

    @property
    def bits_per_weight(self) -> float:
        return 8 * self.size_bytes / self.parameters if self.parameters else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"quant": LABELS[self.quant], "path": str(self.path), "size_bytes": self.size_bytes,
                "size_mb": round(self.size_bytes / 1e6, 2), "seconds": round(self.seconds, 1),
                "bits_per_weight": round(self.bits_per_weight, 2), "parameters": self.parameters,
                "file_type": self.file_type, "tensor_types": self.tensor_types,
                "weights_by_type": self.weights_by_type}

    def describe(self) -> str:
        share = ", ".join(f"{name} {100 * n / self.parameters:.0f}%" for name, n in
                          sorted(self.weights_by_type.items(), key=lambda kv: -kv[1])) if self.parameters else ""
        return (f"{LABELS[self.quant]:7} {self.size_bytes / 1e6:9.2f} MB  {self.bits_per_weight:5.2f} bits/weight  "
                f"weights by type: {share}")


def llama_cpp_version() -> str:
    try:
        return importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        raise MissingExtra("embedded", "GGUF export (llama.cpp's converter and quantizer)") from None


def fetch_converter(cache_dir: Path, version: str, say: Callable[[str], None] = lambda s: None) -> Path:
    """Extract llama.cpp's converter from llama-cpp-python's sdist (fetched with pip once, then cached)."""
    target = cache_dir / f"llama.cpp-{version}"
    if (target / CONVERTER).exists() and (target / LORA_CONVERTER).exists():
        return target
    say(f"fetching llama.cpp's converter: llama-cpp-python {version} source distribution (about 80 MB, once)")
    with tempfile.TemporaryDirectory(prefix="caro-sdist-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "llama-cpp-python",
                   "--dest", tmp, f"llama-cpp-python=={version}"]
        done = subprocess.run(command, capture_output=True, text=True)
        archives = list(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
        if done.returncode != 0 or not archives:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise CaroError(f"could not fetch the llama-cpp-python {version} source distribution with pip",
                            "Check network access to PyPI, or pass --llama-cpp DIR (a llama.cpp checkout holding "
                            f"{CONVERTER}).", detail="\n".join(tail))
        staging = Path(tmp) / "extract"
        with tarfile.open(archives[0]) as archive:
            members = []
            for member in archive.getmembers():
                parts = member.name.split("/", 1)
                inner = parts[1] if len(parts) == 2 else ""
                if not inner.startswith("vendor/llama.cpp/"):
                    continue
                rel = inner[len("vendor/llama.cpp/"):]
                if any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in CONVERTER_PARTS) \
                        and (member.isfile() or member.isdir()):
                    member.name = rel
                    members.append(member)
            archive.extractall(staging, members=members, filter="data")
        if not (staging / CONVERTER).exists():
            raise CaroError(f"llama-cpp-python {version}'s source distribution has no {CONVERTER}",
                            "Pass --llama-cpp DIR pointing at a llama.cpp checkout.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(staging), str(target))
    return target


def cached_converter(cache_dir: Path, version: str) -> Path | None:
    """llama.cpp's converters for this llama-cpp-python version, when already fetched: $CARO_LLAMA_CPP_DIR,
    else `cache_dir`. Never downloads."""
    candidates = [Path(os.environ["CARO_LLAMA_CPP_DIR"])] if os.environ.get("CARO_LLAMA_CPP_DIR") else []
    candidates.append(cache_dir / f"llama.cpp-{version}")
    for candidate in candidates:
        if (candidate / CONVERTER).exists() and (candidate / LORA_CONVERTER).exists():
            return candidate
    return None


def find_converter(explicit: Path | None, cache_dir: Path, say: Callable[[str], None] = lambda s: None) -> Path:
    """The folder holding convert_hf_to_gguf.py: --llama-cpp, $CARO_LLAMA_CPP_DIR, the cache, else fetched."""
    for candidate in (explicit, Path(os.environ["CARO_LLAMA_CPP_DIR"]) if os.environ.get("CARO_LLAMA_CPP_DIR")
                      else None):
        if candidate is not None:
            if not (candidate / CONVERTER).exists():
                raise UsageError(f"{candidate} holds no {CONVERTER}",
                                 "Point at a llama.cpp checkout (its top folder), or leave the option out to let "
                                 "caro fetch the converter matching the installed llama-cpp-python.")
            return candidate
    return fetch_converter(cache_dir, llama_cpp_version(), say)


def check_model_dir(model_dir: Path) -> None:
    if not (model_dir / "config.json").exists():
        raise UsageError(f"{model_dir} is not a transformers model folder (config.json is missing)",
                         "Export the 'merged' folder that 'caro finetune' writes.")
    if not any(model_dir.glob("*.safetensors")) and not any(model_dir.glob("*.bin")):
        raise UsageError(f"{model_dir} has no weights (*.safetensors)", "Run 'caro finetune' to the merge step first.")


def convert(model_dir: Path, outfile: Path, outtype: str, converter_dir: Path) -> None:
    """Run llama.cpp's converter in a subprocess (it imports torch and its own gguf-py)."""
    command = [sys.executable, str(converter_dir / CONVERTER), str(model_dir), "--outfile", str(outfile),
               "--outtype", outtype]
    env = dict(os.environ)
    env.pop("NO_LOCAL_GGUF", None)  # use the gguf-py that ships with this converter
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0 or not outfile.exists():
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise CaroError(f"llama.cpp's converter failed for {outtype} (exit {done.returncode}): "
                        f"{lines[-1] if lines else 'no output'}",
                        "Check that the folder holds a model architecture llama.cpp supports; rerun with -v.",
                        detail="\n".join(lines[-30:]))


def quantize(source: Path, outfile: Path, ftype: int = LLAMA_FTYPE_MOSTLY_Q4_K_M, threads: int = 0) -> None:
    """llama.cpp's quantizer in-process (the same code as the llama-quantize tool)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise MissingExtra("embedded", "Q4_K_M quantization (llama.cpp's quantizer)")
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads or (os.cpu_count() or 1)
    with _captured_stderr() as log:
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(outfile).encode(), params)
    if code != 0 or not outfile.exists():
        raise CaroError(f"llama.cpp's quantizer failed (code {code}) on {source.name}",
                        "Check free disk space and that the F16 file loads ('caro export' writes it first).",
                        detail="\n".join("".join(log).splitlines()[-30:]))


@contextlib.contextmanager
def _captured_stderr() -> Iterator[list[str]]:
    """llama.cpp logs every tensor on file descriptor 2; keep that out of the terminal (the text is kept
    in the yielded list, filled on exit, for the error detail)."""
    sys.stderr.flush()
    captured: list[str] = []
    with tempfile.TemporaryFile() as handle:
        saved = os.dup(2)
        os.dup2(handle.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            handle.seek(0)
            captured.append(handle.read().decode(errors="replace"))


def inspect_gguf(path: Path, quant: str, seconds: float) -> GGUFInfo:
    """Read a GGUF back: the type of every tensor, and the model's declared file type."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    types: Counter[str] = Counter()
    weights: Counter[str] = Counter()
    for tensor in reader.tensors:
        name = tensor.tensor_type.name
        types[name] += 1
        weights[name] += int(tensor.n_elements)
    file_type = ""
    field_ = reader.fields.get("general.file_type")
    if field_ is not None:
        from gguf import LlamaFileType

        try:
            file_type = LlamaFileType(int(field_.parts[field_.data[0]][0])).name.removeprefix("MOSTLY_")
        except ValueError:
            file_type = str(int(field_.parts[field_.data[0]][0]))
    return GGUFInfo(quant, path, path.stat().st_size, seconds, dict(types), dict(weights), sum(weights.values()),
                    file_type)


def export(
    model_dir: Path,
    out_dir: Path,
    *,
    name: str,
    quants: list[str],
    cache_dir: Path,
    llama_cpp_dir: Path | None = None,
    say: Callable[[str], None] = lambda s: None,
) -> list[GGUFInfo]:
    """Write the requested GGUF files; returns what each one holds."""
    check_model_dir(model_dir)
    unknown = [q for q in quants if q not in QUANTS]
    if unknown:
        raise UsageError(f"unknown quantization {', '.join(unknown)}", f"Choose from {', '.join(QUANTS)}.")
    if importlib.util.find_spec("gguf") is None or importlib.util.find_spec("torch") is None:
        raise MissingExtra("train", "GGUF export")
    converter = find_converter(llama_cpp_dir, cache_dir, say)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[GGUFInfo] = []
    f16 = out_dir / f"{name}-F16.gguf"
    for quant in ("f16", "q8_0", "q4_k_m"):
        if quant not in quants and not (quant == "f16" and "q4_k_m" in quants):
            continue
        path = out_dir / f"{name}-{LABELS[quant]}.gguf"
        say(f"writing {path.name}")
        started = time.monotonic()
        if quant == "q4_k_m":
            quantize(f16, path)
        else:
            convert(model_dir, path, quant, converter)
        info = inspect_gguf(path, quant, time.monotonic() - started)
        if quant in quants:
            results.append(info)
    if "f16" not in quants and f16.exists():
        f16.unlink()  # only written as the quantizer's input
    return results


@dataclass
class AdapterGGUF:
    """A LoRA adapter written as GGUF: where, how big, for which base, and how many tensor pairs."""

    path: Path
    size_bytes: int
    seconds: float
    outtype: str
    base: str
    tensors: int
    rank: int
    alpha: float

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size_bytes": self.size_bytes, "size_mb": round(self.size_bytes / 1e6, 2),
                "seconds": round(self.seconds, 1), "outtype": self.outtype, "base": self.base,
                "tensors": self.tensors, "rank": self.rank, "alpha": self.alpha}


def adapter_base(adapter_dir: Path, base: Path | None) -> Path:
    """The base model folder a PEFT adapter was trained on: `base`, else adapter_config.json's own record."""
    config_path = adapter_dir / "adapter_config.json"
    if not config_path.exists():
        raise UsageError(f"{adapter_dir} holds no LoRA adapter (adapter_config.json is missing)",
                         "Point at the 'adapter' folder (or a checkpoint) that 'caro finetune' wrote.")
    if base is None:
        import json

        recorded = json.loads(config_path.read_text(encoding="utf-8")).get("base_model_name_or_path") or ""
        base = Path(recorded) if recorded else None
    if base is None or not (base / "config.json").exists():
        raise UsageError(f"the base model of {adapter_dir} is not a local model folder ({base or 'not recorded'})",
                         "Pass --base DIR: the Hugging Face folder the adapter was trained on (for a GGUF base, "
                         "the de-quantised folder 'caro finetune' printed).")
    return base


def export_adapter(
    adapter_dir: Path,
    outfile: Path,
    *,
    base: Path | None = None,
    outtype: str = "f16",
    cache_dir: Path,
    llama_cpp_dir: Path | None = None,
    say: Callable[[str], None] = lambda s: None,
) -> AdapterGGUF:
    """A PEFT LoRA adapter -> one GGUF adapter file, with llama.cpp's convert_lora_to_gguf.py. llama.cpp (the
    embedded backend, llama-server --lora) applies it on top of any GGUF of the same base model."""
    base_dir = adapter_base(adapter_dir, base)
    if outtype not in ("f16", "q8_0", "f32", "bf16"):
        raise UsageError(f"unknown adapter type {outtype}", "Choose f16 (default), q8_0, bf16 or f32.")
    if importlib.util.find_spec("gguf") is None or importlib.util.find_spec("torch") is None:
        raise MissingExtra("train", "Adapter export")
    converter = find_converter(llama_cpp_dir, cache_dir, say)
    outfile.parent.mkdir(parents=True, exist_ok=True)
    say(f"writing {outfile.name} (base: {base_dir})")
    started = time.monotonic()
    command = [sys.executable, str(converter / LORA_CONVERTER), str(adapter_dir), "--base", str(base_dir),
               "--outfile", str(outfile), "--outtype", outtype]
    env = dict(os.environ)
    env.pop("NO_LOCAL_GGUF", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0 or not outfile.exists():
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise CaroError(f"llama.cpp's LoRA converter failed (exit {done.returncode}): "
                        f"{lines[-1] if lines else 'no output'}",
                        "Check that the adapter was trained on a model architecture llama.cpp supports.",
                        detail="\n".join(lines[-30:]))
    from gguf import GGUFReader

    reader = GGUFReader(str(outfile))

    def number(key: str) -> float:
        field_ = reader.fields.get(key)
        return float(field_.parts[field_.data[0]][0]) if field_ is not None else 0.0

    import json

    rank = int(json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8")).get("r", 0))
    return AdapterGGUF(outfile, outfile.stat().st_size, time.monotonic() - started, outtype.upper(), str(base_dir),
                       len(reader.tensors) // 2, rank, number("adapter.lora.alpha"))


def fallback_note(info: GGUFInfo) -> str:
    """What 'Q4_K_M' really holds for this model, in one honest sentence."""
    if info.quant != "q4_k_m" or not info.parameters:
        return ""
    kquant = sum(n for t, n in info.weights_by_type.items() if t.endswith("_K"))
    share = 100 * kquant / info.parameters
    if share >= 90:
        return ""
    others = sorted((t for t in info.weights_by_type if not t.endswith("_K")),
                    key=lambda t: -info.weights_by_type[t])
    return (f"note: only {share:.0f}% of this model's weights could use K-quants (their rows must be a multiple "
            f"of 256 wide); llama.cpp fell back to {', '.join(others)} for the rest, so this 'Q4_K_M' file averages "
            f"{info.bits_per_weight:.2f} bits per weight rather than about 4.8")


def main(argv: list[str] | None = None) -> int:
    """`python -m caro.training.export [CACHE_DIR]`: fetch llama.cpp's converters once (CI does this before
    its tests, which never download)."""
    args = sys.argv[1:] if argv is None else argv
    from caro.config import caro_home

    cache = Path(args[0]) if args else caro_home() / "cache"
    try:
        print(fetch_converter(cache, llama_cpp_version(), lambda line: print(line, file=sys.stderr)))
    except CaroError as exc:
        print(f"error: {exc.message}\n  {exc.hint}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
