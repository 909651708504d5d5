"""A protocol-faithful stand-in for Ollama's native API, for what only Ollama does.

Ollama cannot run here. This server reproduces the documented wire behaviour (Ollama's docs/api.md,
docs/api/errors.mdx and docs/api/streaming.mdx, and the answers its server/routes.go writes) and nothing
else. Each knob names the Ollama behaviour it stands for:

- `GET /` -> 200 "Ollama is running"; unknown routes -> 404 text "404 page not found" (gin's default);
- `GET /api/version` -> `{"version": "0.12.3"}` ("Version");
- `GET /api/tags` -> `{"models": [{"name", "model", "modified_at", "size", "digest", "details"}, …]}`, the
  installed models ("List Local Models"); `models` is the list of installed names;
- `GET /api/ps` -> the same shape plus `expires_at` and `size_vram`, the models in memory ("List Running
  Models"); `running` is the list of loaded names, and `has_ps=False` makes an Ollama from before /api/ps
  existed (the route answers 404);
- model names: `llama3.2` means `llama3.2:latest` ("Model names": the tag defaults to `latest`);
- `POST /api/chat` ("Generate a chat completion"): streamed by default as JSON lines
  (`application/x-ndjson`), one object per piece of `message.content`, tool calls as whole objects with
  `arguments` as a JSON object (not a string), and a final object with `"done": true`, `done_reason` and
  the timing counters; `"stream": false` gives one `application/json; charset=utf-8` object;
- a chat request loads its model: it joins `running` (after `load_delay` seconds);
- errors are `{"error": "…"}` bodies ("Errors"): an unknown model -> 404 `model 'x' not found`; `tools`
  for a model whose template has none (`no_tools`) -> 400 `<registry name> does not support tools`;
  `fault="status500"` -> 500 with an error body; `fault="stream_error"` -> a few content lines, then
  `{"error": "an error was encountered while running the model"}` inside a 200 stream ("Errors that
  occur while streaming");
- faults for the client's error paths: `delay` before a chat answer (slow model), `version_delay` before
  `/api/version` (a hung server), `fault="non_json"` (a proxy's HTML page instead of the chat answer),
  `fault="non_json_version"` (a web server, not Ollama, answering /api/version), `fault="drop"`
  (connection closed mid-answer), `fault="drop_tags"` (the same, for the model list), `fault="not_ollama"` (another server on the port: /api routes answer
  404).

Every request is recorded in `requests` (method, path, JSON body) and `headers`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.backends.fake_server import FakeServer, Handler

MODEL_ERROR = "an error was encountered while running the model"


def full_name(name: str) -> str:
    """`llama3.2` -> `llama3.2:latest`: a name without a tag means the `latest` tag."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _entry(name: str) -> dict[str, Any]:
    return {"name": name, "model": name, "modified_at": "2025-05-10T08:06:48.639712648-07:00",
            "size": 301_000_000, "digest": "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163",
            "details": {"parent_model": "", "format": "gguf", "family": "gemma3", "families": ["gemma3"],
                        "parameter_size": "268.10M", "quantization_level": "Q8_0"}}


