"""The LM Studio backend against the protocol-faithful stand-in (tests/backends/fake_lmstudio.py).
Each test names the LM Studio behaviour it relies on."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from caro.backends.lmstudio import LMStudioBackend
from caro.config import Settings
from caro.errors import BackendResponseError, BackendTimeout, BackendUnavailable
from caro.parsing import parse
from tests.backends.conftest import request
from tests.backends.fake_lmstudio import FakeLMStudio

MakeSettings = Callable[..., Settings]


def backend(make_settings: MakeSettings, url: str, **values: Any) -> LMStudioBackend:
    return LMStudioBackend(make_settings(lmstudio__url=url, **values))


# --- availability ------------------------------------------------------------------------------------


def test_up_with_loaded_model(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    status = backend(make_settings, lmstudio.url).availability()
    assert status.ok
    assert status.model == "functiongemma-270m-it"
    assert status.detail["identity"] == "LM Studio"
    assert status.detail["models_from"] == "/api/v0/models"
    assert lmstudio.paths() == ["/lmstudio-greeting", "/api/v0/models"]


def test_server_down_says_lms_server_start(closed_port: int, make_settings: MakeSettings) -> None:
    status = backend(make_settings, f"http://localhost:{closed_port}/v1").availability()
    assert not status.ok
    assert f"127.0.0.1:{closed_port}" in status.reason
    assert "lms server start" in status.hint


def test_no_model_loaded_lists_downloaded_and_gives_lms_load(lmstudio: FakeLMStudio,
                                                              make_settings: MakeSettings) -> None:
    # /api/v0/models: state "not-loaded" for every model.
    lmstudio.models[0]["state"] = "not-loaded"
    status = backend(make_settings, lmstudio.url).availability()
    assert not status.ok
    assert status.reason == "no model loaded"
    assert "lms load functiongemma-270m-it" in status.hint


def test_configured_model_not_downloaded(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    status = backend(make_settings, lmstudio.url, lmstudio__model="qwen-9000").availability()
    assert not status.ok
    assert "qwen-9000" in status.reason
    assert "lms ls" in status.hint and "functiongemma-270m-it" in status.hint


def test_configured_model_not_loaded_is_jit(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    # JIT loading: a downloaded model is loaded by the first request naming it.
    lmstudio.models.append({"id": "caro-fg", "type": "llm", "state": "not-loaded"})
    lmstudio.models[0]["state"] = "not-loaded"
    lmstudio.load_delay = 0.3
    chosen = backend(make_settings, lmstudio.url, lmstudio__model="caro-fg")
    status = chosen.availability()
    assert status.ok and status.detail["jit"]
    assert "JIT" in status.reason
    lines: list[str] = []
    raw = chosen.generate(request(timeout=0.1, log=lines.append, stream=False))
    # The request got the load allowance on top of its 0.1 s timeout, so the 0.3 s load succeeded.
    assert parse(raw).command == "docker ps"
    assert any("will be loaded first" in line for line in lines)


def test_legacy_server_without_api_v0(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    # Before 0.3.6: no /api/v0 and no greeting; unknown routes answer 200 with an error text.
    lmstudio.legacy = True
    status = backend(make_settings, lmstudio.url).availability()
    assert status.ok
    assert status.detail["models_from"] == "/v1/models"
    assert "not identified" in status.detail["identity"]
    assert status.model == "functiongemma-270m-it"


def test_published_port_is_used_when_default_is_closed(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                                        closed_port: int, isolated_home: Path) -> None:
    # LM Studio publishes its live port in ~/.lmstudio/.internal/http-server.json.
    info = isolated_home / ".lmstudio" / ".internal" / "http-server.json"
    info.parent.mkdir(parents=True)
    info.write_text(json.dumps({"port": lmstudio.port}))
    chosen = backend(make_settings, f"http://localhost:{closed_port}/v1")
    status = chosen.availability()
    assert status.ok
    assert f"port {closed_port} is closed; using port {lmstudio.port}" in status.reason
    raw = chosen.generate(request(stream=False))
    assert parse(raw).command == "docker ps"
    assert lmstudio.paths()[-1] == "/v1/chat/completions"


def test_hung_server_probe_gives_up(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    # The check has a 450 ms budget (its timing is measured in benchmarks/, not asserted here): a server
    # that holds the greeting is given up on, said to be hung, and never asked for its model list.
    lmstudio.greeting_delay = 3
    status = backend(make_settings, lmstudio.url).availability()
    assert not status.ok
    assert status.detail["timed_out"] is True
    assert status.reason == f"{lmstudio.url} did not answer within 450 ms"
    assert "restart" in status.hint
    assert lmstudio.paths() == ["/lmstudio-greeting"]


# --- cache -------------------------------------------------------------------------------------------


def test_fresh_cache_sends_no_probe(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    settings = make_settings(lmstudio__url=lmstudio.url)
    first = LMStudioBackend(settings).availability()
    assert not first.cached
    probes = len(lmstudio.requests)
    second = LMStudioBackend(settings).availability()
    assert second.cached and second.ok and second.model == first.model
    assert len(lmstudio.requests) == probes
    assert (settings.cache_dir / "availability.json").is_file()


def test_failed_request_drops_the_cache_entry(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    settings = make_settings(lmstudio__url=lmstudio.url)
    LMStudioBackend(settings).availability()
    lmstudio.fault = "status500"
    with pytest.raises(BackendResponseError):
        LMStudioBackend(settings).generate(request(stream=False))
    assert not LMStudioBackend(settings).availability().cached


def test_refused_is_not_cached(closed_port: int, make_settings: MakeSettings) -> None:
    settings = make_settings(lmstudio__url=f"http://127.0.0.1:{closed_port}/v1")
    assert not LMStudioBackend(settings).availability().ok
    assert not LMStudioBackend(settings).availability().cached


# --- generation --------------------------------------------------------------------------------------


def test_chat_request_declares_the_tool_and_carries_context(lmstudio: FakeLMStudio,
                                                            make_settings: MakeSettings) -> None:
    raw = backend(make_settings, lmstudio.url).generate(request(stream=False))
    assert parse(raw).command == "docker ps"
    _, path, body = lmstudio.requests[-1]
    assert path == "/v1/chat/completions"
    assert body["tools"][0]["function"]["name"] == "run_shell_command"
    assert set(body["tools"][0]["function"]["parameters"]["properties"]) == {"command", "explanation"}
    assert "Linux" in body["messages"][0]["content"] and "bash" in body["messages"][0]["content"]
    assert body["messages"][1] == {"role": "user", "content": "list docker containers"}
    assert body["model"] == "functiongemma-270m-it"
    assert "<start_function_response>" in body["stop"]


@pytest.mark.parametrize("empty_names, one_chunk", [(False, False), (True, False), (False, True)])
def test_streamed_tool_call_fragments(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                      empty_names: bool, one_chunk: bool) -> None:
    # Fragments joined by index; `name: ""` continuations before 0.3.16; single-chunk arguments (#1868).
    lmstudio.empty_name_continuations = empty_names
    lmstudio.arguments_in_one_chunk = one_chunk
    lmstudio.tool_arguments = {"command": 'find . -name "*.txt" -exec rm {} \\;', "explanation": "Deletes."}
    shown: list[str] = []
    raw = backend(make_settings, lmstudio.url).generate(request(stream=True, on_text=shown.append))
    assert parse(raw).command == 'find . -name "*.txt" -exec rm {} \\;'
    assert raw.tool_calls[0].name == "run_shell_command"
    assert shown  # progress was reported while the answer streamed
    assert raw.info["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("stream", [True, False])
def test_functiongemma_tokens_in_content_with_empty_tool_calls(lmstudio: FakeLMStudio,
                                                               make_settings: MakeSettings, stream: bool) -> None:
    # LM Studio's parser missed the call: it arrives as text, next to "tool_calls": [] (#1318).
    lmstudio.tool_arguments = None
    lmstudio.content = ("<start_function_call>call:run_shell_command{command:<escape>docker ps -a<escape>,"
                        "explanation:<escape>All containers.<escape>}<end_function_call>")
    raw = backend(make_settings, lmstudio.url).generate(request(stream=stream))
    assert raw.tool_calls == []
    assert parse(raw).command == "docker ps -a"


@pytest.mark.parametrize("stream", [True, False])
def test_completions_api_renders_functiongemma_prompt(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                                      stream: bool) -> None:
    # /v1/completions applies no template, so caro renders it.
    lmstudio.tool_arguments = None
    lmstudio.content = "<start_function_call>call:run_shell_command{command:<escape>uptime<escape>"
    chosen = backend(make_settings, lmstudio.url, lmstudio__api="completions")
    assert parse(chosen.generate(request(stream=stream))).command == "uptime"
    _, path, body = lmstudio.requests[-1]
    assert path == "/v1/completions"
    assert body["prompt"].startswith("<start_of_turn>developer\n")
    assert "<start_function_declaration>declaration:run_shell_command" in body["prompt"]
    assert "GNU" in body["prompt"]
    assert body["stop"] == ["<end_of_turn>", "<start_function_response>"]


def test_model_override_is_sent(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    lmstudio.models.append({"id": "other", "type": "llm", "state": "loaded"})
    chosen = backend(make_settings, lmstudio.url)
    chosen.generate(request(stream=False, model="other"))
    assert lmstudio.requests[-1][2]["model"] == "other"


@pytest.mark.parametrize("style", ["400", "400-object", "404"])
def test_no_model_loaded_answer_maps_to_lms_load(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                                 style: str) -> None:
    # 400 {"error": "No models loaded…"} (string or object) or 404 plain text (0.3.5), JIT off.
    chosen = backend(make_settings, lmstudio.url)
    chosen.availability()
    lmstudio.models[0]["state"] = "not-loaded"  # unloaded between the check and the request
    lmstudio.no_model_style = style
    lmstudio.jit = False
    with pytest.raises(BackendUnavailable) as caught:
        chosen.generate(request(stream=False))
    assert caught.value.message == "no model loaded"
    assert "lms load" in caught.value.hint


@pytest.mark.parametrize("style", ["400", "404"])
def test_model_not_found_answer(lmstudio: FakeLMStudio, make_settings: MakeSettings, style: str) -> None:
    # {"error": {"code": "model_not_found", …}} as an object, 400 (recent) or 404 (0.3.5).
    lmstudio.models.append({"id": "second", "type": "llm", "state": "loaded"})
    lmstudio.not_found_style = style
    chosen = backend(make_settings, lmstudio.url)
    with pytest.raises(BackendUnavailable) as caught:
        chosen.generate(request(stream=False, model="no-such-model"))
    assert "no-such-model" in caught.value.message
    assert "lms ls" in caught.value.hint


def test_slow_answer_honours_timeout(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    lmstudio.delay = 3
    chosen = backend(make_settings, lmstudio.url)
    with pytest.raises(BackendTimeout) as caught:
        chosen.generate(request(stream=True, timeout=0.5))
    assert "0.5 s" in caught.value.message
    assert "--timeout" in caught.value.hint


@pytest.mark.parametrize("fault, message", [
    ("drop", "broke off"),
    ("non_json", "not JSON"),
    ("oversized", "oversized"),
    ("status500", "HTTP 500"),
    ("stream_error", "Model unloaded"),
])
def test_faults_become_clear_errors(lmstudio: FakeLMStudio, make_settings: MakeSettings, fault: str,
                                    message: str) -> None:
    lmstudio.fault = fault
    with pytest.raises(BackendResponseError) as caught:
        backend(make_settings, lmstudio.url).generate(request(stream=fault == "stream_error"))
    assert message in caught.value.message
    assert caught.value.hint


def test_json_body_for_a_streamed_request(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    # A server that ignores "stream": true and labels JSON as text/plain.
    lmstudio.fault = "wrong_content_type"
    raw = backend(make_settings, lmstudio.url).generate(request(stream=True))
    assert parse(raw).command == "docker ps"


def test_server_going_away_after_check(make_settings: MakeSettings) -> None:
    server = FakeLMStudio().start()
    chosen = backend(make_settings, server.url)
    assert chosen.availability().ok
    server.stop()
    with pytest.raises(BackendUnavailable) as caught:
        chosen.generate(request(stream=False))
    assert "lms server start" in caught.value.hint


def test_parallel_availability_checks_share_the_cache_file(lmstudio: FakeLMStudio,
                                                           make_settings: MakeSettings) -> None:
    settings = make_settings(lmstudio__url=lmstudio.url)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(LMStudioBackend(settings).availability().ok))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4
    assert json.loads((settings.cache_dir / "availability.json").read_text())


def test_cache_entries_expire(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    from caro.backends import availability_cache
    from caro.backends.base import Availability

    settings = make_settings(lmstudio__url=lmstudio.url)
    key = LMStudioBackend(settings).cache_key()
    availability_cache.put(settings.cache_dir, key, Availability(True, model="m"), now=1000.0)
    assert availability_cache.get(settings.cache_dir, key, now=1059.0) is not None
    assert availability_cache.get(settings.cache_dir, key, now=1061.0) is None
    availability_cache.put(settings.cache_dir, key, Availability(False, "hung"), now=1000.0)
    assert availability_cache.get(settings.cache_dir, key, now=1014.0) is not None
    assert availability_cache.get(settings.cache_dir, key, now=1016.0) is None


def test_corrupt_cache_file_is_ignored(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    settings = make_settings(lmstudio__url=lmstudio.url)
    settings.cache_dir.mkdir(parents=True)
    (settings.cache_dir / "availability.json").write_text("{not json")
    status = LMStudioBackend(settings).availability()
    assert status.ok and not status.cached
    assert LMStudioBackend(settings).availability().cached


def test_wrong_port_names_the_default_port(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                           closed_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand the stand-in on "the default port" (patched, so no test ever binds the real 1234).
    import caro.backends.lmstudio as module

    monkeypatch.setattr(module, "DEFAULT_PORT", lmstudio.port)
    status = backend(make_settings, f"http://localhost:{closed_port}/v1").availability()
    assert not status.ok
    assert f"default port {lmstudio.port}, not on {closed_port}" in status.hint


def test_openai_backend_names_the_tool_unless_told_not_to(
    lmstudio: FakeLMStudio, make_settings: Callable[..., Settings]
) -> None:
    from caro.backends.openai_compat import OpenAIBackend

    for setting, expected in ((True, {"type": "function", "function": {"name": "run_shell_command"}}),
                              (False, None)):
        lmstudio.requests.clear()
        backend = OpenAIBackend(make_settings(openai__url=lmstudio.url, openai__tool_choice=setting))
        assert backend.availability().ok
        backend.generate(request(stream=False))
        body = [body for method, path, body in lmstudio.requests if path.endswith("/chat/completions")][-1]
        assert body.get("tool_choice") == expected
        assert body["tools"][0]["function"]["name"] == "run_shell_command"
