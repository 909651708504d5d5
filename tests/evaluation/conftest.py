"""Fixtures for the evaluation harness: one real bubblewrap sandbox shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caro.evaluation.sandbox import Limits, Sandbox, SandboxUnavailable
from tests.helpers import need


def open_sandbox(limits: Limits) -> Sandbox:
    """A real sandbox; skipped (failed under CARO_TEST_STRICT=1) where bubblewrap cannot run."""
    try:
        return Sandbox(limits)
    except SandboxUnavailable as exc:
        need(False, f"no sandbox here: {exc}")
        raise


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = open_sandbox(Limits(time_s=3, output_kb=64))
    yield box
    box.close()
