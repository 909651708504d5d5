"""The OpenAI-compatible client shared by LM Studio, vLLM, llama.cpp's servers, LocalAI and Ollama's /v1,
and the generic `openai` backend built on it.

The client speaks `GET /models`, `POST /chat/completions` and `POST /completions` under a base URL that
ends in `/v1`, streamed (server-sent events, tool-call fragments joined by index) or not, with connect and
read timeouts and an optional bearer token. It returns RawOutput; parsing happens once, in caro.parsing.
Every failure becomes a caro.errors.BackendError carrying a hint; backends refine the hints through a
`classify` hook (LM Studio's "No models loaded" answers, for example).
"""

from __future__ import annotations

import os
import time

from caro import http, jsontext
from caro.backends import availability_cache
from caro.backends.base import Availability, GenerationRequest, RawOutput, ToolCall
from caro.config import Settings
from caro.errors import BackendError, BackendResponseError, BackendTimeout, BackendUnavailable

# typing only for the type checker: this module is on a request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

    Classifier = Callable[[int, str, str], BackendError | None]  # (status, message, raw body) -> error

# An availability check must end within 500 ms whatever the server does.
AVAILABILITY_BUDGET = 0.45
PROBE_CONNECT_TIMEOUT = 0.25
GENERATION_CONNECT_TIMEOUT = 2.0

