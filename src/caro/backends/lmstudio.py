"""LM Studio: its OpenAI-compatible server (default http://localhost:1234/v1), running FunctionGemma or
any other model the user loaded.

Availability (at most 500 ms, cached 60 s on disk):
  1. `GET /lmstudio-greeting` -> `{"lmstudio": true}` identifies LM Studio (other servers answer 404; LM
     Studio answers 200 to unknown routes, so a 200 alone proves nothing). When the port is closed and
     the host is this machine, the live port LM Studio publishes in ~/.lmstudio/.internal/http-server.json
     is tried, and the status says so.
  2. `GET /api/v0/models` (0.3.6+) tells loaded from not-loaded models; older versions (0.2.0+) fall back
     to `GET /v1/models`, which lists only what can answer.
  3. The model: `-m`/`model`, else `[lmstudio] model`, else the loaded model (a FunctionGemma first). A
     configured model that is downloaded but not loaded is loaded by LM Studio on the first request (JIT):
     the request then gets `lmstudio.load_timeout` more seconds.

Generation: chat completions with the shell-command tool (`api = "chat"`), or caro's own FunctionGemma
prompt on `/v1/completions` (`api = "completions"`). LM Studio's error bodies ("No models loaded" as 400 or
404, `error` as a string or an object, `model_not_found`) become messages that say what to run.
"""

from __future__ import annotations

import os
import time

from caro import http, jsontext
from caro.backends import availability_cache
from caro.backends.base import Availability, GenerationRequest, RawOutput, preferred
from caro.backends.openai_compat import (
    AVAILABILITY_BUDGET,
    PROBE_CONNECT_TIMEOUT,
    Client,
    chat_payload,
    completion_payload,
)
from caro.config import Settings
from caro.errors import BackendError, BackendResponseError, BackendUnavailable

# No typing or pathlib at run time: this module is on the start path of every LM Studio request.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

LABEL = "LM Studio"
DEFAULT_PORT = 1234
START_HINT = ("Start LM Studio's server: 'lms server start' (or LM Studio → Developer → Start server). "
              "If it listens elsewhere, set [lmstudio] url or CARO_LMSTUDIO_URL.")


