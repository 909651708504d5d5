"""Shared helpers for caro's benchmarks: interleaved runs, medians, the machine's description."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def machine() -> str:
    """One line naming the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def time_command(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall time of one run of `argv`, in milliseconds."""
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return (time.perf_counter() - started) * 1000


def interleaved(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Run each case once per round, `runs` rounds, so drifts in machine load hit every case alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for case in cases.values():  # warm the file cache once
        case()
    for _ in range(runs):
        for name, case in cases.items():
            samples[name].append(case())
    return samples


def report(samples: dict[str, list[float]], baseline: str | None = None) -> list[str]:
    """Median (and p90) per case, with the ratio to the baseline case."""
    lines = []
    base = statistics.median(samples[baseline]) if baseline else None
    for name, values in samples.items():
        median = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        ratio = f"  {median / base:.2f}x baseline" if base else ""
        lines.append(f"{name:<40} median {median:7.1f} ms   p90 {p90:7.1f} ms{ratio}")
    return lines


def python() -> str:
    return sys.executable