def error_message(body: bytes | str) -> str:
    """The human part of an error body: `{"error": "…"}`, `{"error": {"message": …}}`, `{"detail": …}`
    (FastAPI), `{"message": …}`, or the text itself."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = jsontext.loads(text)
    except ValueError:
        return " ".join(text.split())[:300]
    if isinstance(data, dict):
        for key in ("error", "detail", "message"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("msg") or jsontext.dumps(value)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = value[0].get("msg") or jsontext.dumps(value[0])
            if isinstance(value, str) and value:
                return " ".join(value.split())[:300]
    return " ".join(text.split())[:300]


class Client:
    """An OpenAI-compatible server at `base_url` (which includes the /v1 prefix)."""

    def __init__(
        self,
        base_url: str,
        *,
        label: str,
        api_key: str = "",
        classify: Classifier | None = None,
        start_hint: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.label = label
        self.api_key = api_key
        self.classify = classify
        self.start_hint = start_hint or f"Check that the {label} server is running and that its URL is right."
        self.endpoint = http.endpoint(self.base_url)

    @property
    def where(self) -> str:
        return f"{self.endpoint.host}:{self.endpoint.port}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    # --- plumbing -------------------------------------------------------------------------------

    def transport_error(self, exc: http.HTTPError, *, timeout: float, what: str = "answer") -> BackendError:
        """A transport failure as a caro error with the next step to take."""
        if isinstance(exc, http.ConnectError):
            return BackendUnavailable(str(exc), self.start_hint)
        if isinstance(exc, http.Timeout):
            if exc.phase == "connect":
                return BackendUnavailable(f"no answer from {self.where} within the connect timeout",
                                          self.start_hint)
            return BackendTimeout(
                f"no {what} within {timeout:g} s",
                "The model may be slow, still loading, or stuck. Raise the limit with --timeout or "
                "'timeout' in the config, or use a smaller model.",
            )
        if isinstance(exc, http.BodyTooLarge):
            return BackendResponseError(f"oversized answer ({exc})",
                                        f"Check that {self.base_url} is really a model server.")
        return BackendResponseError(
            f"the answer broke off: {exc}",
            "The server may have crashed or restarted; check its log and try again.",
        )

    def status_error(self, status: int, body: bytes, path: str) -> BackendError:
        """An HTTP error status (or an error body) as a caro error."""
        message = error_message(body)
        if self.classify:
            special = self.classify(status, message, body.decode("utf-8", "replace"))
            if special:
                return special
        lowered = message.lower()
        if status in (401, 403):
            return BackendUnavailable(f"request refused (HTTP {status}: {message})",
                                      "The server requires an API key; set it in the config (see 'caro doctor').")
        if "model_not_found" in lowered or ("model" in lowered and "not found" in lowered):
            return BackendUnavailable(message,
                                      "Use a model the server lists: 'caro doctor' shows them; set it with -m.")
        if status == 404:
            return BackendResponseError(
                f"no {path} endpoint here (HTTP 404: {message})",
                f"Check the URL: it should end in /v1 (now {self.base_url}).",
            )
        if status >= 500:
            return BackendResponseError(f"server error HTTP {status}: {message}",
                                        "Look at the server's log; retry, or try another model.")
        return BackendResponseError(f"request rejected with HTTP {status}: {message}",
                                    "Rerun with -v for details; 'caro doctor' checks the server.")

    def list_models(self, *, deadline: float) -> list[str]:
        """Model ids from GET /models within `deadline` seconds; raises http.HTTPError or BackendError."""
        response = http.request("GET", self.base_url + "/models", headers=self.headers(),
                                connect_timeout=min(PROBE_CONNECT_TIMEOUT, deadline), read_timeout=deadline,
                                deadline=deadline, max_body=1024 * 1024)
        if response.status != 200:
            raise self.status_error(response.status, response.body, "/models")
        try:
            data = response.json()
        except http.ProtocolError as exc:
            raise BackendResponseError(f"the model list is not JSON ({exc})",
                                       f"Check that {self.base_url} is the right URL for {self.label} ('caro doctor').") from None
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BackendResponseError("/models answered without a model list",
                                       f"Check that {self.base_url} is the right URL for {self.label} ('caro doctor').")
        return [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]

    # --- generation -----------------------------------------------------------------------------

    def post(self, path: str, payload: dict[str, Any], request: GenerationRequest, *,
             timeout: float) -> RawOutput:
        """POST a chat or completion request and collect the answer (streamed or not)."""
        url = self.base_url + path
        streamed = bool(payload.get("stream"))
        request.debug(f"{self.label}: POST {url} (model {payload.get('model') or 'default'}, "
                      f"{'streaming' if streamed else 'not streaming'}, timeout {timeout:g} s)")
        started = time.perf_counter()
        try:
            with http.stream("POST", url, json_body=payload, headers=self.headers(),
                             connect_timeout=min(GENERATION_CONNECT_TIMEOUT, timeout),
                             read_timeout=timeout, deadline=timeout) as answer:
                response = answer.response
                if response.status != 200:
                    raise self.status_error(response.status, answer.read(), path)
                if streamed and response.content_type == "text/event-stream":
                    raw = self._read_events(answer, request)
                else:
                    # Also a server that ignores "stream": true and sends one JSON body.
                    raw = self._read_body(answer.read(), path)
        except http.HTTPError as exc:
            raise self.transport_error(exc, timeout=timeout) from None
        raw.info.update(endpoint=url, streamed=streamed, elapsed_ms=round((time.perf_counter() - started) * 1000, 1))
        return raw

    def _read_body(self, body: bytes, path: str) -> RawOutput:
        try:
            data = jsontext.loads(body)
        except (ValueError, UnicodeDecodeError):
            snippet = body.decode("utf-8", "replace").strip()[:120]
            raise BackendResponseError(
                f"the answer is not JSON: {snippet!r}",
                f"Check that {self.base_url} is an OpenAI-compatible server ('caro doctor').",
            ) from None
        if not isinstance(data, dict):
            raise BackendResponseError("the answer is JSON of an unexpected shape", "Rerun with -v for details.")
        if "error" in data and not data.get("choices"):
            raise self.status_error(200, body, path)
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise BackendResponseError(f"the answer has no choices: {body[:120]!r}",
                                       "Rerun with -v; the server may not support this endpoint.")
        choice = choices[0]
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        text = message.get("content") if message else choice.get("text")
        calls = []
        for entry in (message.get("tool_calls") or []) if message else []:
            function = entry.get("function") if isinstance(entry, dict) else None
            if isinstance(function, dict) and function.get("name"):
                calls.append(ToolCall(str(function["name"]), function.get("arguments") or ""))
        info = {"finish_reason": choice.get("finish_reason"), "usage": data.get("usage")}
        return RawOutput(text=text if isinstance(text, str) else "", tool_calls=calls,
                         model=str(data.get("model") or ""), info=info)

    def _read_events(self, answer: http.Stream, request: GenerationRequest) -> RawOutput:
        """Server-sent events: text deltas, and tool-call fragments joined per index. Before LM Studio
        0.3.16 continuation chunks carry `name: ""`; some models send all arguments in one chunk."""
        pieces: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        model = ""
        finish = None
        for line in answer.lines():
            if not line.startswith("data:"):
                continue  # blank separators, comments (":"), event:/id: fields
            data = line[5:].strip()
            if data == "[DONE]":
                break
            try:
                chunk = jsontext.loads(data)
            except ValueError:
                raise BackendResponseError(f"malformed streamed event: {data[:120]!r}",
                                           "Rerun with -v; try 'stream = false' for this server.") from None
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                raise self.status_error(200, data.encode(), "stream")
            model = str(chunk.get("model") or model)
            choices = chunk.get("choices") or []
            if not choices or not isinstance(choices[0], dict):
                continue
            choice = choices[0]
            finish = choice.get("finish_reason") or finish
            delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
            text = delta.get("content") if delta else choice.get("text")
            if isinstance(text, str) and text:
                pieces.append(text)
                if request.on_text:
                    request.on_text(text)
            for position, fragment in enumerate(delta.get("tool_calls") or [] if delta else []):
                if not isinstance(fragment, dict):
                    continue
                index = fragment.get("index", position)
                entry = calls.setdefault(index if isinstance(index, int) else position, {"name": "", "arguments": ""})
                function = fragment.get("function") or {}
                name = function.get("name")
                if isinstance(name, str) and name and not entry["name"]:
                    entry["name"] = name
                arguments = function.get("arguments")
                if isinstance(arguments, dict):
                    arguments = jsontext.dumps(arguments)
                if isinstance(arguments, str) and arguments:
                    entry["arguments"] += arguments
                    if request.on_text:
                        request.on_text(arguments)
        tool_calls = [ToolCall(c["name"], c["arguments"]) for _, c in sorted(calls.items()) if c["name"]]
        return RawOutput(text="".join(pieces), tool_calls=tool_calls, model=model,
                         info={"finish_reason": finish})


def chat_payload(request: GenerationRequest, model: str, *, tools: bool, tool_choice: Any = None,
                 stream: bool) -> dict[str, Any]:
    """The chat request: system + user messages, the shell tool, low temperature, stop sequences."""
    from caro import prompting

    messages = prompting.messages(request)
    payload: dict[str, Any] = {
        "messages": messages,
        "temperature": prompting.TEMPERATURE,
        "max_tokens": prompting.MAX_TOKENS,
        "stop": list(prompting.STOP_SEQUENCES),
        "stream": stream,
    }
    if model:
        payload["model"] = model
    if tools:
        payload["tools"] = [prompting.TOOL]
        if tool_choice is not None:
            payload["tool_choice"] = tool_choice
    else:
        messages[0]["content"] += "\n" + prompting.json_fallback_instructions()
    return payload


def completion_payload(request: GenerationRequest, model: str, *, stream: bool) -> dict[str, Any]:
    """A raw completion: caro renders FunctionGemma's prompt itself (no template applied server-side)."""
    from caro import prompting

    payload: dict[str, Any] = {
        "prompt": prompting.functiongemma_prompt(request),
        "temperature": prompting.TEMPERATURE,
        "max_tokens": prompting.MAX_TOKENS,
        "stop": list(prompting.STOP_SEQUENCES),
        "stream": stream,
    }
    if model:
        payload["model"] = model
    return payload


