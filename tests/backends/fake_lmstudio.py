"""A protocol-faithful stand-in for LM Studio's server, for what only LM Studio does.

LM Studio is a desktop application that cannot run here. This server reproduces the documented wire
behaviour (LM Studio's REST and OpenAI-compatible API documentation; '#N' below is an issue in LM Studio's
public bug tracker, lmstudio-ai/lmstudio-bug-tracker) and nothing else. Each knob names the LM Studio
behaviour it stands for:

- `GET /lmstudio-greeting` -> `{"lmstudio": true}` (the identity probe);
- unknown routes answer **200** with an error text, as LM Studio does (bug-tracker #1879);
- `GET /api/v0/models` with `state: loaded | not-loaded` (0.3.6+); `legacy=True` makes a pre-0.3.6
  server: no greeting, no /api/v0 (both fall into the 200 unknown-route answer), only `/v1/models`;
- `GET /api/v1/models` (0.4.0+, `api_v1=True`) with `loaded_instances`;
- `GET /v1/models` lists loaded models, or every downloaded one when JIT is on;
- "no models loaded": `no_model_style="400"` -> 400 `{"error": "No models loaded. …"}` (string error,
  recent), `"400-object"` -> the same message inside an OpenAI-style error object, `"404"` -> 404 plain
  text (0.3.5);
- unknown model: 400 (`"400"`) or 404 (`"404"`, 0.3.5) with `{"error": {…, "code": "model_not_found"}}`;
- exactly one model loaded: the requested name is ignored and the loaded model answers (#619);
- JIT: a request naming a not-loaded model loads it (after `load_delay` s) when `jit=True`;
- chat answers: `tool_calls` (arguments as a JSON string), `content` with FunctionGemma tokens, and the
  `"tool_calls": []` LM Studio 0.3.35 always includes (#1318);
- streaming: SSE `data:` chunks, tool-call fragments by index, with `name: ""` on continuation chunks
  (before 0.3.16) when `empty_name_continuations=True`, or all arguments in one chunk (#1868);
- faults for the client's error paths: `delay` before answering (slow model / hung server), `drop`
  (connection closed mid-answer), `non_json` body, `wrong_content_type` (JSON body for a streamed
  request, labelled text/plain), `oversized` body, `stream_error` (0.3.18+ streams errors as
  `data: {"error": …}`).

Every request is recorded in `requests` (method, path, JSON body) and `headers` so tests can assert what
caro sent.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.backends.fake_server import FakeServer, Handler

NO_MODELS = "No models loaded. Please load a model in the developer page or use the `lms load` command."


class FakeLMStudio(FakeServer):
    def __init__(self, *, models: list[dict[str, Any]] | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.models: list[dict[str, Any]] = models if models is not None else [
            {"id": "functiongemma-270m-it", "type": "llm", "state": "loaded"},
            {"id": "text-embedding-nomic-embed-text-v1.5", "type": "embeddings", "state": "not-loaded"},
        ]
        self.legacy = False
        self.api_v1 = False  # 0.4.0+: native REST API /api/v1/models
        self.jit = True
        self.load_delay = 0.0
        self.no_model_style = "400"
        self.not_found_style = "400"
        # What the model "writes": content text and/or one tool call's arguments (a dict).
        self.content: str | None = None
        self.tool_arguments: dict[str, Any] | None = {"command": "docker ps", "explanation": "Lists running containers."}
        self.tool_name = "run_shell_command"
        self.empty_name_continuations = False
        self.arguments_in_one_chunk = False
        self.always_empty_tool_calls = True
        self.delay = 0.0  # seconds before answering generation requests
        self.greeting_delay = 0.0
        self.fault = ""  # "", "drop", "non_json", "wrong_content_type", "oversized", "stream_error", "status500"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- behaviour --------------------------------------------------------------------------------

    def loaded(self) -> list[str]:
        return [m["id"] for m in self.models if m["state"] == "loaded" and m["type"] != "embeddings"]

    def _answer_get(self, path: str) -> tuple[int, str, bytes]:
        if path == "/lmstudio-greeting" and not self.legacy:
            time.sleep(self.greeting_delay)
            return 200, "application/json", b'{"lmstudio":true}'
        if path == "/api/v0/models" and not self.legacy:
            return 200, "application/json", json.dumps({"object": "list", "data": [
                {"object": "model", "publisher": "lmstudio-community", "arch": "gemma3",
                 "compatibility_type": "gguf", "quantization": "Q8_0", "max_context_length": 32768, **m}
                for m in self.models]}).encode()
        if path == "/api/v1/models" and self.api_v1 and not self.legacy:
            return 200, "application/json", json.dumps({"models": [
                {"type": m["type"], "key": m["id"], "display_name": m["id"], "format": "gguf",
                 "loaded_instances": [{"id": m["id"]}] if m["state"] == "loaded" else []}
                for m in self.models]}).encode()
        if path == "/v1/models":
            listed = [m["id"] for m in self.models if m["type"] != "embeddings"] if self.jit else self.loaded()
            return 200, "application/json", json.dumps({"object": "list", "data": [
                {"id": i, "object": "model", "owned_by": "organization_owner"} for i in listed]}).encode()
        return self._unknown("GET", path)

    def _unknown(self, method: str, path: str) -> tuple[int, str, bytes]:
        # LM Studio: "Unexpected endpoint or method. (GET /x). Returning 200 anyway"
        return 200, "text/plain", f"Unexpected endpoint or method. ({method} {path}). Returning 200 anyway".encode()

    def _resolve_model(self, requested: str) -> tuple[str | None, tuple[int, str, bytes] | None]:
        loaded = self.loaded()
        if requested and len(loaded) == 1:
            return loaded[0], None  # #619: with one model loaded, the name is ignored
        if requested:
            match = next((m for m in self.models if m["id"] == requested), None)
            if match is None:
                body = {"error": {"message": f'Invalid model identifier "{requested}". Please specify a valid '
                                             "downloaded model (e.g., functiongemma-270m-it).",
                                  "type": "invalid_request_error", "param": "model", "code": "model_not_found"}}
                status = 404 if self.not_found_style == "404" else 400
                return None, (status, "application/json", json.dumps(body).encode())
            if match["state"] != "loaded":
                if not self.jit:
                    return None, self._no_models()
                time.sleep(self.load_delay)
                match["state"] = "loaded"
            return match["id"], None
        if not loaded:
            return None, self._no_models()
        return loaded[0], None

    def _no_models(self) -> tuple[int, str, bytes]:
        if self.no_model_style == "404":
            return 404, "text/plain", NO_MODELS.encode()
        if self.no_model_style == "400-object":
            return 400, "application/json", json.dumps({"error": {"message": NO_MODELS,
                                                                  "type": "invalid_request_error"}}).encode()
        return 400, "application/json", json.dumps({"error": NO_MODELS.replace("`", "'")}).encode()

    def _message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": self.content or ""}
        if self.tool_arguments is not None:
            message["tool_calls"] = [{"id": "365174485", "type": "function", "function": {
                "name": self.tool_name, "arguments": json.dumps(self.tool_arguments)}}]
        elif self.always_empty_tool_calls:
            message["tool_calls"] = []
        return message

    def _events(self, model: str, completion: bool) -> list[dict[str, Any]]:
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1730913210, "model": model}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            if completion:
                return {**base, "object": "text_completion",
                        "choices": [{"index": 0, "text": delta.get("content", ""), "finish_reason": finish}]}
            return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        events = [chunk({"role": "assistant", "content": ""})]
        text = self.content or ""
        for start in range(0, len(text), 7):
            events.append(chunk({"content": text[start : start + 7]}))
        if self.tool_arguments is not None and not completion:
            arguments = json.dumps(self.tool_arguments)
            events.append(chunk({"tool_calls": [{"index": 0, "id": "814890118", "type": "function",
                                                 "function": {"name": self.tool_name, "arguments": ""}}]}))
            pieces = [arguments] if self.arguments_in_one_chunk else [
                arguments[i : i + 5] for i in range(0, len(arguments), 5)]
            for piece in pieces:
                function: dict[str, Any] = {"arguments": piece}
                if self.empty_name_continuations:
                    function["name"] = ""
                events.append(chunk({"tool_calls": [{"index": 0, "function": function}]}))
            events.append(chunk({}, "tool_calls"))
        else:
            events.append(chunk({}, "stop"))
        return events

    # --- the wire ---------------------------------------------------------------------------------

    def get(self, handler: Handler, path: str) -> None:
        handler.send(*self._answer_get(path))

    def post(self, handler: Handler, path: str, body: Any) -> None:
        if path not in ("/v1/chat/completions", "/v1/completions") or not isinstance(body, dict):
            handler.send(*self._unknown("POST", path))
            return
        time.sleep(self.delay)
        model, error = self._resolve_model(str(body.get("model") or ""))
        if error:
            handler.send(*error)
            return
        assert model is not None
        completion = path == "/v1/completions"
        if self.fault == "status500":
            handler.send(500, "application/json", b'{"error":"Unexpected error: model crashed"}')
        elif self.fault == "non_json":
            handler.send(200, "text/html", b"<html><body>Bad Gateway</body></html>")
        elif self.fault == "oversized":
            handler.send(200, "application/json", b'{"choices": [{"message": {"content": "'
                         + b"x" * (9 * 1024 * 1024) + b'"}}]}')
        elif self.fault == "drop":
            handler.drop("application/json", b'{"id": "chatcmpl-fake", "choices": [')
        elif body.get("stream") and self.fault != "wrong_content_type":
            handler.begin_chunked("text/event-stream")
            events = self._events(model, completion)
            if self.fault == "stream_error":
                events = [*events[:2], {"error": {"message": "Model unloaded.", "type": "server_error"}}]
            for event in events:
                handler.chunk(f"data: {json.dumps(event)}\n\n".encode())
            handler.chunk(b"data: [DONE]\n\n")
            handler.end_chunked()
        else:
            choice: dict[str, Any] = (
                {"index": 0, "text": self.content or "", "finish_reason": "stop"} if completion else
                {"index": 0, "logprobs": None, "message": self._message(),
                 "finish_reason": "tool_calls" if self.tool_arguments is not None else "stop"})
            answer = {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1730913210,
                      "model": model, "choices": [choice],
                      "usage": {"prompt_tokens": 263, "completion_tokens": 34, "total_tokens": 297}}
            content_type = "text/plain" if self.fault == "wrong_content_type" else "application/json"
            handler.send(200, content_type, json.dumps(answer).encode())