def published_port(env: dict[str, str] | None = None) -> tuple[int | None, str]:
    """The port LM Studio publishes while its server runs ($LMS_API_SERVER_INFO_PATH overrides the file),
    and the file it is published in."""
    env = dict(os.environ) if env is None else env
    override = env.get("LMS_API_SERVER_INFO_PATH")
    path = override or os.path.join(os.path.expanduser("~"), ".lmstudio", ".internal", "http-server.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = jsontext.loads(handle.read())
    except (OSError, ValueError):
        return None, path
    port = data.get("port") if isinstance(data, dict) else None
    return (port if isinstance(port, int) and 0 < port < 65536 else None), path


def normalise_url(url: str) -> str:
    """The base URL with its /v1 prefix (users often write http://localhost:1234)."""
    url = url.strip().rstrip("/")
    ep = http.endpoint(url)
    return url if ep.path else url + "/v1"


def _with_port(url: str, port: int) -> str:
    ep = http.endpoint(url)
    host = f"[{ep.original_host}]" if ":" in ep.original_host else ep.original_host
    return f"{ep.scheme}://{host}:{port}{ep.path}"


def _model_matches(wanted: str, candidate: str) -> bool:
    wanted, candidate = wanted.lower(), candidate.lower()
    return wanted == candidate or candidate.split("/")[-1] == wanted or candidate.split("@")[0] == wanted


def load_hint(models: list[dict[str, Any]]) -> str:
    """`lms load …` naming a downloaded model, a FunctionGemma first."""
    names = [str(m["id"]) for m in models if m.get("type", "llm") != "embeddings"]
    first = [n for n in names if preferred(n)]
    if not names:
        return ("Download a model first ('lms get functiongemma-270m-it', or import your fine-tune with "
                "'lms import'), then 'lms load <model>'.")
    listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return f"Load one: 'lms load {(first or names)[0]}' (downloaded: {listed})."


class LMStudioBackend:
    name: ClassVar[str] = "lmstudio"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.configured_url = str(settings["lmstudio.url"])
        self._status: Availability | None = None

    @property
    def configured_model(self) -> str:
        return str(self.settings["model"] or self.settings["lmstudio.model"])

    def api_key(self) -> str:
        return str(self.settings["lmstudio.api_key"] or os.environ.get("LM_API_TOKEN", ""))

    def cache_key(self) -> str:
        return availability_cache.key_for(self.name, self.configured_url, self.configured_model)

    def client(self, base_url: str, models: list[dict[str, Any]] | None = None, model: str = "") -> Client:
        return Client(base_url, label=LABEL, api_key=self.api_key(), start_hint=START_HINT,
                      classify=lambda status, message, body: classify(status, message, body, model, models or []))

    # --- availability ---------------------------------------------------------------------------

    def availability(self, *, use_cache: bool = True) -> Availability:
        self._status = availability_cache.check(self.settings.cache_location, self.cache_key(), self._check,
                                                use_cache=use_cache)
        return self._status

    def _check(self) -> Availability:
        try:
            base = normalise_url(self.configured_url)
        except ValueError as exc:
            return Availability(False, f"bad LM Studio URL: {exc}",
                                "Set [lmstudio] url to something like http://localhost:1234/v1.")
        return self._probe(base, time.monotonic() + AVAILABILITY_BUDGET)

    def _probe(self, base: str, end: float) -> Availability:
        detail: dict[str, Any] = {"url": base, "base_url": base}

        def left() -> float:
            return max(0.001, end - time.monotonic())

        try:
            greeting = self._get(base, "/lmstudio-greeting", left())
        except http.ConnectError as exc:
            ep = http.endpoint(base)
            port, path = published_port()
            if not (exc.refused and ep.is_loopback and port and port != ep.port):
                return Availability(False, f"not running: {exc}", self._wrong_port_hint(base, left()),
                                    detail=detail)
            base = _with_port(base, port)
            detail["base_url"] = base
            detail["note"] = f"port {ep.port} is closed; using port {port}, which LM Studio publishes in {path}"
            try:
                greeting = self._get(base, "/lmstudio-greeting", left())
            except http.HTTPError as again:
                return self._transport_failure(again, detail)
        except http.HTTPError as exc:
            return self._transport_failure(exc, detail)
        identified = False
        if greeting.status == 200:
            try:
                identified = bool(greeting.json().get("lmstudio"))
            except (http.ProtocolError, AttributeError):
                identified = False
        detail["identity"] = "LM Studio" if identified else "not identified as LM Studio (no /lmstudio-greeting)"

        try:
            models, source = self._models(base, left)
        except http.HTTPError as exc:
            return self._transport_failure(exc, detail)
        except BackendError as exc:
            return Availability(False, exc.message, exc.hint, detail=detail)
        detail["models"] = models
        detail["models_from"] = source
        detail["api"] = ("0.3.6 or later (/api/v0)" if source == "/api/v0/models"
                         else "OpenAI-compatible only (/v1; LM Studio before 0.3.6, or another server)")
        return self._choose(models, detail)

    def api_version(self, status: Availability) -> str:
        """For `caro doctor`: LM Studio has no version endpoint, so tell 0.4+ (/api/v1) from 0.3.6+ (/api/v0)."""
        base = str(status.detail.get("base_url") or "")
        if not base or status.detail.get("identity") != "LM Studio":
            return ""
        try:
            response = self._get(base, "/api/v1/models", 1.0)
            data = response.json() if response.status == 200 else None
        except http.HTTPError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("models"), list):
            return "0.4.0 or later (/api/v1)"
        return "0.3.6 to 0.3.x (/api/v0)" if status.detail.get("models_from") == "/api/v0/models" else "before 0.3.6"

    def _wrong_port_hint(self, base: str, budget: float) -> str:
        """When another port than the default is configured and refused, but LM Studio greets on the
        default port, say so: the configured port is probably wrong."""
        ep = http.endpoint(base)
        if ep.port == DEFAULT_PORT or not ep.is_loopback:
            return START_HINT
        default = _with_port(base, DEFAULT_PORT)
        try:
            greeting = self._get(default, "/lmstudio-greeting", min(budget, 0.1))
            identified = greeting.status == 200 and bool(greeting.json().get("lmstudio"))
        except (http.HTTPError, AttributeError):
            identified = False
        if identified:
            return (f"LM Studio answers on its default port {DEFAULT_PORT}, not on {ep.port}: set [lmstudio] url "
                    f"to {default} (or unset CARO_LMSTUDIO_URL / --url).")
        return START_HINT

    def _get(self, base: str, path: str, budget: float) -> http.Response:
        ep = http.endpoint(base)
        url = ep.root + path if path.startswith("/api/") or path == "/lmstudio-greeting" else base + path
        headers = {"Authorization": f"Bearer {self.api_key()}"} if self.api_key() else None
        return http.request("GET", url, headers=headers, connect_timeout=min(PROBE_CONNECT_TIMEOUT, budget),
                            read_timeout=budget, deadline=budget, max_body=1024 * 1024)

    def _models(self, base: str, left: Callable[[], float]) -> tuple[list[dict[str, Any]], str]:
        """Models with their state from /api/v0/models, else ids from /v1/models (state unknown)."""
        response = self._get(base, "/api/v0/models", left())
        if response.status == 200:
            try:
                data = response.json()
            except http.ProtocolError:
                data = None  # before 0.3.6 unknown routes answer 200 with an error text
            items = data.get("data") if isinstance(data, dict) else None
            if isinstance(items, list) and all(isinstance(i, dict) for i in items) and (
                    not items or any("state" in i for i in items)):
                return [{"id": str(i.get("id")), "state": str(i.get("state", "unknown")),
                         "type": str(i.get("type", "llm"))} for i in items if i.get("id")], "/api/v0/models"
        if response.status in (401, 403):
            raise self.client(base).status_error(response.status, response.body, "/api/v0/models")
        names = self.client(base).list_models(deadline=left())
        return [{"id": name, "state": "listed", "type": "llm"} for name in names], "/v1/models"

    def _choose(self, models: list[dict[str, Any]], detail: dict[str, Any]) -> Availability:
        llms = [m for m in models if m["type"] != "embeddings"]
        loaded = [m["id"] for m in llms if m["state"] in ("loaded", "listed")]
        detail["loaded"] = [m["id"] for m in llms if m["state"] == "loaded"]
        wanted = self.configured_model
        if wanted:
            match = next((m for m in llms if _model_matches(wanted, m["id"])), None)
            if match is None:
                known = ", ".join(m["id"] for m in llms[:6]) or "none"
                return Availability(False, f"no model '{wanted}' in LM Studio",
                                    f"'lms ls' lists downloaded models (LM Studio offers: {known}); set "
                                    "[lmstudio] model or -m to one of them, or download it with 'lms get'.",
                                    detail=detail)
            if match["state"] == "not-loaded":
                detail["jit"] = True
                detail["note"] = (detail.get("note", "") + "; " if detail.get("note") else "") + (
                    f"'{match['id']}' is not loaded; LM Studio loads it on the first request (JIT)")
            return Availability(True, detail.get("note", ""), model=match["id"], detail=detail)
        if not loaded:
            return Availability(False, "no model loaded", load_hint(llms), detail=detail)
        first = [m for m in loaded if preferred(m)]
        return Availability(True, detail.get("note", ""), model=(first or loaded)[0], detail=detail)

    def _transport_failure(self, exc: http.HTTPError, detail: dict[str, Any]) -> Availability:
        if isinstance(exc, http.Timeout):
            detail["timed_out"] = True
            return Availability(False, f"{detail['base_url']} did not answer within "
                                f"{AVAILABILITY_BUDGET * 1000:.0f} ms",
                                "The server may be hung or busy loading: restart it ('lms server stop', then "
                                "'lms server start'), or check the URL.", detail=detail)
        if isinstance(exc, http.ConnectError):
            return Availability(False, f"not running: {exc}", START_HINT, detail=detail)
        return Availability(False, f"the answer broke off ({exc})",
                            "Check that the URL points at LM Studio ('caro doctor').", detail=detail)

    # --- generation -----------------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> RawOutput:
        status = self._status or self.availability()
        if not status.ok:
            raise BackendUnavailable(status.reason, status.hint)
        base = str(status.detail.get("base_url") or normalise_url(self.configured_url))
        if status.detail.get("note"):
            request.debug(f"{LABEL}: {status.detail['note']}")
        model = request.model or str(self.settings["lmstudio.model"]) or status.model or ""
        timeout = request.timeout
        if status.detail.get("jit"):
            timeout += float(self.settings["lmstudio.load_timeout"])
            request.debug(f"{LABEL}: '{model}' will be loaded first; allowing {timeout:g} s")
        client = self.client(base, list(status.detail.get("models") or []), model)
        api = str(self.settings["lmstudio.api"])
        with availability_cache.forgetting(self.settings.cache_location, self.cache_key()):
            if api == "completions":
                raw = client.post("/completions", completion_payload(request, model, stream=request.stream),
                                  request, timeout=timeout)
            else:
                raw = client.post("/chat/completions", chat_payload(request, model, tools=True,
                                                                     stream=request.stream),
                                  request, timeout=timeout)
        raw.info["api"] = api
        if model and raw.model and not _model_matches(model, raw.model) and not _model_matches(raw.model, model):
            # With one model loaded LM Studio ignores the requested name (LM Studio bug tracker, issue 619).
            request.debug(f"{LABEL}: answered by '{raw.model}', not the requested '{model}'")
        raw.model = raw.model or model
        return raw

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.configured_url, "url_source": self.settings.source("lmstudio.url"),
                "model": self.configured_model or "(the loaded model)", "api": self.settings["lmstudio.api"],
                "stream": self.settings["lmstudio.stream"]}