def _rejects_tools(error: BackendError) -> bool:
    """Whether an error looks like the server cannot handle `tools` (then caro asks for JSON text)."""
    text = error.message.lower()
    return isinstance(error, BackendResponseError) and any(
        word in text for word in ("tool", "grammar", "peg", "function", "template", "sampler"))


class OpenAIBackend:
    """Any OpenAI-compatible server at `[openai] url` (vLLM, llama.cpp's server, LocalAI, …)."""

    name: ClassVar[str] = "openai"
    label = "OpenAI-compatible server"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = str(settings["openai.url"]).strip()
        key_env = str(settings["openai.api_key_env"])
        self.api_key = os.environ.get(key_env, "") if key_env else ""
        self._client: Client | None = None
        self._status: Availability | None = None

    @property
    def configured_model(self) -> str:
        return str(self.settings["model"] or self.settings["openai.model"])

    def client(self) -> Client:
        if self._client is None:
            self._client = Client(self.url, label=self.label, api_key=self.api_key,
                                  start_hint=f"Start the server at {self.url}, or fix [openai] url.")
        return self._client

    def cache_key(self) -> str:
        return availability_cache.key_for(self.name, self.url, self.configured_model)

    def availability(self, *, use_cache: bool = True) -> Availability:
        self._status = availability_cache.check(self.settings.cache_location, self.cache_key(), self._probe,
                                                use_cache=use_cache)
        return self._status

    def _probe(self) -> Availability:
        if not self.url:
            return Availability(False, "no URL configured", "Set [openai] url in the config, e.g. "
                                "http://127.0.0.1:8000/v1.")
        try:
            client = self.client()
        except ValueError as exc:
            return Availability(False, str(exc), "Fix [openai] url: it must look like http://host:port/v1.")
        try:
            models = client.list_models(deadline=AVAILABILITY_BUDGET)
        except http.HTTPError as exc:
            error = client.transport_error(exc, timeout=AVAILABILITY_BUDGET, what="model list")
            return Availability(False, error.message, error.hint,
                                detail={"url": self.url, "timed_out": isinstance(exc, http.Timeout)})
        except BackendError as exc:
            return Availability(False, exc.message, exc.hint, detail={"url": self.url})
        detail: dict[str, Any] = {"url": self.url, "models": models[:50]}
        model = self.configured_model or (models[0] if models else "")
        if self.configured_model and models and self.configured_model not in models:
            detail["note"] = f"'{self.configured_model}' is not in the server's list ({', '.join(models[:5])})"
        if not model:
            return Availability(False, "the server lists no models", "Load a model in the server.", detail=detail)
        return Availability(True, model=model, detail=detail)

    def generate(self, request: GenerationRequest) -> RawOutput:
        client = self.client()
        model = request.model or self.configured_model or (self._status.model if self._status else "") or ""
        # Naming the function makes llama-cpp-python and vLLM return a real tool call; but llama-cpp-python
        # then forces a JSON grammar, which garbles models with their own call format (FunctionGemma).
        choice = ({"type": "function", "function": {"name": "run_shell_command"}}
                  if self.settings["openai.tool_choice"] else None)
        with availability_cache.forgetting(self.settings.cache_location, self.cache_key()):
            try:
                payload = chat_payload(request, model, tools=True, tool_choice=choice, stream=request.stream)
                return client.post("/chat/completions", payload, request, timeout=request.timeout)
            except BackendResponseError as exc:
                if not _rejects_tools(exc):
                    raise
                request.debug(f"{self.label}: the server rejected tools ({exc.message}); asking for JSON text")
                payload = chat_payload(request, model, tools=False, stream=request.stream)
                return client.post("/chat/completions", payload, request, timeout=request.timeout)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "model": self.configured_model or "(first listed)",
                "api_key_env": self.settings["openai.api_key_env"], "api_key_set": bool(self.api_key)}
