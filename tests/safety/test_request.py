"""Every answer is judged against its request: the corpus of request/answer pairs in data/safety/requests.jsonl
(half of them answers that do more than was asked), and the verdict's shape when they do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from caro.safety import assess
from tests.safety.conftest import DATA, RATES

PAIRS = [json.loads(line) for line in (DATA / "requests.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_corpus_is_large_enough_and_half_mismatches() -> None:
    assert len(PAIRS) >= 200
    mismatches = sum(p["mismatch"] for p in PAIRS)
    assert 0.4 * len(PAIRS) <= mismatches <= 0.6 * len(PAIRS)


def _names_the_request(reason: str) -> bool:
    return reason.split(": ", 1)[1].startswith(("you asked to", "you asked \"", "you asked about"))


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p['request'][:30]}|{p['command'][:30]}")
def test_an_answer_that_does_more_than_asked_always_asks_and_says_why_first(pair: dict[str, Any]) -> None:
    for mode in ("strict", "moderate", "permissive"):
        verdict = assess(pair["command"], prompt=pair["request"], mode=mode)
        flagged = bool(verdict.reasons) and _names_the_request(verdict.reasons[0])
        assert flagged == pair["mismatch"], (pair, verdict.reasons)
        if pair["mismatch"]:
            assert verdict.requires_confirmation or verdict.blocked, (mode, verdict)


def test_the_first_reason_says_what_the_command_also_does() -> None:
    verdict = assess('find . -name "*.txt" -delete', prompt="find large files")
    assert verdict.requires_confirmation
    assert verdict.reasons[0].startswith("moderate: you asked to find large files; this command also deletes them")
    verdict = assess("rm -f *.tmp", prompt="delete the cache-*.tmp files")
    assert "you asked about cache-*.tmp; this command deletes *.tmp, a wider set" in verdict.reasons[0]


def test_the_request_check_asks_even_at_permissive_and_keeps_the_level_of_the_command() -> None:
    plain = assess("cat notes.txt > /dev/null; truncate -s 0 notes.txt", mode="permissive")
    asked = assess("cat notes.txt > /dev/null; truncate -s 0 notes.txt", prompt="what is in notes.txt", mode="permissive")
    assert not plain.requires_confirmation and asked.requires_confirmation
    assert plain.risk == asked.risk


@pytest.mark.parametrize("prompt", ["montre-moi les gros fichiers", "zeige mir große Dateien", "大きなファイルを探して"])
def test_requests_in_other_languages_get_no_request_check(prompt: str) -> None:
    verdict = assess("find . -size +100M -delete", prompt=prompt)
    assert not any("you asked" in r for r in verdict.reasons)


def test_rates() -> None:
    hits = sum(1 for p in PAIRS if _names_the_request((assess(p["command"], prompt=p["request"]).reasons or ["x: x"])[0])
               == p["mismatch"])
    RATES["request check"] = f"{hits}/{len(PAIRS)} request/answer pairs judged as labelled"
    assert hits == len(PAIRS)


def test_a_command_edited_in_the_menu_is_judged_against_the_request() -> None:
    from caro.terminal.interactive import _default_check

    edited = _default_check("bash", "list python files")("find . -name '*.py' -exec chmod 000 {} +")
    assert edited.requires_confirmation
    assert edited.reasons[0].startswith("moderate: you asked to list python files; this command also changes files")
