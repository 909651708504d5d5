"""Fixtures for the evaluation harness: one real bubblewrap sandbox shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caro.evaluation.sandbox import Limits, Sandbox, SandboxUnavailable


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    try:
        box = Sandbox(Limits(time_s=3, output_kb=64))
    except SandboxUnavailable as exc:
        pytest.skip(f"no sandbox here: {exc}")
    yield box
    box.close()
