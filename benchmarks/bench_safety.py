"""Safety engine speed: judging a typical command, a 10 kB command, and what the engine adds to start-up.

    python benchmarks/bench_safety.py [--runs N]

Budgets: a typical command is judged in at most 2 ms (median); a 10 kB command in at most 50 ms; `caro check
'ls -la'` starts within 3x a bare `python -c pass` (with compiled bytecode, as an installed caro has).

1. Typical: the first 40 everyday and 20 dangerous corpus commands, each judged once per round in one
   warm process; median and p90 per call. Baseline in the same rounds: shlex.split of the same text
   (what a naive tokenise-and-grep checker costs at least).
2. 10 kB: a generated script of about 10,000 characters (pipes, &&, quoted strings, $(…), sudo, find
   -exec, here-strings), judged N times, interleaved with shlex.split of the same text as the baseline;
   median and p90. On a loaded machine compare the ratio as well as the absolute figure.
3. Start: fresh interpreters, alternated: `import caro.safety` alone, then with a first assess("ls -la")
   (which loads the engine and tree-sitter-bash), the whole `caro check 'ls -la'`; for reference, `import
   bashlex` in the same rounds. Each once as `python -c` and once as `python -I -S -c` (no site hooks,
   sys.path set by hand), each against `pass` started the same way. Bytecode is compiled first
   (compileall), as for an installed caro.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "safety"


def corpus(name: str) -> list[str]:
    return [json.loads(line)["command"] for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line]


def big_command(size: int = 10_000) -> str:
    parts = [
        "ls -la /tmp/build | grep -v '^total' | sort -k5 -n",
        'sudo find . -name "*.log" -mtime +7 -exec rm -f {} \\;',
        "echo \"$(date +%F) done\" >> ~/deploy.log",
        "curl -s https://example.com/api/items | jq '.items[] | .name'",
        "tar -czf backup-$(date +%s).tar.gz ./src ./docs",
        "git status && git add -A && git commit -m 'sync'",
        "grep -rn 'TODO' src/ <<< 'x' || true",
    ]
    out: list[str] = []
    i = 0
    while sum(len(p) + 4 for p in out) < size:
        out.append(parts[i % len(parts)])
        i += 1
    return " && ".join(out)[:size].rsplit(" && ", 1)[0]


def per_call(fn: object, items: list[str], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        for text in items:
            started = time.perf_counter()
            fn(text)  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(name: str, values: list[float], base: float | None = None) -> str:
    median = statistics.median(values)
    p90 = sorted(values)[int(0.9 * (len(values) - 1))]
    ratio = f"   {median / base:6.1f}x baseline" if base else ""
    return f"{name:<44} median {median:8.3f} ms   p90 {p90:8.3f} ms{ratio}"


def start_cost(runs: int) -> list[str]:
    """Each case twice: a plain `python -c` (site hooks run, as the `caro` script starts) and `python -I -S -c`
    with this checkout's src and site-packages put on sys.path by hand (no `.pth` hook can preload modules
    or slow the baseline). Ratios are against `pass` run the same way."""
    cases = {
        "python -c pass": "pass",
        "import caro.safety": "import caro.safety",
        "import caro.safety + first assess": "import caro.safety; caro.safety.assess('ls -la')",
        "caro check 'ls -la'": "import sys; from caro.cli import main; sys.argv=['caro','check','ls -la']; main()",
        "import bashlex (reference)": "import bashlex",
    }
    import compileall
    import sysconfig

    compileall.compile_dir(str(ROOT / "src" / "caro"), quiet=1)
    paths = sysconfig.get_paths()
    search = list(dict.fromkeys([str(ROOT / "src"), paths["purelib"], paths["platlib"]]))
    isolated = f"import sys; sys.path[:0] = {search!r}; "
    runs_of = {(name, iso): [sys.executable, *(["-I", "-S"] if iso else []), "-c", (isolated if iso else "") + code]
               for name, code in cases.items() for iso in (False, True)}
    samples: dict[tuple[str, bool], list[float]] = {key: [] for key in runs_of}
    for _ in range(runs):
        for key, argv in runs_of.items():
            started = time.perf_counter()
            subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            samples[key].append((time.perf_counter() - started) * 1000)
    base = statistics.median(samples["python -c pass", False])
    bare = statistics.median(samples["python -c pass", True])
    out = [f"{'fresh process':<36} {'python -c':>10} {'ratio':>7} {'python -I -S -c':>16} {'ratio':>7}"]
    for name in cases:
        plain = statistics.median(samples[name, False])
        iso = statistics.median(samples[name, True])
        out.append(f"{name:<36} {plain:7.1f} ms {plain / base:6.2f}x {iso:13.1f} ms {iso / bare:6.2f}x")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="rounds (default 30)")
    parser.add_argument("--start-runs", type=int, default=10, help="fresh interpreters per start case (default 10)")
    args = parser.parse_args()

    from caro.safety import assess

    typical = corpus("everyday.jsonl")[:40] + corpus("dangerous.jsonl")[:20]
    assess("ls -la", prompt="list files")
    assess("ls -la")  # load the engine before timing calls
    judged = per_call(lambda t: assess(t), typical, args.runs)
    with_request = per_call(lambda t: assess(t, prompt="find the large log files"), typical, args.runs)
    baseline = per_call(shlex.split, [t for t in typical if _splits(t)], args.runs)
    big = big_command()
    big_samples: list[float] = []
    big_baseline: list[float] = []
    flat = big.replace("'", "").replace('"', "")
    for _ in range(max(args.runs, 20)):  # interleaved, so machine load hits both alike
        big_samples += per_call(lambda t: assess(t), [big], 1)
        big_baseline += per_call(shlex.split, [flat], 1)

    print(f"machine: {machine()}")
    print(f"typical commands: {len(typical)}, rounds: {args.runs}; 10 kB command: {len(big)} characters")
    base = statistics.median(baseline)
    print(line("baseline: shlex.split (typical)", baseline))
    print(line("assess (typical command)", judged, base))
    print(line("assess with a request (typical command)", with_request, base))
    print(line("baseline: shlex.split (10 kB command)", big_baseline))
    print(line("assess (10 kB command)", big_samples, statistics.median(big_baseline)))
    for text in start_cost(args.start_runs):
        print(text)
    ok_typical = statistics.median(judged) <= 2.0
    ok_big = statistics.median(big_samples) <= 50.0
    print(f"budget typical <= 2 ms: {'PASS' if ok_typical else 'FAIL'}; 10 kB <= 50 ms: {'PASS' if ok_big else 'FAIL'}")
    return 0 if ok_typical and ok_big else 1


def _splits(text: str) -> bool:
    try:
        shlex.split(text)
    except ValueError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
