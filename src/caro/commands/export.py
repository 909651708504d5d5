"""`caro export MODEL_DIR`: a merged model -> GGUF F16, Q8_0 and Q4_K_M with llama.cpp's own tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from caro.config import Settings
from caro.errors import UsageError

HELP = "Convert a merged model to GGUF (F16, Q8_0, Q4_K_M) with llama.cpp's converter and quantizer."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_dir", type=Path, help="merged transformers model folder (caro finetune's merged/)")
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
