"""The judge: a second opinion from a real backend, recorded next to the execution verdict.

LM Studio cannot run here; its documented wire behaviour is reproduced by tests/backends/fake_lmstudio.py,
which lets a test choose what the "model" answers. The real llama.cpp server (SmolLM2-135M) shows that a
small model's answer, whatever it is, is recorded without breaking the evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caro.evaluation.judge import read_verdict
from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner

# The catalog answers `ls -la` here; the reference `ls` prints less, so the outputs differ.
CASES = [
    {"prompt": "list files", "references": ["ls"], "category": "listing",
     "fixture": {"files": {"a.txt": "a\n", "b.txt": "b\n"}}},
    {"prompt": "find python files", "references": ["find . -name '*.py'"], "category": "find",
     "fixture": {"files": {"src/m.py": "x\n"}}},
]


@pytest.mark.parametrize(("answer", "verdict", "reason"), [
    ("echo 'yes: both list the files'", "right", "both list the files"),
    ('echo "no - it also deletes them"', "wrong", "it also deletes them"),
    ("YES, same output", "right", "same output"),
    ("no", "wrong", "(no reason given)"),
    ('{"verdict": "yes", "reason": "same files"}', "right", "same files"),
    ("Verdict: no: the request wants sizes", "wrong", "the request wants sizes"),
])
def test_verdicts_are_read(answer: str, verdict: str, reason: str) -> None:
    found = read_verdict(answer)
    assert (found.verdict, found.reason) == (verdict, reason)


@pytest.mark.parametrize("answer", ["ls -la", "docker ps", "", "maybe", "yesterday it worked", "I think yes",
                                    "echo hello", "{\"command\": \"rm -rf /\"}", "\x00\xff garbage",
                                    # SmolLM2-135M's answers as a judge: the template repeated back
                                    "echo 'yes: REASON' if the command to judge does what the request asks",
                                    "yes: REASON' | base64"])
def test_nonsense_is_no_verdict(answer: str) -> None:
    found = read_verdict(answer)
    assert found.verdict is None
    assert found.reason.startswith(("the judge gave no verdict", "the judge repeated the answer template"))


def _eval(caro: CaroRunner, tmp_path: Path, *args: str) -> dict[str, Any]:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps(c) + "\n" for c in CASES))
    out = tmp_path / "r.json"
    done = caro("eval", str(dataset), "-b", "builtin", "--json", str(out), *args, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    doc: dict[str, Any] = json.loads(out.read_text())
    doc["_stdout"] = done.stdout
    return doc


def test_without_a_judge_the_report_says_what_output_alone_decided(caro: CaroRunner, tmp_path: Path) -> None:
    doc = _eval(caro, tmp_path)
    summary = doc["summary"]
    assert summary["judge"] is None
    assert summary["decided_by_output"] == sum(1 for c in doc["cases"] if c["method"] == "functional") >= 1
    assert f"decided by output alone (builtin): {summary['decided_by_output']} of 2" in doc["_stdout"]
    assert all(c["judge"] is None for c in doc["cases"])


def test_judge_verdict_is_recorded_next_to_the_execution_verdict(
        caro: CaroRunner, tmp_path: Path, lmstudio: FakeLMStudio) -> None:
    lmstudio.tool_arguments = {"command": "echo 'yes: ls -la lists the same files, with details'"}
    doc = _eval(caro, tmp_path, "--url", lmstudio.url, "--judge", "lmstudio")
    listing = doc["cases"][0]
    assert (listing["command"], listing["correct"], listing["method"]) == ("ls -la", False, "functional")
    assert listing["judge"] == {"verdict": "right", "reason": "ls -la lists the same files, with details"}
    assert doc["cases"][1]["correct"] and doc["cases"][1]["judge"] is None  # right by execution: not asked
    judge = doc["summary"]["judge"]
    assert judge == {"backend": "lmstudio", "asked": 1, "right": 1, "wrong": 0, "no_verdict": 0,
                     "accuracy_with_judge": 1.0}
    assert doc["summary"]["accuracy"] == 0.5  # the execution verdict is unchanged
    assert "judge lmstudio (builtin): asked 1, says right 1" in doc["_stdout"]
    # The judge was given the request, both commands and both outputs.
    asked = [body for method, path, body in lmstudio.requests if method == "POST"][-1]
    text = json.dumps(asked["messages"])
    for part in ("list files", "ls -la", "a.txt", "Command to judge", "A correct command: ls"):
        assert part in text


@pytest.mark.parametrize("answer", [{"tool_arguments": {"command": "docker ps"}},
                                    {"tool_arguments": None, "content": "bananas are yellow"},
                                    {"tool_arguments": None, "content": ""}])
def test_a_judge_that_answers_nonsense_gives_no_verdict(
        caro: CaroRunner, tmp_path: Path, lmstudio: FakeLMStudio, answer: dict[str, Any]) -> None:
    for name, value in answer.items():
        setattr(lmstudio, name, value)
    doc = _eval(caro, tmp_path, "--url", lmstudio.url, "--judge", "lmstudio")
    assert doc["cases"][0]["judge"]["verdict"] is None
    assert doc["summary"]["judge"]["no_verdict"] == 1
    assert doc["summary"]["judge"]["accuracy_with_judge"] == doc["summary"]["accuracy"]


def test_a_judge_that_fails_gives_no_verdict(caro: CaroRunner, tmp_path: Path,
                                             lmstudio: FakeLMStudio) -> None:
    lmstudio.fault = "status500"
    doc = _eval(caro, tmp_path, "--url", lmstudio.url, "--judge", "lmstudio")
    opinion = doc["cases"][0]["judge"]
    assert opinion["verdict"] is None and opinion["reason"].startswith("the judge failed")


def test_unknown_judge_is_a_usage_error(caro: CaroRunner, tmp_path: Path) -> None:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps(CASES[0]) + "\n")
    done = caro("eval", str(dataset), "-b", "builtin", "--judge", "oracle")
    assert done.returncode == 2
    assert "--judge: unknown backend 'oracle'" in done.stderr


@pytest.mark.slow
def test_real_model_server_as_judge(caro: CaroRunner, tmp_path: Path, llama_server: str) -> None:
    """SmolLM2-135M behind llama.cpp's server judges; whatever it says is recorded, nothing crashes."""
    config = tmp_path / "config.toml"
    config.write_text(f'[openai]\nurl = "{llama_server}"\n')
    doc = _eval(caro, tmp_path, "--config", str(config), "--judge", "openai:smollm2")
    opinion = doc["cases"][0]["judge"]
    assert opinion["verdict"] in ("right", "wrong", None)
    assert opinion["reason"]
    judge = doc["summary"]["judge"]
    assert judge["asked"] == 1 and judge["right"] + judge["wrong"] + judge["no_verdict"] == 1
