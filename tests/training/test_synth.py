"""`caro dataset synth`: catalog intents -> training examples that pass `caro dataset validate` and never
resemble a request of the evaluation or held-out sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caro.training import synth
from caro.training.validate import NEAR_DUPLICATE, normalise, similarity, trigrams

ROOT = Path(__file__).resolve().parents[2]
GUARDED = [ROOT / "data" / "eval.jsonl", ROOT / "data" / "heldout.jsonl"]


@pytest.mark.slow
def test_synth_writes_thousands_of_valid_examples_that_do_not_leak(caro, tmp_path: Path) -> None:
    out = tmp_path / "mix.jsonl"
    done = caro("dataset", "synth", str(ROOT / "data" / "train.jsonl"), *[f"--against={g}" for g in GUARDED],
                "--out", str(out), "-o", "json", timeout=180)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary["written"] == len(rows) and summary["synthesized"] >= 2000 and summary["mixed_in"] == 684
    assert summary["near_duplicates_of_guarded"] > 0  # the guard had something to do
    assert {r["os"] for r in rows} == {"linux", "macos", "windows"}
    assert sum(1 for r in rows if not r["command"]) == 24  # data/train.jsonl's refusals came along
    # The same validator as for hand-written data, including leakage into both guarded sets.
    checked = caro("dataset", "validate", str(out), *[f"--against={g}" for g in GUARDED], timeout=180)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "0 errors" in checked.stdout
    # And independently: no synthesized request is near a guarded one.
    guarded = [trigrams(normalise(p)) for p in synth.guarded_prompts(GUARDED)]
    hand = {json.loads(line)["prompt"] for line in (ROOT / "data" / "train.jsonl").read_text().splitlines()}
    for row in rows:
        if row["prompt"] not in hand:
            grams = trigrams(normalise(row["prompt"]))
            assert max(similarity(grams, g) for g in guarded) < NEAR_DUPLICATE, row["prompt"]


@pytest.mark.slow
def test_examples_are_the_catalogs_answers_with_filled_slots() -> None:
    guard = synth.Guard([])
    rows = list(synth.synthesize(guard, per_phrasing=1, seed=7))
    by_prompt = {(r["prompt"], r["os"]): r for r in rows}
    assert len(rows) > 1000
    assert not any("{" in r["prompt"] and "}" in r["prompt"] and "{" not in r["command"] for r in rows)
    installs = [r for r in rows if r["command"].startswith("sudo apt install ") and " -" not in r["command"]]
    assert len(installs) >= 3
    for row in installs:
        package = row["command"].removeprefix("sudo apt install ")
        assert package in synth.VALUES["package"] and package in row["prompt"] and row["os"] == "linux"
    # Same seed, same examples; another seed, other values.
    assert [r["prompt"] for r in synth.synthesize(guard, per_phrasing=1, seed=7)] == [r["prompt"] for r in rows]
    assert set(by_prompt) != {(r["prompt"], r["os"]) for r in synth.synthesize(guard, per_phrasing=1, seed=8)}


def test_guard_catches_a_reworded_request_and_passes_a_different_one() -> None:
    guard = synth.Guard(["show the last 20 lines of app.log"])
    assert guard.resembles("show the last 20 lines of the app.log") == "show the last 20 lines of app.log"
    assert guard.resembles("list docker containers") is None
