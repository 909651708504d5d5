"""Start-up of every everyday caro path against bare Python, interleaved, median of N runs.

    python benchmarks/bench_startup.py [--runs 15] [--top 8] [--no-importtime]

Two baselines from the same interpreter, in the same rounds:

- `python -c pass` — a plain start with site-packages, as the `caro` script starts. caro runs as the
  console script next to this Python (this checkout's `src` first on PYTHONPATH, for both).
- `python -I -S -c pass` — no site hooks at all. A `.pth` file in site-packages can import modules at
  every start (some sandboxes inject one that imports certifi, and with it pathlib, typing, zipfile...);
  that slows the plain baseline and preloads modules caro would otherwise pay for. caro is measured the
  same way: `python -I -S` with this checkout's `src` and site-packages put on sys.path by hand, so no
  `.pth` file runs.

Bytecode caching stays on (PYTHONDONTWRITEBYTECODE removed), as for an installed caro. The LM Studio
path talks to tests/backends/fake_lmstudio.py on loopback, which answers at once; the availability cache
is warm after the first round, as it is for someone using caro. Then, per path, where the time goes:
the modules with the largest self and cumulative times from `python -X importtime` (in the -I -S setup).

Budgets (ratio to bare Python, same run): catalog answer, `caro check`, LM Studio request ≤ 3×;
`caro --help`, `caro init zsh`, `caro --version` ≤ 2×; `caro explain` ≤ 4×. The verdict reads the
`python -c pass` ratio (caro started as users start it, against the same interpreter started the same
way); whether the `-I -S` ratio is within the same budget is printed beside it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import site
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from tests.backends.fake_lmstudio import FakeLMStudio  # noqa: E402

from _common import interleaved, machine, python, time_command  # noqa: E402

# Runs caro's CLI under `python -I -S` with sys.path set by hand: argv = [paths, one a line; caro args...].
# It imports nothing itself, so what it adds to a start is caro's own.
LAUNCHER = (
    "import sys\n"
    "sys.path[:0] = sys.argv[1].split('\\n')\n"
    "sys.argv = ['caro', *sys.argv[2:]]\n"
    "from caro.cli import main\n"
    "raise SystemExit(main())\n"
)

PATHS: dict[str, list[str]] = {
    "--version": ["--version"],
    "--help": ["--help"],
    "init zsh": ["init", "zsh"],
    "check 'ls -la'": ["check", "ls -la"],
    "catalog answer (-b builtin -o json)": ["-b", "builtin", "-o", "json", "list docker containers"],
    "LM Studio stand-in (-o json)": ["-o", "json", "list docker containers"],
    "explain --offline (pipeline)": ["explain", "--offline", "find . -name '*.log' -mtime +7 | xargs rm -f"],
    "explain, summary from the stand-in": ["explain", "find . -name '*.log' -mtime +7 | xargs rm -f"],
}
BUDGETS = {"--version": 2, "--help": 2, "init zsh": 2, "check 'ls -la'": 3,
           "catalog answer (-b builtin -o json)": 3, "LM Studio stand-in (-o json)": 3,
           "explain --offline (pipeline)": 4, "explain, summary from the stand-in": 4}


def search_path() -> list[str]:
    """This checkout's src, then the interpreter's site-packages (no .pth file is read)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([str(ROOT / "src"), paths["purelib"], paths["platlib"], site.getusersitepackages()]))


def importtime(argv: list[str], env: dict[str, str], top: int, rounds: int = 3) -> list[str]:
    """The `top` modules by self time and by cumulative time for `argv`: the least of `rounds` runs per
    module, since a busy machine only ever adds time."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    for _ in range(rounds):
        done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True,
                              text=True, check=False)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
            name = name.strip()
            own[name] = min(own.get(name, 1 << 62), int(self_us))
            total[name] = min(total.get(name, 1 << 62), int(cumulative_us))
    by_self = sorted(own, key=own.__getitem__, reverse=True)[:top]
    by_total = sorted(total, key=total.__getitem__, reverse=True)[:top]
    return [
        f"  imports: {len(own)} modules, {sum(own.values()) / 1000:.1f} ms in all (least of {rounds} runs each)",
        "  self:       " + ", ".join(f"{n} {own[n] / 1000:.1f}" for n in by_self),
        "  cumulative: " + ", ".join(f"{n} {total[n] / 1000:.1f}" for n in by_total),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=8, help="modules listed per path in the import-time section")
    parser.add_argument("--no-importtime", action="store_true", help="skip the import-time section")
    args = parser.parse_args()

    server = FakeLMStudio().start()
    home = tempfile.mkdtemp(prefix="caro-bench-")
    env = {**os.environ, "CARO_HOME": home, "HOME": home, "CARO_LMSTUDIO_URL": server.url,
           "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("CARO_BACKEND", "CARO_CONFIG", "NO_COLOR"):
        env.pop(name, None)
    # The console script next to this Python, not a version-manager shim that adds its own start-up.
    beside = Path(sys.executable).parent / "caro"
    caro = [str(beside)] if beside.exists() else [python(), "-m", "caro"]
    isolated = [python(), "-I", "-S", "-c", LAUNCHER, "\n".join(search_path())]

    def case(argv: list[str]) -> Callable[[], float]:
        return lambda: time_command(argv, env)

    cases = {"python -c pass": case([python(), "-c", "pass"]),
             "python -I -S -c pass": case([python(), "-I", "-S", "-c", "pass"])}
    for label, words in PATHS.items():
        cases[f"caro {label}"] = case([*caro, *words])
        cases[f"-I -S caro {label}"] = case([*isolated, *words])
    try:
        samples = interleaved(cases, args.runs)
        base = statistics.median(samples["python -c pass"])
        bare = statistics.median(samples["python -I -S -c pass"])
        print(f"# {datetime.date.today()}  {machine()}  runs={args.runs}  caro: {' '.join(caro)}")
        print(f"python -c pass        median {base:6.1f} ms")
        print(f"python -I -S -c pass  median {bare:6.1f} ms")
        print()
        print(f"{'path':<38} {'caro':>9} {'ratio':>7} {'-I -S caro':>11} {'ratio':>7}  budget (plain ratio; -I -S)")
        for label in PATHS:
            plain = statistics.median(samples[f"caro {label}"])
            iso = statistics.median(samples[f"-I -S caro {label}"])
            limit = BUDGETS[label]
            verdict = "met" if plain / base <= limit else "NOT met"
            strict = "within" if iso / bare <= limit else "over"
            print(f"{label:<38} {plain:6.1f} ms {plain / base:6.2f}x {iso:8.1f} ms {iso / bare:6.2f}x"
                  f"  <= {limit}x {verdict}; -I -S {strict}")
        if not args.no_importtime:
            print()
            print(f"# where the time goes (python -I -S -X importtime, ms; top {args.top})")
            for label, words in PATHS.items():
                print(f"caro {label}")
                print("\n".join(importtime([*isolated, *words], env, args.top)))
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
