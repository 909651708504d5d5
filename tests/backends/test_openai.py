"""The generic `openai` backend: the bearer token it sends, and the retry without tools when a server
refuses them. Against the stand-ins here; tests/backends/test_real_server.py runs the same backend
against llama.cpp's real server, including one that requires a key."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from caro import prompting
from caro.backends.openai_compat import OpenAIBackend
from caro.config import Settings
from caro.errors import BackendResponseError
from caro.parsing import parse
from tests.backends.conftest import request
from tests.backends.fake_lmstudio import FakeLMStudio
from tests.backends.fake_server import FakeServer, Handler
from tests.backends.fake_vllm import AUTO_TOOL_CHOICE, FakeVLLM

MakeSettings = Callable[..., Settings]


@pytest.fixture
def vllm() -> Iterator[FakeVLLM]:
    server = FakeVLLM().start()
    yield server
    server.stop()


def test_the_bearer_token_comes_from_the_named_variable(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVER_TOKEN", "s3cret-token")
    chosen = OpenAIBackend(make_settings(openai__url=lmstudio.url, openai__api_key_env="MY_SERVER_TOKEN"))
    assert chosen.availability().ok
    chosen.generate(request(stream=False))
    assert lmstudio.paths() == ["/v1/models", "/v1/chat/completions"]
    assert [h.get("authorization") for h in lmstudio.headers] == ["Bearer s3cret-token"] * 2
    assert chosen.describe()["api_key_set"] is True


def test_the_default_variable_is_openai_api_key(lmstudio: FakeLMStudio, make_settings: MakeSettings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    OpenAIBackend(make_settings(openai__url=lmstudio.url)).generate(request(stream=True))
    assert lmstudio.headers[-1]["authorization"] == "Bearer sk-test"


def test_no_token_no_header(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    chosen = OpenAIBackend(make_settings(openai__url=lmstudio.url))
    assert chosen.availability().ok
    chosen.generate(request(stream=False))
    assert all("authorization" not in h for h in lmstudio.headers)
    assert chosen.describe()["api_key_set"] is False


@pytest.mark.parametrize("stream", [True, False])
def test_a_server_that_refuses_tools_is_asked_for_json_text(vllm: FakeVLLM, make_settings: MakeSettings,
                                                           stream: bool) -> None:
    vllm.tool_arguments = None
    vllm.content = '{"name": "run_shell_command", "arguments": {"command": "uname -a"}}'
    lines: list[str] = []
    chosen = OpenAIBackend(make_settings(openai__url=vllm.url, openai__tool_choice=False))
    raw = chosen.generate(request(stream=stream, log=lines.append))
    assert parse(raw).command == "uname -a"
    first, second = [body for _, path, body in vllm.requests if path == "/v1/chat/completions"]
    assert first["tools"] and "tools" not in second
    assert prompting.json_fallback_instructions() in second["messages"][0]["content"]
    assert any(AUTO_TOOL_CHOICE in line and "asking for JSON text" in line for line in lines)


def test_a_named_tool_choice_is_not_refused(vllm: FakeVLLM, make_settings: MakeSettings) -> None:
    raw = OpenAIBackend(make_settings(openai__url=vllm.url)).generate(request(stream=False))
    assert parse(raw).command == "docker ps"
    assert len([p for p in vllm.paths() if p == "/v1/chat/completions"]) == 1


def test_other_errors_are_not_retried(lmstudio: FakeLMStudio, make_settings: MakeSettings) -> None:
    lmstudio.fault = "status500"
    with pytest.raises(BackendResponseError) as caught:
        OpenAIBackend(make_settings(openai__url=lmstudio.url)).generate(request(stream=False))
    assert "HTTP 500" in caught.value.message
    assert lmstudio.paths().count("/v1/chat/completions") == 1


def test_no_url_configured(make_settings: MakeSettings) -> None:
    status = OpenAIBackend(make_settings()).availability()
    assert not status.ok and status.reason == "no URL configured" and "[openai] url" in status.hint


class NotAModelServer(FakeServer):
    """A web server on the port: /v1/models answers 200 with a page, or with JSON that lists nothing."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def get(self, handler: Handler, path: str) -> None:
        handler.send(200, "text/html" if self.body.startswith(b"<") else "application/json", self.body)


@pytest.mark.parametrize("body, reason", [
    (b"<html>It works!</html>", "the model list is not JSON"),
    (b'{"status": "ok"}', "/models answered without a model list"),
])
def test_the_one_model_list_reader_explains_a_wrong_server(make_settings: MakeSettings, body: bytes,
                                                          reason: str) -> None:
    from caro.backends.lmstudio import LMStudioBackend

    server = NotAModelServer(body).start()
    try:
        # The generic backend and LM Studio's fallback for servers without /api/v0 share one reader.
        for chosen in (OpenAIBackend(make_settings(openai__url=server.url)),
                       LMStudioBackend(make_settings(lmstudio__url=server.url))):
            status = chosen.availability()
            assert not status.ok
            assert status.reason.startswith(reason)
            assert f"Check that {server.url} is the right URL" in status.hint
    finally:
        server.stop()
