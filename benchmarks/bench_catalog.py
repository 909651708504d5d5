"""Built-in catalog speed: matching time per prompt, and what the catalog adds to caro's start.

    python benchmarks/bench_catalog.py [--runs N]

Budgets (issue 6): matching at most 5 ms median; loading the catalog adds at most 15 ms to caro's start.

1. Matching: every held-out prompt, matched in one warm process, many rounds; median and p90 per call.
2. Start: two fresh interpreters, alternated so machine load hits both alike, median of N each:
     baseline  python -c "import caro.cli, caro.context, caro.backends.base"
     catalog   the same, then BuiltinBackend(...).generate("list docker containers")
   The difference of medians is what the catalog costs at start (cached index, the normal case).
   The first run on a fresh CARO_HOME also compiles the index; that is reported once, separately.
   Bytecode caching is on, as in an installed caro, even when PYTHONDONTWRITEBYTECODE is set here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "data" / "catalog-heldout.jsonl"

BASELINE = "import caro.cli, caro.context, caro.backends.base"
WITH_CATALOG = (
    BASELINE + "\nfrom caro.backends.builtin import BuiltinBackend"
    "\nfrom caro.backends.base import GenerationRequest"
    "\nout = BuiltinBackend(None).generate(GenerationRequest('list docker containers', "
    "caro.context.Context('linux', 'bash', '/')))"
    "\nassert out.tool_calls[0].arguments['command'] == 'docker ps'"
)


def _run(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return (time.perf_counter() - started) * 1000


def bench_matching(rounds: int) -> tuple[float, float, int]:
    from caro import catalog
    from caro.context import Context

    cases = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    contexts = {p: Context(p, "bash", "/") for p in ("linux", "macos", "windows")}
    catalog.get()
    times: list[float] = []
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            catalog.match(case["prompt"], contexts[case["platform"]])
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], len(cases)


def bench_start(runs: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, CARO_HOME=home)
        # Measure what an installed caro does: with cached bytecode (pip writes it at install time).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _run(BASELINE, env)
        cold = _run(WITH_CATALOG, env)  # compiles and caches the index (and writes bytecode)
        base: list[float] = []
        with_catalog: list[float] = []
        for _ in range(runs):
            base.append(_run(BASELINE, env))
            with_catalog.append(_run(WITH_CATALOG, env))
        return statistics.median(base), statistics.median(with_catalog), cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="interpreter starts per variant (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the held-out prompts (default 5)")
    args = parser.parse_args()
    median, p90, prompts = bench_matching(args.rounds)
    print(
        f"matching: {prompts} prompts x {args.rounds} rounds: median {median:.2f} ms, p90 {p90:.2f} ms (budget 5 ms)"
    )
    base, with_catalog, cold = bench_start(args.runs)
    added = with_catalog - base
    print(
        f"start: baseline {base:.1f} ms, with catalog {with_catalog:.1f} ms, "
        f"added {added:.1f} ms = {added / base:.0%} of the baseline (budget 15 ms); "
        f"first run on a fresh home {cold:.1f} ms"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (a loaded machine inflates both runs alike)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
