"""`caro export MODEL_DIR`: a merged model -> GGUF F16, Q8_0 and Q4_K_M with llama.cpp's own tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from caro.config import Settings
from caro.errors import UsageError

HELP = ("Convert a merged model to GGUF (F16, Q8_0, Q4_K_M) with llama.cpp's converter and quantizer, or a "
        "LoRA adapter to a GGUF adapter (--adapter).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_dir", type=Path, help="merged transformers model folder (caro finetune's merged/), "
                        "or with --adapter the adapter folder (caro finetune's adapter/)")
    parser.add_argument("--adapter", action="store_true",
                        help="MODEL_DIR is a LoRA adapter: write it as one GGUF adapter file (llama.cpp's "
                             "convert_lora_to_gguf.py), to load on top of the base model's GGUF")
    parser.add_argument("--base", type=Path, default=None, metavar="DIR",
                        help="--adapter: the base model folder (default: the one the adapter records)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the .gguf files (default: MODEL_DIR/../gguf)")
    parser.add_argument("--name", default="", help="file name stem (default: the model folder's parent name)")
    parser.add_argument("--quant", default="f16,q8_0,q4_k_m",
                        help="comma-separated: f16, q8_0, q4_k_m (default: all three)")
    parser.add_argument("--llama-cpp", type=Path, default=None, metavar="DIR",
                        help="a llama.cpp tree holding convert_hf_to_gguf.py (default: $CARO_LLAMA_CPP_DIR, else "
                             "the one from the installed llama-cpp-python's source distribution, fetched with pip "
                             "once and cached)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro.training import export as ex

    model_dir: Path = args.model_dir
    if not model_dir.is_dir():
        raise UsageError(f"no such folder: {model_dir}", "Give the 'merged' folder written by 'caro finetune'.")
    if args.adapter:
        return _adapter(args, settings)
    quants = [q.strip().lower().replace("-", "_") for q in args.quant.split(",") if q.strip()]
    if not quants:
        raise UsageError("--quant is empty", f"Choose from {', '.join(ex.QUANTS)}.")
    out = args.out or model_dir.resolve().parent / "gguf"
    name = args.name or (model_dir.resolve().parent.name if model_dir.name == "merged" else model_dir.name)

    def say(line: str) -> None:
        print(f"caro export: {line}", file=sys.stderr, flush=True)

    infos = ex.export(model_dir, out, name=name, quants=quants, cache_dir=settings.cache_dir,
                      llama_cpp_dir=args.llama_cpp, say=say)
    if settings.output != "plain":
        data = {"files": [i.as_dict() for i in infos],
                "notes": [n for n in (ex.fallback_note(i) for i in infos) if n]}
        if settings.output == "json":
            print(json.dumps(data, indent=2))
        else:
            from caro.result import to_yaml

            sys.stdout.write(to_yaml(data))
        return 0
    for info in infos:
        print(f"{info.path}")
        print(f"  {info.describe()}")
        counts = ", ".join(f"{n} {t}" for t, n in sorted(info.tensor_types.items(), key=lambda kv: -kv[1]))
        print(f"  tensors: {counts}")
        note = ex.fallback_note(info)
        if note:
            print(f"  {note}")
    print(f"next: caro lmstudio import {infos[-1].path}" if infos else "nothing written")
    return 0


def _adapter(args: argparse.Namespace, settings: Settings) -> int:
    from caro.training import export as ex

    adapter_dir: Path = args.model_dir
    name = args.name or (adapter_dir.resolve().parent.name if adapter_dir.name == "adapter" else adapter_dir.name)
    quants = [q.strip().lower() for q in args.quant.split(",") if q.strip()]
    outtype = quants[0] if len(quants) == 1 and quants[0] in ("f16", "q8_0", "bf16", "f32") else "f16"
    out = args.out or adapter_dir.resolve().parent / "gguf"
    outfile = out / f"{name}-lora-{outtype.upper()}.gguf"

    def say(line: str) -> None:
        print(f"caro export: {line}", file=sys.stderr, flush=True)

    info = ex.export_adapter(adapter_dir, outfile, base=args.base, outtype=outtype, cache_dir=settings.cache_dir,
                             llama_cpp_dir=args.llama_cpp, say=say)
    if settings.output != "plain":
        data = {"adapter": info.as_dict()}
        if settings.output == "json":
            print(json.dumps(data, indent=2))
        else:
            from caro.result import to_yaml

            sys.stdout.write(to_yaml(data))
        return 0
    print(info.path)
    print(f"  LoRA adapter, {info.outtype}, {info.size_bytes / 1e6:.2f} MB, rank {info.rank}, {info.tensors} "
          f"tensor pairs; base {info.base}")
    print(f"next: caro config set embedded.adapter_path {info.path}  (with the base model's GGUF as the model), "
          f"or: llama-server -m BASE.gguf --lora {info.path}")
    return 0
