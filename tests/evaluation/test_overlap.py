"""The evaluation set shares no near-duplicate prompts with the training sets or the catalog's phrasings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caro.evaluation.overlap import near_duplicates, prompts_in

ROOT = Path(__file__).resolve().parents[2]
EVAL_SET = ROOT / "data" / "eval.jsonl"
# Whatever of these exists is checked: training data, the catalog's held-out set, the catalog itself.
SOURCES = ["data/train.jsonl", "data/heldout.jsonl", "data/catalog-heldout.jsonl", "src/caro/data/catalog"]


def eval_prompts() -> list[str]:
    return [json.loads(line)["prompt"] for line in EVAL_SET.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("source", SOURCES)
def test_no_near_duplicates(source: str) -> None:
    path = ROOT / source
    if not path.exists():
        pytest.skip(f"{source} does not exist yet")
    others = prompts_in(path)
    assert others, f"found no prompts in {source}: has its format changed?"
    found = near_duplicates(eval_prompts(), others)
    assert not found, "\n".join(f"{m.prompt!r} ~ {m.other!r} ({m.how})" for m in found)


def test_detector_finds_near_duplicates() -> None:
    others = ["show files in {dir}", "count the lines in {file}", "list running docker containers"]
    assert [m.how for m in near_duplicates(["show files in src"], others)] == ["template"]
    assert near_duplicates(["List running Docker containers!"], others)[0].how.startswith("words")
    assert near_duplicates(["list the running docker containers"], others)
    assert not near_duplicates(["delete the build folder"], others)
    # A filled-in placeholder may be a few words, not a whole other request.
    assert not near_duplicates(["show files in the folder that holds my tax returns from last year"], others)


def test_prompts_are_read_from_each_format(tmp_path: Path) -> None:
    records = tmp_path / "train.jsonl"
    records.write_text(
        json.dumps({"prompt": "a one"}) + "\n"
        + json.dumps({"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "b two"}]}) + "\n"
        + json.dumps({"instruction": "c three"}) + "\n"
    )
    assert prompts_in(records) == ["a one", "b two", "c three"]
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "x.json").write_text(json.dumps({"intents": [{"say": ["d four", "e {five}"]}]}))
    (catalog / "_lexicon.json").write_text(json.dumps({"say": ["not a phrasing"]}))
    assert prompts_in(catalog) == ["d four", "e {five}"]
