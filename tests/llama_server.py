"""Start llama-cpp-python's OpenAI-compatible server on a loopback port and wait until it answers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def serve(model: Path, port: int, *, alias: str, env: Mapping[str, str], extra: tuple[str, ...] = (),
          n_ctx: int = 2048) -> Iterator[str]:
    """Run `python -m llama_cpp.server` for `model`; yield its base URL (…/v1); stop it afterwards."""
    from caro import http

    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", "1",
         "--verbose", "false", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(env),
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"llama_cpp.server exited: {error[-2000:]}")
            try:
                if http.request("GET", url + "/models", read_timeout=2).status == 200:
                    break
            except http.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not come up within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
