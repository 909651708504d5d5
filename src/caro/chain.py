"""The backend chain: try each backend in plan order, record every fallback with its reason."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from caro import backends
from caro.backends.base import GenerationRequest, RawOutput
from caro.config import Settings
from caro.errors import BackendError, CaroError, NoBackendError
from caro.parsing import Suggestion, parse
from caro.result import Fallback


@dataclass
class Answer:
    """The first usable answer: which backend, which model, the parsed suggestion."""

    backend: str
    suggestion: Suggestion
    raw: RawOutput
    generation_ms: float
    fallbacks: list[Fallback] = field(default_factory=list)


def run(settings: Settings, request: GenerationRequest, *, notify: bool) -> Answer:
    """Ask backends in order until one yields a parseable command.

    `notify` prints a one-line notice on stderr for each fallback (when the user chose a backend
    explicitly); the fallbacks are always recorded for -v and -o json.
    """
    from caro import ui

    order = backends.plan(settings)
    fallbacks: list[Fallback] = []
    last_error: CaroError | None = None
    for position, name in enumerate(order):
        label = backends.DISPLAY_NAMES[name]
        try:
            try:
                backend = backends.create(name, settings)
            except ImportError as exc:  # a broken or partial install: say so and move on
                raise _unavailable(f"cannot load the {label} backend ({exc})",
                                   "Reinstall caro: pip install --force-reinstall caro") from None
            status = backend.availability()
            cached = " (cached)" if status.cached else ""
            request.debug(f"{label}: {'available' if status.ok else 'unavailable'}{cached} "
                          f"in {status.elapsed_ms:.0f} ms{': ' + status.reason if status.reason else ''}")
            if not status.ok:
                for step in status.detail.get("discovery", []) or []:
                    request.debug(f"{label}: {step}")
                raise _unavailable(status.reason, status.hint)
            started = time.perf_counter()
            raw = backend.generate(request)
            generation_ms = (time.perf_counter() - started) * 1000
            request.debug(f"{label}: answered in {generation_ms:.0f} ms (model {raw.model or status.model or '?'})")
            suggestion = parse(raw)
            if not raw.model and status.model:
                raw.model = status.model
            return Answer(name, suggestion, raw, generation_ms, fallbacks)
        except BackendError as exc:
            last_error = exc
            reason = exc.message
            fallbacks.append(Fallback(name, reason))
            if exc.detail:
                request.debug(f"{label}: raw output was: {exc.detail!r}")
            if position + 1 < len(order):
                following = backends.DISPLAY_NAMES[order[position + 1]]
                line = f"{label} could not answer ({reason}); trying the {following}"
                if notify:
                    ui.note(line)
                else:
                    request.debug(line)
            elif exc.hint:
                request.debug(f"{label}: {exc.hint}")
    assert last_error is not None
    raise _no_backend(order, fallbacks, last_error)


def _unavailable(reason: str, hint: str) -> BackendError:
    from caro.errors import BackendUnavailable

    return BackendUnavailable(reason or "not available", hint)


def _no_backend(order: list[str], fallbacks: list[Fallback], last: CaroError) -> NoBackendError:
    if len(order) == 1:
        label = backends.DISPLAY_NAMES[order[0]]
        message = last.message if label in last.message else f"{label}: {last.message}"
        error = NoBackendError(message, last.hint)
    else:
        tried = "; ".join(f"{backends.DISPLAY_NAMES[f.backend]}: {f.reason}" for f in fallbacks)
        error = NoBackendError(
            f"no backend could produce a command ({tried})",
            last.hint or "Start LM Studio ('lms server start') with a model loaded, or add a model with "
            "'caro models pull', or rephrase the request.",
        )
    error.detail = last.detail
    # The last backend's own error, for callers that tell "declined" from "no command in the answer".
    error.__cause__ = last
    return error
