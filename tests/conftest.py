"""Shared fixtures: an isolated home for every test, the real `caro` command in a subprocess, and the
session's one real OpenAI-compatible server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.backends.fake_ollama import FakeOllama
from tests.helpers import free_port
from tests.llama_server import smollm2_server

# CI runs the property tests with a fixed seed so a run is repeatable; locally they explore afresh.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

CaroRunner = Callable[..., "subprocess.CompletedProcess[str]"]

# Variables caro reads that name places or things outside the test (history files, the clipboard,
# servers, tokens, the shell): each is removed, so a default under the test home applies instead.
CLEARED = (
    "HISTFILE", "HISTTIMEFORMAT", "ZDOTDIR", "fish_history", "APPDATA", "PSModulePath", "WSL_DISTRO_NAME",
    "DISPLAY", "WAYLAND_DISPLAY", "LM_API_TOKEN", "LMS_API_SERVER_INFO_PATH", "OPENAI_API_KEY", "HF_ENDPOINT",
)
# XDG folders point inside the test home (fish's history lives under XDG_DATA_HOME, its config under
# XDG_CONFIG_HOME), so nothing the test starts can read or write the developer's own.
XDG = {"XDG_DATA_HOME": ".local/share", "XDG_CONFIG_HOME": ".config", "XDG_CACHE_HOME": ".cache",
       "XDG_STATE_HOME": ".local/state"}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point HOME, CARO_HOME and the XDG folders at a fresh folder; clear every CARO_*, proxy and other
    variable caro reads (history files, clipboard, tokens); make bash the shell caro detects."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("CARO_") or name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, folder in XDG.items():
        monkeypatch.setenv(name, str(home / folder))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CARO_HOME", str(home / ".caro"))
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.setenv("NO_COLOR", "1")
    yield home


@pytest.fixture
def caro(isolated_home: Path) -> CaroRunner:
    """Run the real caro command: caro(*args, input=None, env=None, timeout=60, cwd=None)."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        cwd: str | Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "caro", *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=cwd,
        )

    return run


@pytest.fixture(scope="session")
def llama_server() -> str:
    """A real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M on a free loopback port,
    one for the whole run however many packages ask for it. Its base URL (…/v1)."""
    return smollm2_server()


@pytest.fixture
def lmstudio() -> Iterator[FakeLMStudio]:
    """The LM Studio stand-in (tests/backends/fake_lmstudio.py) on a free loopback port."""
    server = FakeLMStudio().start()
    yield server
    server.stop()


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    """The Ollama stand-in (tests/backends/fake_ollama.py) on a free loopback port."""
    server = FakeOllama().start()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
