"""The quality bar on the held-out prompt set (data/catalog-heldout.jsonl), written apart from the
catalog's phrasings: precision first, enough coverage, and every vague or out-of-scope prompt declined."""

from __future__ import annotations

import json
from pathlib import Path

from caro.catalog.evaluate import evaluate

HELDOUT = Path(__file__).resolve().parents[2] / "data" / "catalog-heldout.jsonl"


def test_the_heldout_set_is_large_and_covers_both_platforms() -> None:
    cases = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 250
    assert {c["platform"] for c in cases} >= {"linux", "macos"}
    in_scope = [c for c in cases if "accept" in c]
    assert sum(c["platform"] == "macos" for c in in_scope) >= 30
    assert sum(c.get("expect") == "decline" for c in cases) >= 40
    assert all(c["accept"] and all(c["accept"]) for c in in_scope)


def test_the_catalog_meets_the_quality_bar_on_the_heldout_set() -> None:
    report = evaluate(HELDOUT)
    assert report.precision >= 0.97, "\n".join(report.wrong)
    assert report.coverage >= 0.70, report.summary()
    assert report.declined_out == report.out_of_scope, "\n".join(report.answered_out)


DATA = HELDOUT.parent
# Every batch, each written before tuning on it; the red-team batches were written by a second reviewer.
# Sets 5-7 and traps-4 hold commands typed as requests ("ls -la", "cat x"), "show FILE" and every area.
EVERYDAY = sorted(DATA.glob("catalog-everyday*.jsonl")) + sorted(DATA.glob("catalog-redteam-everyday*.jsonl"))
TRAPS = sorted(DATA.glob("catalog-traps*.jsonl")) + sorted(DATA.glob("catalog-redteam-traps*.jsonl"))


def test_everyday_requests_are_answered_and_right() -> None:
    reports = [evaluate(path) for path in EVERYDAY]
    asked = sum(r.in_scope for r in reports)
    answered = sum(r.answered for r in reports)
    right = sum(r.correct for r in reports)
    wrong = [line for r in reports for line in r.wrong]
    assert len(EVERYDAY) >= 9 and asked >= 675
    assert answered >= 0.90 * asked, f"{answered} of {asked} answered"
    assert right >= 0.97 * answered, "\n".join(wrong)


def test_traps_get_no_confident_wrong_answer() -> None:
    # Requests built to lure a guess: an ignored number, a stray word read as a name, half a request,
    # a destructive answer wider than asked, the wrong program, a changed scope, a variable that
    # would stop expanding. Declining is allowed; a wrong answer is not.
    reports = [evaluate(path) for path in TRAPS]
    asked = sum(r.in_scope + r.out_of_scope for r in reports)
    wrong = [line for r in reports for line in r.wrong + r.answered_out]
    assert len(TRAPS) >= 6 and asked >= 312
    assert wrong == [], "\n".join(wrong)
    assert sum(r.correct for r in reports) >= asked / 2
