"""Corpus loading for the safety tests, and a terminal summary with detection and false-alarm rates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "safety"
RATES: dict[str, str] = {}


def load(name: str) -> list[dict[str, Any]]:
    """One corpus file: a JSON object per line (command, min level, optional shell and note)."""
    rows = []
    for number, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row["line"] = number
            rows.append(row)
    return rows


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RATES:
        terminalreporter.section("safety corpus")
        for name, text in RATES.items():
            terminalreporter.write_line(f"{name}: {text}")
