"""The evaluation set's format, its checks, and the shipped set itself."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from caro.errors import UsageError
from caro.evaluation.dataset import load
from caro.evaluation.sandbox import Sandbox
from caro.evaluation.scoring import Scorer

EVAL_SET = Path(__file__).resolve().parents[2] / "data" / "eval.jsonl"
# Categories whose references need the network, a git repository or macOS: scored by string metrics.
NOT_RUNNABLE = {"network", "git", "macos", "system"}


def test_loads_all_fields(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("# a comment\n\n" + json.dumps({
        "prompt": " count lines ", "references": ["wc -l f"], "category": "text", "platform": "linux",
        "fixture": {"files": {"f": "a\n", "empty/": ""}}}) + "\n" + json.dumps({"prompt": "p", "references": ["ls"]}) + "\n")
    first, second = load(path)
    assert (first.prompt, first.references, first.category, first.platform) == ("count lines", ("wc -l f",), "text", "linux")
    assert first.files == {"f": "a\n", "empty/": ""}
    assert first.line == 3
    assert (second.category, second.platform, second.files) == ("general", "any", {})


@pytest.mark.parametrize(("line", "problem"), [
    ("not json", "invalid JSON"),
    ('{"prompt": "x"}', "'references'"),
    ('{"prompt": "", "references": ["ls"]}', "'prompt'"),
    ('{"prompt": "x", "references": ["ls"], "platform": "windows"}', "'platform'"),
    ('{"prompt": "x", "references": ["ls"], "fixture": {"files": {"../up": "x"}}}', "stay inside"),
    ('{"prompt": "x", "references": ["ls"], "colour": "red"}', "unknown field"),
])
def test_bad_lines_are_named(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"prompt": "ok", "references": ["ls"]}) + "\n" + line + "\n")
    with pytest.raises(UsageError) as caught:
        load(path)
    assert f"{path}:2:" in caught.value.message
    assert problem in caught.value.message


def test_shipped_set_is_large_and_varied() -> None:
    cases = load(EVAL_SET)
    assert len(cases) >= 200
    keys = Counter((c.prompt.lower(), c.platform) for c in cases)
    assert max(keys.values()) == 1
    categories = Counter(c.category for c in cases)
    assert len(categories) >= 8 and min(categories.values()) >= 5
    assert sum(1 for c in cases if c.files) >= 150  # most cases come with a file tree to act on


@pytest.mark.slow
def test_shipped_references_work_in_the_sandbox(sandbox: Sandbox) -> None:
    """Every runnable case has at least one reference that runs, does something, and is repeatable."""
    scorer = Scorer(sandbox)
    broken = []
    for case in load(EVAL_SET):
        if case.category in NOT_RUNNABLE or case.platform == "macos":
            continue
        runs = [scorer.reference_run(case, ref) for ref in case.references]
        if not any(run.usable for run in runs):
            broken.append(f"{case.prompt!r}: " + "; ".join(run.why for run in runs))
    assert not broken, "\n".join(broken)
