"""`caro explain` speed in one warm process: the breakdown alone, against the safety engine's judgement
of the same command (which explain also runs), interleaved, median of N rounds.

    python benchmarks/bench_explain.py [--runs 15]

1. Everyday commands: pipelines, redirections, wrappers, loops, `[[ ]]`, `case`, here-documents, tar.
2. A 10 kB command (the same line repeated), where the parse dominates.
Start-up of `caro explain` as a whole process is in bench_startup.py.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "src"))
from _common import machine  # noqa: E402
from caro.safety import assess  # noqa: E402
from caro.terminal.explain import explain  # noqa: E402

COMMANDS = [
    "ps aux | grep -i nginx > procs.txt 2>/dev/null",
    "find /var/log -name '*.gz' -mtime +30 -exec rm {} \\;",
    "sudo -u www timeout 5s curl -sL https://example.com -o page.html",
    "for f in *.txt; do wc -l \"$f\"; done",
    "[[ -d /srv && $mode == prod ]] && rm -r /srv/cache",
    "case $1 in start) systemctl start nginx;; stop) systemctl stop nginx;; esac",
    "cat <<EOF | tee copy.txt\nbuilt on $(hostname)\nEOF\n",
    "tar -xzvf a.tar.gz -C /opt && ls /opt | wc -l",
    "env LANG=C find . -name '*.tmp' -print0 | xargs -0 rm -f",
    "bash -c 'cd /tmp && rm -r junk'",
]


def per_call(fn: Callable[[str], object], commands: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        for command in commands:
            started = time.perf_counter()
            fn(command)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    big = " && ".join(["tar -czf b.tgz ~/docs | tee log.txt"] * 290)

    def no_verdict(_text: str) -> Any:
        return None

    def breakdown(command: str) -> None:
        explain(command, check=no_verdict)

    for command in COMMANDS:  # warm both: tables, parser, rules
        breakdown(command)
        assess(command)
    rows: dict[str, list[float]] = {"explain breakdown, everyday": [], "safety assess, everyday": [],
            f"explain breakdown, {len(big)} chars": [], f"safety assess, {len(big)} chars": []}
    names = list(rows)
    for _ in range(args.runs):  # interleaved rounds
        rows[names[0]] += per_call(breakdown, COMMANDS, 1)
        rows[names[1]] += per_call(assess, COMMANDS, 1)
        rows[names[2]] += per_call(breakdown, [big], 1)
        rows[names[3]] += per_call(assess, [big], 1)
    print(f"# {datetime.date.today()}  {machine()}  runs={args.runs}")
    for name, values in rows.items():
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        print(f"{name:<36} median {statistics.median(values):8.3f} ms   p90 {p90:8.3f} ms")


if __name__ == "__main__":
    main()