class FakeOllama(FakeServer):
    def __init__(self, *, port: int = 0) -> None:
        super().__init__(port)
        self.version = "0.12.3"
        self.models: list[str] = ["functiongemma:270m", "llama3.2:latest"]
        self.running: list[str] = ["functiongemma:270m"]
        self.has_ps = True
        self.no_tools: set[str] = set()  # full names whose template declares no tools
        # What the model "writes": content text and/or one tool call's arguments (a dict).
        self.content: str | None = None
        self.tool_arguments: dict[str, Any] | None = {"command": "docker ps", "explanation": "Lists running containers."}
        self.tool_name = "run_shell_command"
        self.load_delay = 0.0
        self.delay = 0.0
        self.version_delay = 0.0
        self.fault = ""  # see the module docstring

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def chats(self) -> list[dict[str, Any]]:
        """The bodies of the /api/chat requests, in order."""
        return [body for method, path, body in self.requests if method == "POST" and path == "/api/chat"]

    # --- the wire ---------------------------------------------------------------------------------

    def get(self, handler: Handler, path: str) -> None:
        if self.fault == "not_ollama" and path.startswith("/api/"):
            handler.send(404, "text/plain", b"404 page not found")
        elif path == "/":
            handler.send(200, "text/plain; charset=utf-8", b"Ollama is running")
        elif path == "/api/version":
            time.sleep(self.version_delay)
            if self.fault == "non_json_version":
                handler.send(200, "text/html", b"<html><body>Welcome to nginx!</body></html>")
            else:
                handler.send_json(200, {"version": self.version}, "application/json; charset=utf-8")
        elif path == "/api/tags" and self.fault == "drop_tags":
            handler.drop("application/json; charset=utf-8", b'{"models":[{"name":"functio')
        elif path == "/api/tags":
            handler.send_json(200, {"models": [_entry(name) for name in self.models]},
                              "application/json; charset=utf-8")
        elif path == "/api/ps" and self.has_ps:
            handler.send_json(200, {"models": [{**_entry(name), "expires_at": "2025-06-04T14:38:31.83753-07:00",
                                                "size_vram": 301_000_000} for name in self.running]},
                              "application/json; charset=utf-8")
        else:
            handler.send(404, "text/plain", b"404 page not found")

    def post(self, handler: Handler, path: str, body: Any) -> None:
        if path != "/api/chat" or self.fault == "not_ollama":
            handler.send(404, "text/plain", b"404 page not found")
            return
        if not isinstance(body, dict):
            handler.send_json(400, {"error": "invalid character 'x' looking for beginning of value"})
            return
        requested = str(body.get("model") or "")
        if not requested:
            handler.send_json(400, {"error": "model is required"})
            return
        name = full_name(requested)
        if name not in self.models:
            handler.send_json(404, {"error": f"model '{requested}' not found"})
            return
        if body.get("tools") and name in self.no_tools:
            handler.send_json(400, {"error": f"registry.ollama.ai/library/{name} does not support tools"})
            return
        if name not in self.running:
            time.sleep(self.load_delay)
            self.running.append(name)
        time.sleep(self.delay)
        if self.fault == "status500":
            handler.send_json(500, {"error": "llama runner process has terminated: exit status 2"})
        elif self.fault == "non_json":
            handler.send(200, "text/html", b"<html><body>Bad Gateway</body></html>")
        elif self.fault == "drop":
            handler.drop("application/x-ndjson", b'{"model":"' + requested.encode() + b'","message":{"ro')
        elif body.get("stream", True):
            handler.begin_chunked("application/x-ndjson")
            lines = self._stream(requested)
            if self.fault == "stream_error":
                lines = [*lines[:-1][:2], {"error": MODEL_ERROR}]
            for line in lines:
                handler.chunk(json.dumps(line).encode() + b"\n")
            handler.end_chunked()
        else:
            message: dict[str, Any] = {"role": "assistant", "content": self.content or ""}
            if self.tool_arguments is not None:
                message["tool_calls"] = [self._call()]
            handler.send_json(200, {"model": requested, "created_at": "2025-07-07T20:32:53.844124Z",
                                    "message": message, **self._final()}, "application/json; charset=utf-8")

    # --- the answers ------------------------------------------------------------------------------

    def _call(self) -> dict[str, Any]:
        return {"function": {"name": self.tool_name, "arguments": self.tool_arguments}}

    def _final(self) -> dict[str, Any]:
        return {"done_reason": "stop", "done": True, "total_duration": 182242375, "load_duration": 41295167,
                "prompt_eval_count": 169, "prompt_eval_duration": 24573166, "eval_count": 15,
                "eval_duration": 115959084}

    def _stream(self, model: str) -> list[dict[str, Any]]:
        def line(message: dict[str, Any]) -> dict[str, Any]:
            return {"model": model, "created_at": "2025-07-07T20:22:19.184789Z",
                    "message": {"role": "assistant", **message}, "done": False}

        text = self.content or ""
        lines = [line({"content": text[start:start + 5]}) for start in range(0, len(text), 5)]
        if self.tool_arguments is not None:
            lines.append(line({"content": "", "tool_calls": [self._call()]}))
        lines.append({"model": model, "created_at": "2025-07-07T20:22:19.19314Z",
                      "message": {"role": "assistant", "content": ""}, **self._final()})
        return lines
