"""Fixtures for backend tests: the LM Studio and Ollama stand-ins, settings, a generation request.
The real llama-cpp-python server (`llama_server`) is the session fixture in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from caro import config
from caro.backends.base import GenerationRequest
from caro.context import Context
from tests.backends.fake_lmstudio import FakeLMStudio
from tests.backends.fake_ollama import FakeOllama

# Re-exported for modules that import them from here (tests/evaluation/test_cli.py). The fixture hands
# out the run's one shared server, so importing it elsewhere never starts a second one.
from tests.conftest import llama_server  # noqa: F401
from tests.helpers import free_port


@pytest.fixture
def lmstudio() -> Iterator[FakeLMStudio]:
    server = FakeLMStudio().start()
    yield server
    server.stop()


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    server = FakeOllama().start()
    yield server
    server.stop()


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


__all__ = ["free_port", "request"]
