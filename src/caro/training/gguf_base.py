"""A GGUF file as a base model for fine-tuning: de-quantised once into a cached Hugging Face folder.

transformers reads GGUF files itself (`from_pretrained(folder, gguf_file=...)`) and turns the quantised
weights back into floats. The folder it leads to is cached under $CARO_HOME/cache/gguf-base/, keyed by the
file's name, size and modification time, so a second run starts at once. The weights are only as good as
the quantisation they came from: a Q4 file gives a base a little worse than the original release.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from caro.errors import UsageError

MARKER = "caro-gguf-base.json"


def is_gguf(base_model: str) -> bool:
    return base_model.lower().endswith(".gguf")


def cache_folder(gguf: Path, cache_dir: Path) -> Path:
    stat = gguf.stat()
    return cache_dir / "gguf-base" / f"{gguf.stem}-{stat.st_size:x}-{stat.st_mtime_ns:x}"


def dequantise(gguf: Path, cache_dir: Path, say: Callable[[str], None] = lambda line: None) -> Path:
    """The Hugging Face folder for `gguf`, written on first use. UsageError when it cannot be read."""
    if not gguf.is_file():
        raise UsageError(f"no such GGUF file: {gguf}", "Give the path of a .gguf file, e.g. one from "
                         "'caro models list'.")
    target = cache_folder(gguf, cache_dir)
    if (target / MARKER).exists():
        say(f"base model: {gguf.name}, de-quantised earlier into {target}")
        return target
    from caro.local_models.gguf_meta import read

    info = read(gguf)
    say(f"de-quantising {gguf.name} ({info.quantization}, {info.size / 1e6:.0f} MB) into a "
        f"float32 Hugging Face folder, once (about a minute per 100M parameters; needs about 4 bytes per "
        "parameter of disk); the tuned model can be no better than this quantisation")
    started = time.monotonic()
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf.parent), gguf.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise UsageError(f"transformers cannot read {gguf.name}: {str(exc).splitlines()[0]}",
                         "Only GGUF architectures transformers knows can be de-quantised (llama, qwen2, "
                         "gemma3, ...); use the model's Hugging Face folder instead.") from None
    # Build a plain model from the config (no quantisation settings) and move the float weights in, so
    # the saved folder loads like any Hugging Face release.
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    plain.load_state_dict(loaded.state_dict(), strict=False)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    plain.save_pretrained(str(partial), safe_serialization=True)
    tokenizer.save_pretrained(str(partial))
    (partial / MARKER).write_text(json.dumps({"gguf": str(gguf.resolve()), "quantization": info.quantization,
                                              "seconds": round(time.monotonic() - started, 1)}) + "\n")
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)
    say(f"de-quantised in {time.monotonic() - started:.0f} s: {target}")
    return target
