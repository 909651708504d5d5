"""The Ollama backend on its native API, against the stand-in (tests/backends/fake_ollama.py), which
reproduces Ollama's documented answers. Each test names the Ollama behaviour it relies on. The /v1 mode
is tested against a real server in test_real_server.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from caro import prompting
from caro.backends.ollama import LOAD_ALLOWANCE, OllamaBackend
from caro.config import Settings
from caro.errors import BackendResponseError, BackendTimeout, BackendUnavailable, UsageError
from caro.parsing import parse
from tests.backends.conftest import request
from tests.backends.fake_ollama import FakeOllama
from tests.conftest import CaroRunner

MakeSettings = Callable[..., Settings]


def backend(make_settings: MakeSettings, url: str, **values: Any) -> OllamaBackend:
    return OllamaBackend(make_settings(ollama__url=url, **values))


# --- availability ------------------------------------------------------------------------------------


def test_up_reports_version_models_and_the_loaded_one(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    status = backend(make_settings, ollama.url).availability()
    assert status.ok
    assert status.model == "functiongemma:270m"  # in memory (/api/ps) and a FunctionGemma
    assert status.detail["identity"] == "Ollama" and status.detail["version"] == "0.12.3"
    assert status.detail["models"] == ["functiongemma:270m", "llama3.2:latest"]
    assert status.detail["loaded"] == ["functiongemma:270m"] and status.detail["in_memory"] is True
    assert ollama.paths() == ["/api/version", "/api/tags", "/api/ps"]


def test_a_loaded_model_answers_before_an_installed_functiongemma(ollama: FakeOllama,
                                                                  make_settings: MakeSettings) -> None:
    ollama.running = ["llama3.2:latest"]
    assert backend(make_settings, ollama.url).availability().model == "llama3.2:latest"


def test_with_nothing_in_memory_a_functiongemma_is_preferred_and_load_time_allowed(
        ollama: FakeOllama, make_settings: MakeSettings) -> None:
    # Ollama loads a model on the first request; the request timeout must allow for that.
    ollama.models = ["llama3.2:latest", "functiongemma:270m"]
    ollama.running = []
    ollama.load_delay = 0.4
    chosen = backend(make_settings, ollama.url)
    status = chosen.availability()
    assert status.model == "functiongemma:270m" and status.detail["in_memory"] is False
    lines: list[str] = []
    raw = chosen.generate(request(stream=False, timeout=0.2, log=lines.append))
    assert parse(raw).command == "docker ps"  # the 0.4 s load fitted in 0.2 s + the load allowance
    assert any(f"allowing {0.2 + LOAD_ALLOWANCE:g} s for loading" in line for line in lines)
    assert ollama.running == ["functiongemma:270m"]


@pytest.mark.parametrize("wanted, installed, match", [
    ("llama3.2", ["llama3.2:latest"], "llama3.2:latest"),  # no tag means :latest
    ("functiongemma", ["functiongemma:270m"], "functiongemma:270m"),  # a bare name takes any tag
    ("LLAMA3.2:latest", ["llama3.2:latest"], "llama3.2:latest"),  # names are not case-sensitive
    ("llama3.2:1b", ["llama3.2:latest"], None),  # an explicit tag must match
    ("llama3", ["llama3.2:latest"], None),  # a prefix is not a match
])
def test_configured_model_matching(ollama: FakeOllama, make_settings: MakeSettings, wanted: str,
                                   installed: list[str], match: str | None) -> None:
    ollama.models = installed
    status = backend(make_settings, ollama.url, ollama__model=wanted).availability()
    assert status.model == match
    if match is None:
        assert not status.ok
        assert status.reason == f"model '{wanted}' is not installed in Ollama"
        assert f"ollama pull {wanted}" in status.hint


def test_model_flag_overrides_the_config(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    chosen = backend(make_settings, ollama.url, ollama__model="functiongemma", model="llama3.2")
    assert chosen.availability().model == "llama3.2:latest"
    chosen.generate(request(stream=False))
    assert ollama.chats()[-1]["model"] == "llama3.2:latest"


def test_no_model_installed(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.models = []
    ollama.running = []
    status = backend(make_settings, ollama.url).availability()
    assert not status.ok
    assert status.reason == "no model installed in Ollama"
    assert "ollama pull functiongemma:270m" in status.hint


def test_an_ollama_without_api_ps_still_works(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    # Before /api/ps existed the route answers 404: nothing is known to be in memory.
    ollama.has_ps = False
    status = backend(make_settings, ollama.url).availability()
    assert status.ok and status.detail["loaded"] == [] and status.model == "functiongemma:270m"


def test_server_down_says_ollama_serve_and_is_not_cached(closed_port: int, make_settings: MakeSettings) -> None:
    settings = make_settings(ollama__url=f"http://127.0.0.1:{closed_port}")
    status = OllamaBackend(settings).availability()
    assert not status.ok
    assert f"127.0.0.1:{closed_port}" in status.reason and "refused" in status.reason
    assert "ollama serve" in status.hint
    assert not OllamaBackend(settings).availability().cached


def test_hung_server_gives_up_and_is_remembered_briefly(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.version_delay = 3
    settings = make_settings(ollama__url=ollama.url)
    status = OllamaBackend(settings).availability()
    assert not status.ok and status.detail["timed_out"]
    assert "did not answer within 450 ms" in status.reason and "restart" in status.hint
    # A timeout is cached (15 s) so the next run does not wait again.
    assert OllamaBackend(settings).availability().cached


def test_another_server_on_the_port(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.fault = "not_ollama"
    status = backend(make_settings, ollama.url).availability()
    assert not status.ok
    assert status.reason == "/api/version answered HTTP 404"
    assert f"Check that {ollama.url} is Ollama" in status.hint


def test_a_non_json_answer_is_named(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.fault = "non_json_version"
    status = backend(make_settings, ollama.url).availability()
    assert not status.ok
    assert status.reason.startswith("/api/version:")
    assert "is Ollama" in status.hint


def test_a_model_list_that_breaks_off(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.fault = "drop_tags"
    status = backend(make_settings, ollama.url).availability()
    assert not status.ok
    assert status.reason.startswith("the answer broke off")
    assert "ollama serve" in status.hint


def test_bad_url_is_refused_when_the_settings_are_read(make_settings: MakeSettings) -> None:
    with pytest.raises(UsageError, match="http:// or https://"):
        backend(make_settings, "ftp://nowhere")


def test_fresh_cache_sends_no_probe(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    settings = make_settings(ollama__url=ollama.url)
    assert not OllamaBackend(settings).availability().cached
    probes = len(ollama.requests)
    again = OllamaBackend(settings).availability()
    assert again.cached and again.model == "functiongemma:270m"
    assert len(ollama.requests) == probes


# --- generation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
def test_native_chat_with_the_tool(ollama: FakeOllama, make_settings: MakeSettings, stream: bool) -> None:
    raw = backend(make_settings, ollama.url).generate(request(stream=stream))
    assert raw.tool_calls[0].name == "run_shell_command"
    assert raw.tool_calls[0].arguments == {"command": "docker ps", "explanation": "Lists running containers."}
    assert parse(raw).command == "docker ps"
    assert raw.model == "functiongemma:270m"
    assert raw.info == {"endpoint": f"{ollama.url}/api/chat", "streamed": stream, "tools": True}
    body = ollama.chats()[-1]
    assert body["stream"] is stream
    assert body["model"] == "functiongemma:270m"
    assert body["tools"] == [prompting.TOOL]
    assert body["messages"][0]["role"] == "system" and "bash" in body["messages"][0]["content"]
    assert body["messages"][1] == {"role": "user", "content": "list docker containers"}
    assert body["options"] == {"temperature": prompting.TEMPERATURE, "num_predict": prompting.MAX_TOKENS,
                               "stop": list(prompting.STOP_SEQUENCES)}


def test_streamed_text_is_shown_as_it_arrives(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.tool_arguments = None
    ollama.content = '{"name": "run_shell_command", "arguments": {"command": "uptime"}}'
    shown: list[str] = []
    raw = backend(make_settings, ollama.url).generate(request(stream=True, on_text=shown.append))
    assert len(shown) > 1 and "".join(shown) == ollama.content  # JSON lines, one piece each
    assert raw.tool_calls == [] and parse(raw).command == "uptime"


def test_a_model_without_tools_is_asked_again_for_json_text(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    # 400 {"error": "<name> does not support tools"}: the model's template declares no tools.
    ollama.no_tools = {"functiongemma:270m"}
    ollama.tool_arguments = None
    ollama.content = '{"name": "run_shell_command", "arguments": {"command": "df -h"}}'
    lines: list[str] = []
    raw = backend(make_settings, ollama.url).generate(request(stream=True, log=lines.append))
    assert parse(raw).command == "df -h"
    first, second = ollama.chats()
    assert "tools" in first and "tools" not in second
    assert prompting.json_fallback_instructions() in second["messages"][0]["content"]
    assert prompting.json_fallback_instructions() not in first["messages"][0]["content"]
    assert raw.info["tools"] is False
    assert any("has no tool support; asking for JSON text" in line for line in lines)


def test_model_removed_after_the_check(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    # 404 {"error": "model 'x' not found"}
    chosen = backend(make_settings, ollama.url)
    assert chosen.availability().ok
    ollama.models = ["llama3.2:latest"]
    with pytest.raises(BackendUnavailable) as caught:
        chosen.generate(request(stream=True))
    assert caught.value.message == "model 'functiongemma:270m' is not installed in Ollama"
    assert "ollama pull functiongemma:270m" in caught.value.hint


@pytest.mark.parametrize("fault, stream, message", [
    ("status500", True, "HTTP 500: llama runner process has terminated: exit status 2"),
    ("stream_error", True, "an error was encountered while running the model"),
    ("non_json", False, "the answer is not JSON"),
    ("drop", False, "broke off"),
])
def test_faults_become_clear_errors(ollama: FakeOllama, make_settings: MakeSettings, fault: str, stream: bool,
                                    message: str) -> None:
    ollama.content = "a long answer that streams in pieces"
    ollama.fault = fault
    with pytest.raises(BackendResponseError) as caught:
        backend(make_settings, ollama.url).generate(request(stream=stream))
    assert message in caught.value.message
    assert caught.value.hint


def test_a_failed_request_drops_the_cache_entry(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    settings = make_settings(ollama__url=ollama.url)
    OllamaBackend(settings).availability()
    ollama.fault = "status500"
    cached = OllamaBackend(settings)
    assert cached.availability().cached
    with pytest.raises(BackendResponseError):
        cached.generate(request(stream=False))
    assert not OllamaBackend(settings).availability().cached


def test_slow_answer_honours_the_timeout(ollama: FakeOllama, make_settings: MakeSettings) -> None:
    ollama.delay = 3
    with pytest.raises(BackendTimeout) as caught:
        backend(make_settings, ollama.url).generate(request(stream=True, timeout=0.5))
    assert "0.5 s" in caught.value.message and "--timeout" in caught.value.hint


def test_generate_when_unavailable_raises_with_the_fix(closed_port: int, make_settings: MakeSettings) -> None:
    with pytest.raises(BackendUnavailable) as caught:
        backend(make_settings, f"http://127.0.0.1:{closed_port}").generate(request())
    assert "ollama serve" in caught.value.hint


def test_describe(make_settings: MakeSettings) -> None:
    assert backend(make_settings, "http://127.0.0.1:11434").describe()["api"] == "native /api/chat"
    assert backend(make_settings, "http://127.0.0.1:11434/v1").describe()["api"] == "OpenAI-compatible /v1"


# --- through the command line ------------------------------------------------------------------------


def test_cli_answers_through_ollama(caro: CaroRunner, ollama: FakeOllama, isolated_home: Any) -> None:
    config = isolated_home / "caro.toml"
    config.write_text(f'[ollama]\nurl = "{ollama.url}"\n')
    done = caro("-b", "ollama", "-o", "json", "--config", str(config), "list docker containers")
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert done.returncode == 0
    assert (data["command"], data["backend"], data["model"]) == ("docker ps", "ollama", "functiongemma:270m")
    assert ollama.paths() == ["/api/version", "/api/tags", "/api/ps", "/api/chat"]
