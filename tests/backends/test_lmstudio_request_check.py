"""A model answer that does more than the request asked, through the real command and the LM Studio stand-in:
`caro --backend lmstudio "find large files"` answered with `find … -delete` needs confirmation in the default
mode, and the first reason names the mismatch with the request — plain output and `-o json` alike."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner

MISMATCH = {"command": 'find . -name "*.txt" -delete', "explanation": "Finds the large text files."}
FIRST_REASON = "you asked to find large files; this command also deletes them"


def test_json_answer_that_deletes_for_a_find_request_needs_confirmation(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                                        tmp_path: Path) -> None:
    lmstudio.tool_arguments = MISMATCH
    done = caro("--backend", "lmstudio", "-o", "json", "find large files", env={"CARO_LMSTUDIO_URL": lmstudio.url},
                cwd=tmp_path)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["backend"] == "lmstudio" and data["command"] == MISMATCH["command"]
    assert data["requires_confirmation"] is True and data["blocked"] is False
    assert FIRST_REASON in data["warnings"][0]  # JSON lists the safety reasons first, under "warnings"


def test_plain_answer_names_the_mismatch_first_and_nothing_runs_without_a_yes(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                                              tmp_path: Path) -> None:
    lmstudio.tool_arguments = MISMATCH
    keep = tmp_path / "notes.txt"
    keep.write_text("keep me\n")
    done = caro("--backend", "lmstudio", "-x", "find large files", env={"CARO_LMSTUDIO_URL": lmstudio.url},
                cwd=tmp_path)
    assert "Traceback" not in done.stderr
    output = done.stdout + done.stderr
    assert FIRST_REASON in output
    assert output.index(FIRST_REASON) < output.index("deletes files it finds")  # the request check comes first
    assert done.returncode != 0  # no terminal to ask: -x without -y declines
    assert keep.read_text() == "keep me\n"  # and the file the answer would have deleted is still there


def test_an_answer_that_matches_the_request_is_not_flagged(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    lmstudio.tool_arguments = {"command": "find . -type f -size +100M", "explanation": "Finds large files."}
    done = caro("--backend", "lmstudio", "-o", "json", "find large files", env={"CARO_LMSTUDIO_URL": lmstudio.url})
    data = json.loads(done.stdout)
    assert data["requires_confirmation"] is False
    assert not any("you asked" in r for r in data["warnings"])
