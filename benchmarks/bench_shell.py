"""What the shell integration costs: `caro init` runs in every new shell (`eval "$(caro init zsh)"`),
completions load with it, and the key binding pays one print-only generation. Interleaved, median of N.

    python benchmarks/bench_shell.py [--runs 21]

Budget: `caro init SHELL` adds at most 2x `caro --version` to a shell's start.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, machine, python, report, time_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="caro-bench-")
    env = {**os.environ, "CARO_HOME": home, "HOME": home, "CARO_BACKEND": "builtin"}
    beside = Path(sys.executable).parent / "caro"
    caro = str(beside) if beside.exists() else shutil.which("caro") or "caro"
    cases = {
        "python -c pass": lambda: time_command([python(), "-c", "pass"], env),
        "caro --version": lambda: time_command([caro, "--version"], env),
        "caro init zsh": lambda: time_command([caro, "init", "zsh"], env),
        "caro init bash": lambda: time_command([caro, "init", "bash"], env),
        "caro completions zsh": lambda: time_command([caro, "completions", "zsh"], env),
        "caro explain --offline (pipeline)": lambda: time_command(
            [caro, "explain", "--offline", "find . -name '*.log' -mtime +7 | xargs rm -f"], env
        ),
        "key binding call (builtin, print-only)": lambda: time_command(
            [caro, "--shell", "zsh", "--", "list docker containers"], env
        ),
    }
    samples = interleaved(cases, args.runs)
    print(f"# {datetime.date.today()}  {machine()}  runs={args.runs}")
    print("\n".join(report(samples, baseline="caro --version")))
    version = statistics.median(samples["caro --version"])
    init = statistics.median(samples["caro init zsh"])
    print(f"budget caro init zsh <= 2x caro --version: {'met' if init <= 2 * version else 'NOT met'}"
          f" ({init / version:.2f}x)")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
