"""Built-in catalog speed: matching time per request, and what a catalog answer costs at start.

    python benchmarks/bench_catalog.py [--runs N] [--rounds N]

Budgets: matching at most 5 ms median; a catalog answer from a fresh interpreter within 3x a bare
`python -c pass` (the catalog's own share of it is the split below).

1. Matching: every request of the held-out sets, matched in one warm process, many rounds; median and
   p90 per call.
2. Start: fresh interpreters, interleaved so machine load hits every case alike, median of N each:
     python     python -c pass
     catalog    import the catalog, load it from its cache, answer "list docker containers"
     caro       caro --backend builtin -o json "list docker containers" (the whole command, as the `caro`
                command next to this Python; `python -m caro` where there is none:
                CLI, configuration, the catalog and the safety check)
   Bytecode caching is on, as in an installed caro, even when PYTHONDONTWRITEBYTECODE is set here.
3. Split, best of N in one process each: the catalog's own imports (caro.context, which caro's start
   path loads anyway, before the clock), the cached catalog load, the first match.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import interleaved, machine, report, time_command

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted((ROOT / "data").glob("catalog-*.jsonl"))  # every held-out request set
PROMPT = "list docker containers"

CATALOG_ANSWER = (
    "from caro import catalog\n"
    "from caro.context import Context\n"
    f"assert catalog.match({PROMPT!r}, Context('linux', 'bash', '/')).command == 'docker ps'"
)
SPLIT = f"""
import time
PROMPT = {PROMPT!r}
from caro.context import Context  # caro's start path has it before any backend runs
t0 = time.perf_counter()
from caro import catalog
import caro.catalog.matcher
t1 = time.perf_counter()
catalog.get()
t2 = time.perf_counter()
catalog.match(PROMPT, Context('linux', 'bash', '/'))
t3 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)
"""


def bench_matching(rounds: int) -> tuple[float, float, int]:
    from caro import catalog
    from caro.context import Context

    cases = [
        json.loads(line)
        for path in SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
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


def bench_start(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    python = sys.executable
    # The `caro` command next to this Python, as users start it (`python -m caro` adds runpy's imports).
    beside = Path(python).parent / "caro"
    caro = [str(beside)] if beside.exists() else [python, "-m", "caro"]
    cases = {
        "python -c pass": lambda: time_command([python, "-c", "pass"], env),
        "catalog answer (import, load, match)": lambda: time_command([python, "-c", CATALOG_ANSWER], env),
        "caro --backend builtin -o json": lambda: time_command([*caro, "--backend", "builtin", "-o", "json", PROMPT],
                                                              env),
    }
    return interleaved(cases, runs)


def bench_split(runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    best = [float("inf")] * 3
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", SPLIT], env=env, capture_output=True, text=True, check=True
        )
        best = [min(b, float(v)) for b, v in zip(best, out.stdout.split(), strict=True)]
    return best[0], best[1], best[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="interpreter starts per case (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the request sets (default 5)")
    args = parser.parse_args()
    print(machine())
    median, p90, prompts = bench_matching(args.rounds)
    print(
        f"matching: {prompts} requests x {args.rounds} rounds: median {median:.2f} ms, p90 {p90:.2f} ms (budget 5 ms)"
    )
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache:
        env = dict(os.environ, CARO_HOME=home, PYTHONPYCACHEPREFIX=pycache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed caro has its bytecode
        cold = time_command([sys.executable, "-c", CATALOG_ANSWER], env)  # builds the cache and bytecode
        samples = bench_start(args.runs, env)
        for line in report(samples, baseline="python -c pass"):
            print(line)
        imports, load, first = bench_split(args.runs, env)
    print(
        f"split, best of {args.runs}: catalog imports {imports:.1f} ms, cached load {load:.1f} ms, first match {first:.1f} ms"
    )
    print(f"first answer on a fresh home (builds the cache and bytecode): {cold:.0f} ms")
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"load average {load_avg:.2f} (a loaded machine inflates every case alike)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
