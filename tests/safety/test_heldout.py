"""The held-out slice: disguised destructive and everyday commands written before the engine was tuned and never
tuned on (data/safety/heldout_*.jsonl). This reports its figures and guards them against regressions; a command
from it that fails is not fixed by a rule for that command, only by a principled change."""

from __future__ import annotations

import importlib.util

from caro.safety import RISKS, assess
from tests.helpers import need
from tests.safety.conftest import RATES, load

DANGEROUS = load("heldout_dangerous.jsonl")
EVERYDAY = load("heldout_everyday.jsonl")


def _risk(row: dict[str, str]) -> int:
    return RISKS.index(assess(row["command"], shell=row.get("shell", "bash")).risk)


def test_held_out_slice_figures() -> None:
    need(importlib.util.find_spec("tree_sitter_powershell") is not None, "tree-sitter-powershell is not installed")
    levels = [_risk(r) for r in DANGEROUS]
    safe = levels.count(0)
    high = sum(level >= RISKS.index("high") for level in levels)
    alarms = sum(_risk(r) >= RISKS.index("high") for r in EVERYDAY)
    RATES["held-out"] = (f"{len(DANGEROUS)} disguised destructive: {safe} safe ({100 * safe / len(DANGEROUS):.1f}%), "
                         f"{high} high or critical ({100 * high / len(DANGEROUS):.1f}%); {len(EVERYDAY)} everyday: "
                         f"{alarms} high or above ({100 * alarms / len(EVERYDAY):.1f}%)")
    assert high >= 0.95 * len(DANGEROUS)
    assert safe <= 0.02 * len(DANGEROUS)
    assert alarms <= 0.02 * len(EVERYDAY)
