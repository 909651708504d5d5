"""The builtin backend: its protocol, its decline, and the real CLI on a machine with no server."""

from __future__ import annotations

import json

import pytest

from caro import config
from caro.backends import create
from caro.backends.base import TOOL_NAME, Backend, GenerationRequest
from caro.backends.builtin import DECLINE_HINT, DECLINE_MESSAGE
from caro.context import Context
from caro.errors import EXIT_NO_BACKEND, Declined
from caro.parsing import parse
from tests.conftest import CaroRunner


def _backend() -> Backend:
    return create("builtin", config.load())


def test_it_is_always_available_and_says_what_it_is() -> None:
    backend = _backend()
    assert backend.name == "builtin"
    assert backend.availability().ok
    assert backend.describe()["intents"] >= 250


def test_an_answer_is_a_tool_call_the_parser_reads() -> None:
    raw = _backend().generate(GenerationRequest("list docker containers", Context("linux", "bash", "/")))
    assert raw.model == "catalog"
    assert raw.tool_calls[0].name == TOOL_NAME
    suggestion = parse(raw)
    assert suggestion.command == "docker ps"
    assert suggestion.explanation


def test_an_unknown_request_declines_with_the_next_step() -> None:
    with pytest.raises(Declined) as caught:
        _backend().generate(GenerationRequest("fix it", Context("linux", "bash", "/")))
    assert caught.value.message == DECLINE_MESSAGE
    assert caught.value.hint == DECLINE_HINT
    assert caught.value.exit_code == EXIT_NO_BACKEND


def test_cli_answers_from_the_catalog(caro: CaroRunner) -> None:
    done = caro("--backend", "builtin", "-o", "json", "list docker containers")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["command"] == "docker ps"
    assert result["backend"] == "builtin"
    assert result["risk"] == "safe"


def test_cli_reports_no_backend_when_the_catalog_declines(caro: CaroRunner) -> None:
    done = caro("--backend", "builtin", "-o", "json", "fix it")
    assert done.returncode == EXIT_NO_BACKEND
    error = json.loads(done.stdout)["error"]
    assert "built-in catalog" in error["message"]
    assert "lms server start" in error["hint"]
    assert "Traceback" not in done.stderr
