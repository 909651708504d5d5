"""Cold start of caro against bare Python, interleaved, median of N runs.

    python benchmarks/bench_startup.py [--runs 21]

Budget (issue 2): `caro --version` at most 2x `python -c pass` and at most 60 ms on a 2-core machine.
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
    env = {**os.environ, "CARO_HOME": home, "HOME": home}
    # Measure an installed caro: compiled bytecode is written once and reused, as it is for users.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The console script next to this Python, not a version-manager shim that would add its own start-up.
    beside = Path(sys.executable).parent / "caro"
    caro = str(beside) if beside.exists() else shutil.which("caro") or "caro"
    src_env = {**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    cases = {
        "python -c pass": lambda: time_command([python(), "-c", "pass"], env),
        "caro --version": lambda: time_command([caro, "--version"], env),
        "caro --help": lambda: time_command([caro, "--help"], env),
        "caro config show": lambda: time_command([caro, "config", "show"], env),
        # Without site-packages start-up hooks (-S): caro's own cost, apart from what this Python's
        # installed .pth files add to every start.
        "python -S -c pass": lambda: time_command([python(), "-S", "-c", "pass"], env),
        "python -S -m caro --version": lambda: time_command([python(), "-S", "-m", "caro", "--version"], src_env),
    }
    samples = interleaved(cases, args.runs)
    print(f"# {datetime.date.today()}  {machine()}  runs={args.runs}")
    print("\n".join(report(samples, baseline="python -c pass")))
    base = statistics.median(samples["python -c pass"])
    version = statistics.median(samples["caro --version"])
    ok = version <= 2 * base and version <= 60
    print(f"budget caro --version <= 2x python and <= 60 ms: {'met' if ok else 'NOT met'}")
    bare = statistics.median(samples["python -S -m caro --version"])
    print(f"without site hooks: caro --version {bare:.1f} ms "
          f"({bare / statistics.median(samples['python -S -c pass']):.2f}x python -S)")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
