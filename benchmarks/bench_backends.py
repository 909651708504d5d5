"""Backend budgets, measured against local test servers.

    python benchmarks/bench_backends.py [--runs 200] [--cli-runs 20] [--json]

1. Availability check (in-process, LM Studio backend, cache bypassed unless stated):
   - server up (the LM Studio stand-in on loopback): budget median <= 20 ms, max <= 500 ms;
   - port closed: budget median <= 10 ms, max <= 500 ms;
   - cache fresh: budget: no network call (counted), median well under 1 ms;
   - hung server (accepts, never answers): max <= 500 ms.
2. caro's own cost on top of the server's answer: wall time of `caro -o json …` in a subprocess against
   the stand-in, which answers instantly. Budget: median <= 100 ms. Python's own start-up
   (`python -c pass`) is measured in the same run as the baseline and reported beside it.
3. Import cost of the HTTP layer: `import caro.http` against `import http.client` (what httpx and
   requests build on), same run.

Medians of many runs; timings on a shared machine vary, so compare ratios within one run. Child
processes run without PYTHONDONTWRITEBYTECODE, as an installed caro does (pip writes .pyc files).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.backends.fake_lmstudio import FakeLMStudio  # noqa: E402

from caro import config  # noqa: E402
from caro.backends.lmstudio import LMStudioBackend  # noqa: E402


def measure(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times), 3), "p90_ms": round(sorted(times)[int(len(times) * 0.9)], 3),
            "max_ms": round(max(times), 3), "runs": len(times)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hung_server() -> tuple[int, Callable[[], None]]:
    """Accepts connections and never answers (a stuck server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=loop, daemon=True).start()

    def close() -> None:
        stop.set()
        for conn in held:
            conn.close()
        listener.close()

    return listener.getsockname()[1], close


def availability(runs: int, home: Path) -> dict[str, object]:
    os.environ["CARO_HOME"] = str(home)
    server = FakeLMStudio().start()
    results: dict[str, object] = {}
    try:
        up = config.load({"lmstudio.url": server.url})
        results["up"] = summary(measure(lambda: LMStudioBackend(up).availability(use_cache=False), runs))
        closed = config.load({"lmstudio.url": f"http://localhost:{free_port()}/v1"})
        results["port_closed"] = summary(measure(lambda: LMStudioBackend(closed).availability(), runs))
        LMStudioBackend(up).availability()  # warm the cache
        before = len(server.requests)
        results["cache_fresh"] = {**summary(measure(lambda: LMStudioBackend(up).availability(), runs)),
                                  "network_requests": len(server.requests) - before}
    finally:
        server.stop()
    port, close = hung_server()
    try:
        hung = config.load({"lmstudio.url": f"http://127.0.0.1:{port}/v1"})
        results["hung"] = summary(measure(lambda: LMStudioBackend(hung).availability(use_cache=False),
                                          max(5, runs // 20)))
    finally:
        close()
    return results


def child_env() -> dict[str, str]:
    """The environment for timed subprocesses. PYTHONDONTWRITEBYTECODE is dropped: with it set, every run
    recompiles each module from source, which an installed caro (pip writes .pyc files) never does."""
    return {k: v for k, v in os.environ.items()
            if not k.lower().endswith("_proxy") and k != "PYTHONDONTWRITEBYTECODE"}


def wall(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode not in (0,):
            raise SystemExit(f"{argv} failed: {done.stderr[-500:]}")
    return times


def cli_overhead(runs: int, home: Path) -> dict[str, object]:
    server = FakeLMStudio().start()
    env = child_env()
    env.update(CARO_HOME=str(home), CARO_LMSTUDIO_URL=server.url, NO_COLOR="1")
    caro = [sys.executable, "-m", "caro", "--backend", "lmstudio", "-o", "json", "list docker containers"]
    try:
        wall(caro, 2, env)  # write .pyc files, warm the availability cache
        # Interleaved, so that a busy machine slows the baseline and caro alike.
        python, warm, probing, differences = [], [], [], []
        for _ in range(runs):
            python += wall([sys.executable, "-c", "pass"], 1, env)
            warm += wall(caro, 1, env)
            differences.append(warm[-1] - python[-1])
            (home / "cache" / "availability.json").unlink(missing_ok=True)
            probing += wall(caro, 1, env)
    finally:
        server.stop()
    return {
        "python_startup": summary(python),
        "caro_warm_cache": summary(warm),
        "caro_probe_each_run": summary(probing),
        "caro_minus_python_median_ms": round(statistics.median(differences), 1),
    }


def imports(runs: int) -> dict[str, object]:
    env = child_env()
    out = {}
    wall([sys.executable, "-c", "import caro.backends.lmstudio, caro.cli"], 1, env)  # write .pyc files
    for name, module in (("python -c pass", ""), ("caro.http", "import caro.http"),
                         ("http.client", "import http.client"), ("urllib.request", "import urllib.request")):
        out[name] = summary(wall([sys.executable, "-c", module or "pass"], runs, env))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        report = {
            "availability": availability(args.runs, home / "a"),
            "cli": cli_overhead(args.cli_runs, home / "c"),
            "imports": imports(args.cli_runs),
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    a = report["availability"]
    assert isinstance(a, dict)
    print("availability check (LM Studio backend, in-process)")
    for key, budget in (("up", "median <= 20 ms"), ("port_closed", "median <= 10 ms"),
                        ("cache_fresh", "no network call"), ("hung", "max <= 500 ms")):
        row = a[key]
        extra = f", network requests {row['network_requests']}" if "network_requests" in row else ""
        print(f"  {key:12} median {row['median_ms']:8.3f} ms  p90 {row['p90_ms']:8.3f}  max {row['max_ms']:8.3f}"
              f"  ({row['runs']} runs{extra}; budget {budget})")
    c = report["cli"]
    assert isinstance(c, dict)
    print("caro -o json against an instant server (wall time, subprocess)")
    for key in ("python_startup", "caro_warm_cache", "caro_probe_each_run"):
        row = c[key]
        print(f"  {key:20} median {row['median_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f}  ({row['runs']} runs)")
    print(f"  caro's own cost beyond Python start-up: {c['caro_minus_python_median_ms']} ms (budget: total median <= 100 ms)")
    i = report["imports"]
    assert isinstance(i, dict)
    print("import cost (wall time of python -c 'import X')")
    for key, row in i.items():
        print(f"  {key:16} median {row['median_ms']:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