def classify(status: int, message: str, body: str, model: str, models: list[dict[str, Any]]) -> BackendError | None:
    """LM Studio's own error answers, by substring because status 400 and 404 mean either."""
    lowered = body.lower()
    if "no models loaded" in lowered:
        return BackendUnavailable("no model loaded", load_hint(models))
    if "model_not_found" in lowered or "invalid model identifier" in lowered or (
            "model" in lowered and "not found" in lowered):
        return BackendUnavailable(
            f"no model '{model}' in LM Studio" if model else message,
            "'lms ls' lists downloaded models; set [lmstudio] model or -m to one of them.")
    if "failed to load model" in lowered or "error loading model" in lowered:
        return BackendUnavailable(f"could not load the model: {message}",
                                  f"Try 'lms load {model or '<model>'}' to see why (often: not enough memory; "
                                  "a smaller quantisation helps).")
    if status in (401, 403):
        return BackendUnavailable(f"authentication required (HTTP {status})",
                                  "Create an API token in LM Studio (Developer → Server settings) and set "
                                  "[lmstudio] api_key or LM_API_TOKEN.")
    if status == 200 and "unexpected endpoint" in lowered:
        return BackendResponseError(f"this LM Studio version does not offer that endpoint ({message})",
                                    "Update LM Studio, or set [lmstudio] api = \"chat\".")
    return None
