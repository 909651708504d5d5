"""Evaluation harness cost: one sandboxed command run, and normalising a command.

    python benchmarks/bench_eval.py [--runs N]

1. Sandbox: `Sandbox.run("wc -l < notes.txt", fixture)` with a 20-file fixture (copy in, run, kill
   leftovers, tar the tree back, parse it), interleaved with the baseline in the same rounds: the same
   command in a plain `bash -c` subprocess with no isolation. Median and p90 per run.
2. Normalise: `normalise()` of 12 everyday commands (bashlex parse + option tables), per call, warm.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, machine, report

COMMANDS = ["ls -la", "grep -rn TODO src", "find . -name '*.py' -type f", "tar -czf out.tgz src",
            "sort -k2 -t, data.csv | uniq -c", "cat f | wc -l", "du -sh * | sort -h", "head -n 5 notes.txt",
            "sed -i 's/a/b/g' f", "awk -F, '{print $1}' users.csv", "chmod -R 755 dir", "cp -r docs docs-copy"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    from caro.evaluation.normalize import normalise
    from caro.evaluation.sandbox import Sandbox

    files = {f"dir{i % 4}/file{i}.txt": f"line {i}\n" * (i + 1) for i in range(19)}
    files["notes.txt"] = "a\nb\nc\n"
    folder = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    (folder / "notes.txt").write_text(files["notes.txt"])

    with Sandbox() as box:
        def sandboxed() -> float:
            started = time.perf_counter()
            box.run("wc -l < notes.txt", files)
            return (time.perf_counter() - started) * 1000

        def plain() -> float:
            started = time.perf_counter()
            subprocess.run(["bash", "-c", "wc -l < notes.txt"], cwd=folder, capture_output=True, check=False)
            return (time.perf_counter() - started) * 1000

        samples = interleaved({"plain bash -c (baseline)": plain, "sandboxed run": sandboxed}, runs)

    print(f"machine: {machine()}")
    print(f"sandbox, {runs} interleaved rounds:")
    for line in report(samples, baseline="plain bash -c (baseline)"):
        print("  " + line)

    for command in COMMANDS:
        normalise(command)  # warm bashlex
    per_call = []
    for _ in range(runs):
        started = time.perf_counter()
        for command in COMMANDS:
            normalise(command)
        per_call.append((time.perf_counter() - started) * 1000 / len(COMMANDS))
    print(f"normalise: median {statistics.median(per_call):.2f} ms per command ({len(COMMANDS)} commands x {runs})")


if __name__ == "__main__":
    main()
