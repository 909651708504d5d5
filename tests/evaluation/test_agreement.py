"""The harness's verdicts agree with a careful human's (data/eval-agreement.jsonl, real sandbox, real safety
engine, no judge).

Each row holds a request, a candidate command, the references a dataset author would write, the fixture,
and the verdict of a person who read the request and the command: "right" when the command does what the
request asks (a difference in form the request does not rule out is fine), "wrong" otherwise. The labels
come from reading the request, not from running the harness. Run with `-s` to see every disagreement.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from caro import safety
from caro.evaluation.dataset import Case, parse_case
from caro.evaluation.sandbox import Sandbox
from caro.evaluation.scoring import Score, Scorer

AGREEMENT_SET = Path(__file__).resolve().parents[2] / "data" / "eval-agreement.jsonl"
KINDS = {"exact", "variant", "wrong", "failing", "destructive", "platform", "form"}
CASE_FIELDS = ("prompt", "references", "platform", "status", "fixture")


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in AGREEMENT_SET.read_text().splitlines() if line.strip()]


def as_case(row: dict[str, Any], number: int) -> Case:
    data = {key: row[key] for key in CASE_FIELDS if key in row}
    return parse_case({**data, "category": row["kind"]}, AGREEMENT_SET, number)


def judge_by_execution(scorer: Scorer, case: Case, candidate: str) -> Score:
    """What `caro eval` decides without a judge: the safety engine, then the scorer."""
    verdict = safety.assess(candidate, mode="moderate")
    return scorer.score(case, verdict.command or candidate, blocked=verdict.blocked, risk=verdict.risk)


def test_the_set_is_large_labelled_and_covers_every_kind() -> None:
    found = rows()
    assert len(found) >= 200
    kinds = Counter(row["kind"] for row in found)
    assert set(kinds) == KINDS
    assert all(count >= 8 for count in kinds.values()), kinds
    labels = Counter(row["human"] for row in found)
    assert set(labels) == {"right", "wrong"} and min(labels.values()) >= 60, labels
    for number, row in enumerate(found, 1):
        assert row["candidate"].strip() and row["why"].strip(), number
        as_case(row, number)  # a valid case, or UsageError naming the line


@pytest.mark.slow
def test_execution_alone_agrees_with_the_human(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    scorer = Scorer(sandbox)
    disagreements = []
    by_kind: Counter[str] = Counter()
    found = rows()
    for number, row in enumerate(found, 1):
        score = judge_by_execution(scorer, as_case(row, number), row["candidate"])
        if score.correct != (row["human"] == "right"):
            by_kind[row["kind"]] += 1
            disagreements.append(
                f"line {number} [{row['kind']}] {row['prompt']!r}: {row['candidate']!r} — human {row['human']} "
                f"({row['why']}); harness {'right' if score.correct else 'wrong'} by {score.method}"
                f"{': ' + score.note if score.note else ''}")
    agreement = 1 - len(disagreements) / len(found)
    report = [f"agreement with the human: {agreement:.1%} ({len(found) - len(disagreements)}/{len(found)}); "
              f"disagreements by kind: {dict(by_kind)}", *disagreements]
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert agreement >= 0.95, "\n".join(report)
