"""`caro finetune DATA.jsonl`: LoRA fine-tuning (Unsloth on a CUDA GPU, else PEFT + TRL), then merge."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from caro.config import Settings
from caro.errors import UsageError

HELP = "Fine-tune a model (FunctionGemma by default) on a caro dataset with LoRA, then merge the adapter."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from caro.training.finetune import DEFAULT_BASE_MODEL

    parser.add_argument("data", type=Path, nargs="?", help="training set, JSON Lines (e.g. data/train.jsonl)")
    parser.add_argument("--base-model", default=DEFAULT_BASE_MODEL,
                        help=f"Hugging Face id or local folder of the model to tune ({DEFAULT_BASE_MODEL})")
    parser.add_argument("--out", type=Path, default=Path("caro-finetune"),
                        help="output folder: checkpoints/, adapter/, merged/, loss_log.jsonl, loss.png "
                             "(caro-finetune)")
    parser.add_argument("--eval", type=Path, default=None, metavar="FILE", help="held-out set for eval loss")
    parser.add_argument("--steps", type=int, default=500, help="optimizer steps (500)")
    parser.add_argument("--lr", type=float, default=2e-4, help="learning rate (2e-4)")
    parser.add_argument("--batch-size", type=int, default=4, help="examples per device batch (4)")
    parser.add_argument("--grad-accum", type=int, default=2, help="gradient accumulation steps (2)")
    parser.add_argument("--lora-r", type=int, default=128, help="LoRA rank (128)")
    parser.add_argument("--lora-alpha", type=int, default=256, help="LoRA alpha (256)")
    parser.add_argument("--warmup-steps", type=int, default=10, help="linear warm-up steps (10)")
    parser.add_argument("--max-length", type=int, default=1024, help="longest sequence in tokens (1024)")
    parser.add_argument("--save-steps", type=int, default=50, help="checkpoint every N steps (50)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N examples")
    parser.add_argument("--seed", type=int, default=3407, help="random seed (3407)")
    parser.add_argument("--engine", choices=("auto", "unsloth", "cpu"), default="auto",
                        help="auto: Unsloth when a CUDA GPU and unsloth are present, else transformers + PEFT + "
                             "TRL (cpu, which also uses a GPU when one is visible)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0 = torch's default)")
    parser.add_argument("--no-resume", action="store_true", help="start over instead of resuming a checkpoint")
    parser.add_argument("--no-merge", action="store_true", help="keep only the adapter")
    parser.add_argument("--merge-only", type=Path, default=None, metavar="ADAPTER",
                        help="skip training: merge this adapter folder into its base model (into OUT/merged)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro.training import finetune as ft

    def say(line: str) -> None:
        print(f"caro finetune: {line}", file=sys.stderr, flush=True)

    if args.merge_only:
        merged = ft.merge_adapter(args.merge_only, args.out / "merged",
                                  None if args.base_model == ft.DEFAULT_BASE_MODEL else args.base_model)
        _report({"merged_dir": str(merged)}, settings, f"merged model written to {merged}")
        return 0
    if args.data is None:
        raise UsageError("no training data given", "Usage: caro finetune data/train.jsonl [--base-model ...]")
    for path in (args.data, args.eval):
        if path is not None and not path.exists():
            raise UsageError(f"no such file: {path}", "Give a JSON Lines dataset; see docs/training-data.md.")
    for name in ("steps", "batch_size", "grad_accum", "lora_r", "lora_alpha", "max_length", "save_steps"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1", "See 'caro finetune --help'.")
    if args.lr <= 0:
        raise UsageError("--lr must be positive", "The notebook's value is 2e-4.")
    config = ft.FinetuneSettings(
        train_file=args.data, output_dir=args.out, base_model=args.base_model, eval_file=args.eval,
        max_steps=args.steps, learning_rate=args.lr, batch_size=args.batch_size, grad_accum=args.grad_accum,
        lora_r=args.lora_r, lora_alpha=args.lora_alpha, warmup_steps=args.warmup_steps, max_length=args.max_length,
        seed=args.seed, save_steps=args.save_steps, limit=args.limit, engine=args.engine, resume=not args.no_resume,
        merge=not args.no_merge, threads=args.threads,
    )
    result = ft.run(config, say)
    loss = f"{result.final_loss:.4f}" if result.final_loss is not None else "n/a"
    lines = [
        f"trained {result.steps} steps on {result.examples} examples with {result.engine} in {result.seconds:.0f} s; "
        f"final loss {loss}",
        f"adapter: {result.adapter_dir}",
        f"loss log: {result.loss_log}" + (f"; curve: {result.loss_png}" if result.loss_png else ""),
    ]
    if result.merged_dir:
        lines.append(f"merged model: {result.merged_dir}")
        lines.append(f"next: caro export {result.merged_dir} --out {args.out / 'gguf'}")
    _report(result.as_dict(), settings, "\n".join(lines))
    return 0


def _report(data: dict[str, object], settings: Settings, text: str) -> None:
    if settings.output == "json":
        print(json.dumps(data, indent=2))
    elif settings.output == "yaml":
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(data))
    else:
        print(text)
