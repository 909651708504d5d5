"""Ollama, through its native API (default http://localhost:11434), or its OpenAI-compatible /v1 when
`[ollama] url` ends in /v1.

Availability (at most 500 ms, cached 60 s): `GET /api/version` identifies Ollama and its version,
`GET /api/tags` lists installed models, `GET /api/ps` the ones in memory. The model: `-m`/`model`, else
`[ollama] model`, else a loaded model, else an installed one (a FunctionGemma first). Ollama loads a model
on the first request, which the request timeout then allows for.

Generation: `POST /api/chat` with the shell-command tool; streamed answers are JSON lines. A model
whose template has no tool support ("does not support tools") is asked again for JSON text.
"""

from __future__ import annotations

import time

from caro import http, jsontext
from caro.backends import availability_cache
from caro.backends.base import Availability, GenerationRequest, RawOutput, ToolCall, preferred
from caro.backends.openai_compat import AVAILABILITY_BUDGET, PROBE_CONNECT_TIMEOUT, Client, chat_payload
from caro.config import Settings
from caro.errors import BackendError, BackendResponseError, BackendUnavailable

# typing only for the type checker: this module is on a request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

LABEL = "Ollama"
START_HINT = "Start Ollama: 'ollama serve' (or open the Ollama app). If it listens elsewhere, set [ollama] url."
LOAD_ALLOWANCE = 60.0  # seconds added when the model is not in memory yet


def _model_names(data: Any) -> list[str]:
    """The names in an /api/tags or /api/ps answer: `{"models": [{"name": …, "model": …}, …]}`."""
    models = data.get("models") if isinstance(data, dict) else None
    return [str(m.get("name") or m.get("model")) for m in models or []
            if isinstance(m, dict) and (m.get("name") or m.get("model"))]


def _matches(wanted: str, name: str) -> bool:
    wanted, name = wanted.lower(), name.lower()
    return name == wanted or name == f"{wanted}:latest" or (name.split(":")[0] == wanted and ":" not in wanted)


