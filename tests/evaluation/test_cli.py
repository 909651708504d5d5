"""`caro eval` end to end: the real CLI in a subprocess, the built-in catalog and a real model server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from caro.evaluation.progress import ProgressBar
from tests.conftest import CaroRunner
from tests.helpers import free_port

CASES = [
    {"prompt": "list files", "references": ["ls -la"], "category": "listing",
     "fixture": {"files": {"a.txt": "a\n"}}},
    {"prompt": "find python files", "references": ["find . -name '*.py'"], "category": "find",
     "fixture": {"files": {"src/m.py": "x\n"}}},
    {"prompt": "frobnicate the quux with zorblax", "references": ["true"], "category": "other"},
]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in CASES))
    return path


def test_terminal_report(caro: CaroRunner, dataset: Path) -> None:
    done = caro("eval", str(dataset), "-b", "builtin")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "accuracy" in out and "2/3" in out  # two answered
    assert "listing" in out and "find" in out
    assert "frobnicate the quux" in out  # a worst miss
    assert "\r" not in done.stderr  # no progress bar drawn into a pipe


def test_json_output_on_stdout(caro: CaroRunner, dataset: Path) -> None:
    done = caro("eval", str(dataset), "-b", "builtin", "-o", "json", "--limit", "2")
    doc = json.loads(done.stdout)
    assert doc["summary"]["total"] == 2
    assert doc["config"]["backend"] == "builtin"
    assert [c["prompt"] for c in doc["cases"]] == ["list files", "find python files"]


def test_category_filter(caro: CaroRunner, dataset: Path) -> None:
    doc = json.loads(caro("eval", str(dataset), "-b", "builtin", "-o", "json", "--category", "find").stdout)
    assert [c["category"] for c in doc["cases"]] == ["find"]


def test_without_bubblewrap_nothing_runs_and_it_says_so(caro: CaroRunner, dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    done = caro("eval", str(dataset), "-b", "builtin", "--json", str(out), env={"PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "bubblewrap" in done.stderr and "nothing was executed" in done.stderr
    summary = json.loads(out.read_text())["summary"]
    assert summary["sandbox"]["available"] is False
    assert summary["functional_checked"] == 0
    assert "nothing was executed" in done.stdout  # the report carries the note too


def test_compare_two_configurations(caro: CaroRunner, dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    done = caro("eval", str(dataset), "-b", "builtin", "--compare", "builtin", "--json", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["compare"]["summary"]["total"] == doc["summary"]["total"] == 3
    assert doc["changes"] == {"fixed": [], "broken": []}  # the same catalog answers the same
    assert "builtin (builtin)" in done.stdout  # the second label names its --compare spec


@pytest.mark.parametrize(("args", "message"), [
    (["missing.jsonl"], "evaluation set not found"),
    (["SET", "--compare", "nosuch"], "unknown backend 'nosuch'"),
    (["SET", "--compare", "safety=reckless"], "safety must be one of"),
    (["SET", "--compare", "colour=red"], "not KEY=VALUE with a known key"),
    (["SET", "--time-limit", "0"], "--time-limit must be at least 0.1"),
    (["SET", "--json", "/nonexistent/dir/r.json"], "is not a writable folder"),
])
def test_usage_errors_are_explained(caro: CaroRunner, dataset: Path, args: list[str], message: str) -> None:
    done = caro("eval", *[str(dataset) if a == "SET" else a for a in args], "-b", "builtin")
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_unavailable_backend_fails_once_with_a_hint(caro: CaroRunner, dataset: Path) -> None:
    done = caro("eval", str(dataset), "-b", "lmstudio", "--url", f"http://127.0.0.1:{free_port()}/v1")
    assert done.returncode == 3
    assert "not available" in done.stderr
    assert "Traceback" not in done.stderr


def test_progress_bar_draws_on_a_terminal_only() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, "builtin", stream=stream, enabled=True)
    bar.update(1, True)
    bar.update(2, False)
    assert "\r" in stream.getvalue() and "2/4" in stream.getvalue() and "correct 1" in stream.getvalue()
    quiet = io.StringIO()
    ProgressBar(4, "builtin", stream=quiet).update(1, True)  # StringIO is not a terminal
    assert quiet.getvalue() == ""


@pytest.mark.slow
def test_against_a_real_model_server(caro: CaroRunner, dataset: Path, tmp_path: Path,
                                     llama_server: str) -> None:
    """A remote OpenAI-compatible server (llama.cpp serving SmolLM2-135M) goes through the same pipeline."""
    out = tmp_path / "r.json"
    done = caro("eval", str(dataset), "-b", "openai", "--url", llama_server, "-m", "smollm2",
                "--json", str(out), timeout=600)
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    summary = doc["summary"]
    assert summary["total"] == 3
    assert summary["answered"] + summary["unanswered"] == 3
    answered = [c for c in doc["cases"] if c["command"]]
    unanswered = [c for c in doc["cases"] if not c["command"]]
    assert all(c["backend"] == "openai" and c["timing_ms"]["generation"] > 0 for c in answered)
    assert all(c["method"] in ("exact", "normalized", "functional", "blocked") for c in answered)
    assert all(c["method"] == "unanswered" and c["error"] for c in unanswered)
    assert (summary["latency_ms"]["p50"] is None) == (not answered)
    assert all(c["timing_ms"]["total"] > 0 for c in answered)
