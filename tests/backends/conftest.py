"""Fixtures for backend tests: settings and a generation request. The stand-ins (`lmstudio`, `ollama`)
and the real llama-cpp-python server (`llama_server`) are fixtures in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from caro import config
from caro.backends.base import GenerationRequest
from caro.context import Context


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

