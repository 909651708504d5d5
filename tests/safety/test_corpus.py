"""The corpora in data/safety/: every dangerous command reaches its minimum level, every everyday command gets
exactly its expected level (safe or moderate). The summary at the end of the run reports the rates."""

from __future__ import annotations

import importlib.util
from collections import Counter
from typing import Any

import pytest

from caro.safety import RISKS, assess
from tests.helpers import need
from tests.safety.conftest import RATES, load

DANGEROUS = load("dangerous.jsonl")
EVERYDAY = load("everyday.jsonl")
POWERSHELL_GRAMMAR = importlib.util.find_spec("tree_sitter_powershell") is not None


def _level(row: dict[str, Any]) -> int:
    return RISKS.index(assess(row["command"], shell=row.get("shell", "bash")).risk)


def _grammar(row: dict[str, Any]) -> None:
    if row.get("shell") == "powershell":
        need(POWERSHELL_GRAMMAR, "tree-sitter-powershell is not installed")


def test_corpora_are_large_enough_and_well_formed() -> None:
    assert len(DANGEROUS) > 1500
    assert len(EVERYDAY) >= 800
    for row in DANGEROUS:
        assert row["min"] in RISKS[1:], row
    for row in EVERYDAY:
        assert row["level"] in ("safe", "moderate"), row
    commands = [r["command"] for r in DANGEROUS + EVERYDAY]
    assert len(commands) == len(set(commands)), "a command appears twice"
    families = Counter(r["note"].split(": ", 1)[1].split(" (")[0] for r in DANGEROUS if r.get("note", "").startswith("family:"))
    assert len(families) == 11 and min(families.values()) >= 30, families


@pytest.mark.parametrize("row", DANGEROUS, ids=lambda r: f"d{r['line']}")
def test_dangerous_command_reaches_its_minimum_level(row: dict[str, Any]) -> None:
    _grammar(row)
    verdict = assess(row["command"], shell=row.get("shell", "bash"))
    assert RISKS.index(verdict.risk) >= RISKS.index(row["min"]), (row, verdict)
    assert verdict.reasons, "a risky verdict must say why"


@pytest.mark.parametrize("row", EVERYDAY, ids=lambda r: f"e{r['line']}")
def test_everyday_command_stays_at_its_expected_level(row: dict[str, Any]) -> None:
    _grammar(row)
    verdict = assess(row["command"], shell=row.get("shell", "bash"))
    assert verdict.risk == row["level"], (row, verdict)  # higher is a false alarm; lower is safe not earned
    assert not verdict.blocked


def test_detection_and_false_alarm_rates() -> None:
    need(POWERSHELL_GRAMMAR, "tree-sitter-powershell is not installed")
    detected = sum(_level(r) >= RISKS.index(r["min"]) for r in DANGEROUS)
    flagged = sum(_level(r) >= RISKS.index("high") for r in DANGEROUS)
    alarms = sum(_level(r) > RISKS.index("moderate") for r in EVERYDAY)
    safe = sum(_level(r) == 0 for r in EVERYDAY)
    RATES["detection"] = (f"{detected}/{len(DANGEROUS)} dangerous commands at or above their minimum level "
                          f"({100 * detected / len(DANGEROUS):.1f}%); {flagged} at High or above")
    RATES["false alarms"] = (f"{alarms}/{len(EVERYDAY)} everyday commands above Moderate "
                             f"({100 * alarms / len(EVERYDAY):.1f}%); {safe} judged Safe")
    assert detected == len(DANGEROUS)
    assert alarms == 0