class OllamaBackend:
    name: ClassVar[str] = "ollama"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = str(settings["ollama.url"]).strip().rstrip("/")
        self._status: Availability | None = None

    @property
    def configured_model(self) -> str:
        return str(self.settings["model"] or self.settings["ollama.model"])

    @property
    def openai_mode(self) -> bool:
        return self.url.endswith("/v1")

    def cache_key(self) -> str:
        return availability_cache.key_for(self.name, self.url, self.configured_model)

    def availability(self, *, use_cache: bool = True) -> Availability:
        self._status = availability_cache.check(self.settings.cache_location, self.cache_key(), self._check,
                                                use_cache=use_cache)
        return self._status

    def _check(self) -> Availability:
        try:
            http.endpoint(self.url)
        except ValueError as exc:
            return Availability(False, f"bad Ollama URL: {exc}", "Set [ollama] url, e.g. http://localhost:11434.")
        return self._probe(time.monotonic() + AVAILABILITY_BUDGET)

    def _get(self, path: str, end: float) -> Any:
        budget = max(0.001, end - time.monotonic())
        response = http.request("GET", self.url + path, connect_timeout=min(PROBE_CONNECT_TIMEOUT, budget),
                                read_timeout=budget, deadline=budget, max_body=1024 * 1024)
        if response.status != 200:
            raise BackendResponseError(f"{path} answered HTTP {response.status}",
                                       f"Check that {self.url} is Ollama ('caro doctor').")
        try:
            return response.json()
        except http.ProtocolError as exc:
            raise BackendResponseError(f"{path}: {exc}", f"Check that {self.url} is Ollama ('caro doctor').") from None

    def _probe(self, end: float) -> Availability:
        detail: dict[str, Any] = {"url": self.url}
        try:
            if self.openai_mode:
                names = Client(self.url, label=LABEL).list_models(deadline=max(0.001, end - time.monotonic()))
                loaded: list[str] = []
                detail["identity"] = "OpenAI-compatible /v1"
            else:
                version = self._get("/api/version", end)
                detail["identity"] = "Ollama"
                detail["version"] = str(version.get("version", "?")) if isinstance(version, dict) else "?"
                names = _model_names(self._get("/api/tags", end))
                try:
                    loaded = _model_names(self._get("/api/ps", end))
                except BackendError:
                    loaded = []  # before 0.1.38 there is no /api/ps (404)
        except http.ConnectError as exc:
            return Availability(False, f"not running: {exc}", START_HINT, detail=detail)
        except http.Timeout:
            detail["timed_out"] = True
            return Availability(False, f"{self.url} did not answer within {AVAILABILITY_BUDGET * 1000:.0f} ms",
                                "Ollama may be hung or busy: restart it, or check [ollama] url.", detail=detail)
        except http.HTTPError as exc:
            return Availability(False, f"the answer broke off ({exc})", START_HINT, detail=detail)
        except BackendError as exc:
            return Availability(False, exc.message, exc.hint, detail=detail)
        detail["models"] = names[:50]
        detail["loaded"] = loaded
        wanted = self.configured_model
        if wanted:
            match = next((n for n in names if _matches(wanted, n)), None)
            if match is None:
                return Availability(False, f"model '{wanted}' is not installed in Ollama",
                                    f"Install it: 'ollama pull {wanted}' ('ollama list' shows what is installed).",
                                    detail=detail)
            detail["in_memory"] = match in loaded or self.openai_mode
            return Availability(True, model=match, detail=detail)
        if not names:
            return Availability(False, "no model installed in Ollama",
                                "Install one: 'ollama pull functiongemma:270m', then set [ollama] model.",
                                detail=detail)
        ranked = sorted(names, key=lambda n: (n not in loaded, not preferred(n)))
        detail["in_memory"] = ranked[0] in loaded or self.openai_mode
        return Availability(True, model=ranked[0], detail=detail)

    def generate(self, request: GenerationRequest) -> RawOutput:
        status = self._status or self.availability()
        if not status.ok:
            raise BackendUnavailable(status.reason, status.hint)
        model = request.model or status.model or self.configured_model
        timeout = request.timeout
        if not status.detail.get("in_memory", True):
            timeout += LOAD_ALLOWANCE
            request.debug(f"{LABEL}: '{model}' is not in memory yet; allowing {timeout:g} s for loading")
        with availability_cache.forgetting(self.settings.cache_location, self.cache_key()):
            if self.openai_mode:
                client = Client(self.url, label=LABEL, start_hint=START_HINT)
                return client.post("/chat/completions", chat_payload(request, model, tools=True,
                                                                     stream=request.stream),
                                   request, timeout=timeout)
            try:
                return self._chat(request, model, timeout, tools=True)
            except BackendResponseError as exc:
                if "does not support tools" not in exc.message:
                    raise
                request.debug(f"{LABEL}: {model} has no tool support; asking for JSON text")
                return self._chat(request, model, timeout, tools=False)

    def _chat(self, request: GenerationRequest, model: str, timeout: float, *, tools: bool) -> RawOutput:
        from caro import prompting

        openai_shape = chat_payload(request, model, tools=tools, stream=request.stream)
        payload: dict[str, Any] = {
            "model": model,
            "messages": openai_shape["messages"],
            "stream": request.stream,
            "options": {"temperature": prompting.TEMPERATURE, "num_predict": prompting.MAX_TOKENS,
                        "stop": list(prompting.STOP_SEQUENCES)},
        }
        if tools:
            payload["tools"] = [prompting.TOOL]
        url = self.url + "/api/chat"
        request.debug(f"{LABEL}: POST {url} (model {model}, {'streaming' if request.stream else 'not streaming'}, "
                      f"timeout {timeout:g} s)")
        client = Client(self.url + "/v1", label=LABEL, start_hint=START_HINT)  # for error translation
        text: list[str] = []
        calls: list[ToolCall] = []
        answered_model = model
        try:
            with http.stream("POST", url, json_body=payload, connect_timeout=min(2.0, timeout),
                             read_timeout=timeout, deadline=timeout) as answer:
                if answer.response.status != 200:
                    body = answer.read()
                    raise self._status_error(answer.response.status, body, model)
                for line in answer.lines():
                    if not line.strip():
                        continue
                    try:
                        chunk = jsontext.loads(line)
                    except ValueError:
                        raise BackendResponseError(f"the answer is not JSON: {line[:120]!r}",
                                                   f"Check that {self.url} is Ollama ('caro doctor').") from None
                    if not isinstance(chunk, dict):
                        continue
                    if chunk.get("error"):
                        raise self._status_error(200, line.encode(), model)
                    answered_model = str(chunk.get("model") or answered_model)
                    message = chunk.get("message") if isinstance(chunk.get("message"), dict) else {}
                    piece = message.get("content") if message else None
                    if isinstance(piece, str) and piece:
                        text.append(piece)
                        if request.on_text:
                            request.on_text(piece)
                    for call in (message.get("tool_calls") or []) if message else []:
                        function = call.get("function") if isinstance(call, dict) else None
                        if isinstance(function, dict) and function.get("name"):
                            calls.append(ToolCall(str(function["name"]), function.get("arguments") or {}))
                    if chunk.get("done"):
                        break
        except http.HTTPError as exc:
            raise client.transport_error(exc, timeout=timeout) from None
        return RawOutput(text="".join(text), tool_calls=calls, model=answered_model,
                         info={"endpoint": url, "streamed": request.stream, "tools": tools})

    def _status_error(self, status: int, body: bytes, model: str) -> BackendError:
        from caro.backends.openai_compat import error_message

        message = error_message(body)
        lowered = message.lower()
        if "not found" in lowered and "model" in lowered:
            return BackendUnavailable(f"model '{model}' is not installed in Ollama",
                                      f"Install it: 'ollama pull {model}'.")
        if "does not support tools" in lowered:
            return BackendResponseError(f"{model} does not support tools", "")
        return BackendResponseError(f"HTTP {status}: {message}" if status != 200 else message,
                                    "Look at Ollama's log ('ollama serve' output); retry or try another model.")

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "model": self.configured_model or "(a loaded or installed model)",
                "api": "OpenAI-compatible /v1" if self.openai_mode else "native /api/chat"}
