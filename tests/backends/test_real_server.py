"""Against a real OpenAI-compatible server: llama-cpp-python's server with SmolLM2-135M (a real GGUF) on
a free loopback port. SmolLM2 is poor at shell commands, so these tests check plumbing — requests,
streaming, tool calls, timeouts — not the quality of its answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from caro.backends.lmstudio import LMStudioBackend
from caro.backends.ollama import OllamaBackend
from caro.backends.openai_compat import Client, OpenAIBackend, completion_payload
from caro.config import Settings
from caro.errors import BackendTimeout
from caro.parsing import parse
from tests.backends.conftest import request
from tests.conftest import CaroRunner
from tests.helpers import free_port
from tests.llama_server import serve, server_env, smollm2_model

pytestmark = pytest.mark.slow
MakeSettings = Callable[..., Settings]


def test_availability_lists_the_served_model(llama_server: str, make_settings: MakeSettings) -> None:
    status = OpenAIBackend(make_settings(openai__url=llama_server)).availability()
    assert status.ok
    assert status.model == "smollm2"
    assert status.detail["models"] == ["smollm2"]


@pytest.mark.parametrize("stream", [False, True])
def test_named_tool_choice_yields_a_real_tool_call(llama_server: str, make_settings: MakeSettings,
                                                   stream: bool) -> None:
    backend = OpenAIBackend(make_settings(openai__url=llama_server))
    shown: list[str] = []
    raw = backend.generate(request(stream=stream, timeout=120, on_text=shown.append))
    assert raw.tool_calls, raw
    assert raw.tool_calls[0].name == "run_shell_command"
    suggestion = parse(raw)  # the arguments are JSON forced by the server's grammar
    assert suggestion.command.strip()
    if stream:
        assert shown


@pytest.mark.parametrize("stream", [False, True])
def test_raw_completion(llama_server: str, stream: bool) -> None:
    client = Client(llama_server, label="llama.cpp")
    shown: list[str] = []
    req = request(stream=stream, timeout=120, on_text=shown.append)
    payload = completion_payload(req, "smollm2", stream=stream)
    payload["max_tokens"] = 8
    raw = client.post("/completions", payload, req, timeout=120)
    assert raw.text
    assert raw.info["finish_reason"] in ("length", "stop")
    if stream:
        assert "".join(shown) == raw.text


def test_generation_timeout(llama_server: str, make_settings: MakeSettings) -> None:
    backend = OpenAIBackend(make_settings(openai__url=llama_server))
    with pytest.raises(BackendTimeout) as caught:
        backend.generate(request(stream=True, timeout=0.05))
    assert "0.05 s" in caught.value.message
    wait_until_idle(llama_server)


def wait_until_idle(url: str) -> None:
    """The server finishes the abandoned generation before it answers anything else."""
    import time

    from caro import http

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if http.request("GET", url + "/models", read_timeout=5, deadline=5).status == 200:
                return
        except http.HTTPError:
            time.sleep(0.2)


def test_ollama_openai_mode_against_a_v1_server(llama_server: str, make_settings: MakeSettings) -> None:
    backend = OllamaBackend(make_settings(ollama__url=llama_server))
    status = backend.availability()
    assert status.ok and status.model == "smollm2"
    raw = backend.generate(request(stream=False, timeout=120))
    assert raw.model and (raw.text or raw.tool_calls)


def test_lmstudio_backend_on_a_server_that_is_not_lm_studio(llama_server: str, make_settings: MakeSettings) -> None:
    backend = LMStudioBackend(make_settings(lmstudio__url=llama_server))
    status = backend.availability()
    assert status.ok
    assert "not identified" in status.detail["identity"]  # /lmstudio-greeting answers 404 here
    assert status.detail["models_from"] == "/v1/models"
    raw = backend.generate(request(stream=True, timeout=120))
    assert raw.info["endpoint"].endswith("/v1/chat/completions")


def test_cli_with_the_openai_backend(caro: CaroRunner, llama_server: str) -> None:
    import json

    done = caro("--backend", "openai", "--url", llama_server, "-o", "json", "--timeout", "120",
                "list docker containers", timeout=180)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    # SmolLM2's command may be poor or blocked, but it came from the real server through the tool call.
    assert data["backend"] == "openai", data
    assert data["model"] == "smollm2"
    assert data["command"]


def test_bearer_token_against_a_server_that_requires_one(make_settings: MakeSettings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # llama.cpp's server started with --api_key answers 401 {"detail": "Invalid API key"} without it.
    with serve(smollm2_model(), free_port(), alias="smollm2", env=server_env(),
               extra=("--api_key", "s3cret")) as url:
        refused = OpenAIBackend(make_settings(openai__url=url)).availability()
        assert not refused.ok
        assert "HTTP 401" in refused.reason and "Invalid API key" in refused.reason
        assert "API key" in refused.hint
        monkeypatch.setenv("OPENAI_API_KEY", "s3cret")
        status = OpenAIBackend(make_settings(openai__url=url)).availability()
        assert status.ok and status.model == "smollm2"
