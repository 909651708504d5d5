"""backends.plan(): the order the chain tries backends in, for every way a user can choose."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from caro import backends
from caro.config import Settings

MakeSettings = Callable[..., Settings]


def test_auto_tries_the_local_servers_then_local_parts(make_settings: MakeSettings) -> None:
    assert backends.plan(make_settings()) == ["lmstudio", "ollama", "embedded", "builtin"]


def test_a_configured_openai_url_goes_first(make_settings: MakeSettings) -> None:
    settings = make_settings(openai__url="http://127.0.0.1:8000/v1")
    assert backends.plan(settings) == ["openai", "lmstudio", "ollama", "embedded", "builtin"]


@pytest.mark.parametrize("chosen, expected", [
    ("lmstudio", ["lmstudio", "embedded", "builtin"]),
    ("ollama", ["ollama", "embedded", "builtin"]),
    ("openai", ["openai", "embedded", "builtin"]),
    ("embedded", ["embedded", "builtin"]),
    ("builtin", ["builtin"]),
])
def test_a_chosen_backend_falls_back_to_local_parts_only(make_settings: MakeSettings, chosen: str,
                                                         expected: list[str]) -> None:
    # Never to another server, even with [openai] url set.
    assert backends.plan(make_settings(backend=chosen, openai__url="http://127.0.0.1:8000/v1")) == expected


@pytest.mark.parametrize("chosen", ["lmstudio", "ollama", "openai", "embedded", "builtin"])
def test_without_fallback_only_the_chosen_one(make_settings: MakeSettings, chosen: str) -> None:
    assert backends.plan(make_settings(backend=chosen, fallback=False)) == [chosen]


def test_every_planned_name_is_registered_and_named() -> None:
    for name in {*backends.AUTO_ORDER, *backends.LOCAL_FALLBACKS, "openai"}:
        assert name in backends.REGISTRY and name in backends.DISPLAY_NAMES
