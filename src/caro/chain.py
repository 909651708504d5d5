"""The backend chain: try each backend in plan order, record every fallback with its reason."""

from __future__ import annotations

import time

from caro import backends
from caro.errors import BackendError, BackendUnavailable, NoBackendError
from caro.parsing import parse
from caro.result import Fallback

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from caro.backends.base import GenerationRequest, RawOutput
    from caro.config import Settings
    from caro.parsing import Suggestion

# Names that read as proper nouns take no article: "trying Ollama", but "trying the embedded model".
_PROPER = ("LM Studio", "Ollama")


def the(label: str) -> str:
    """A backend's display name as it reads inside a sentence."""
    return label if label in _PROPER else f"the {label}"


class Answer:
    """The first usable answer: which backend, which model, the parsed suggestion."""

    __slots__ = ("backend", "fallbacks", "generation_ms", "raw", "suggestion")

    def __init__(self, backend: str, suggestion: Suggestion, raw: RawOutput, generation_ms: float,
                 fallbacks: list[Fallback] | None = None) -> None:
        self.backend = backend
        self.suggestion = suggestion
        self.raw = raw
        self.generation_ms = generation_ms
        self.fallbacks: list[Fallback] = list(fallbacks or [])


def run(settings: Settings, request: GenerationRequest, *, notify: bool,
        on_backend: Callable[[str], None] | None = None) -> Answer:
    """Ask backends in order until one yields a parseable command.

    `notify` prints a one-line notice on stderr for each fallback (when the user chose a backend
    explicitly); the fallbacks are always recorded for -v and -o json. Under -v each step is one line.
    `on_backend` hears the display name of each backend as it is tried (the spinner's label).
    """
    from caro.terminal import ui

    order = backends.plan(settings)
    fallbacks: list[Fallback] = []
    errors: list[tuple[str, BackendError]] = []
    for position, name in enumerate(order):
        label = backends.DISPLAY_NAMES[name]
        checked = ""
        if on_backend:
            on_backend(label)
        try:
            try:
                backend = backends.create(name, settings)
            except ImportError as exc:  # a broken or partial install: say so and move on
                raise _unavailable(f"cannot load the {label} backend ({exc})",
                                   "Reinstall caro from its repository: pip install --force-reinstall .") from None
            status = backend.availability()
            cached = " (cached)" if status.cached else ""
            checked = f"checked{cached} in {status.elapsed_ms:.0f} ms"
            if not status.ok:
                for step in status.detail.get("discovery", []) or []:
                    request.debug(f"{label}: {step}")
                raise _unavailable(status.reason, status.hint)
            request.debug(f"{label}: available{cached} in {status.elapsed_ms:.0f} ms")
            started = time.perf_counter()
            raw = backend.generate(request)
            generation_ms = (time.perf_counter() - started) * 1000
            request.debug(f"{label}: answered in {generation_ms:.0f} ms (model {raw.model or status.model or '?'})")
            suggestion = parse(raw)
            if not raw.model and status.model:
                raw.model = status.model
            return Answer(name, suggestion, raw, generation_ms, fallbacks)
        except BackendError as exc:
            reason = exc.message
            errors.append((name, exc))
            fallbacks.append(Fallback(name, reason))
            if exc.detail and position + 1 < len(order):  # the last one's is shown with the error
                request.debug(f"{label}: raw output was: {exc.detail!r}")
            timing = f"; {checked}" if checked and getattr(request.log, "verbose", False) else ""
            if position + 1 < len(order):
                following = backends.DISPLAY_NAMES[order[position + 1]]
                line = f"{label} could not answer ({reason}{timing}); trying {the(following)}"
                if notify:
                    ui.note(line)
                else:
                    request.debug(line)
            else:
                request.debug(f"{label} could not answer ({reason}{timing})")
    raise _no_backend(order, fallbacks, errors, request.timeout)


def _unavailable(reason: str, hint: str) -> BackendError:
    return BackendUnavailable(reason or "not available", hint)


def next_step(errors: list[tuple[str, BackendError]], timeout: float) -> str:
    """The hint that fits how the chain failed: the first backend that got furthest decides it."""
    from caro.errors import BackendTimeout, Declined, UnparseableOutput

    answered = [(name, exc) for name, exc in errors if not isinstance(exc, BackendUnavailable | Declined)]
    if answered:
        name, exc = answered[0]
        label = backends.DISPLAY_NAMES[name]
        if isinstance(exc, BackendTimeout):
            return (f"{label} did not answer within {timeout:g} s: raise the limit, e.g. "
                    f"--timeout {max(timeout * 2, 60):g} (or timeout in the config); the first request may "
                    "also wait for the model to load.")
        if isinstance(exc, UnparseableOutput):
            return (f"The model behind {the(label)} gave no usable command: rephrase the request, or load a "
                    "different model (one that follows tool calls); -v shows what it wrote.")
        return exc.hint or f"Check {the(label)} with 'caro doctor'."
    if errors and all(isinstance(exc, Declined) for _, exc in errors):
        return ("The built-in catalog knows common requests only: rephrase it more concretely, or let a model "
                "answer (start LM Studio: 'lms server start'; or 'caro models pull' for the embedded backend).")
    return ("Start LM Studio ('lms server start') with a model loaded, or add a model with "
            "'caro models pull', or rephrase the request; 'caro doctor' shows what each backend needs.")


def _no_backend(order: list[str], fallbacks: list[Fallback], errors: list[tuple[str, BackendError]],
                timeout: float) -> NoBackendError:
    last = errors[-1][1]
    if len(order) == 1:
        label = backends.DISPLAY_NAMES[order[0]]
        message = last.message if label in last.message else f"{label}: {last.message}"
        # An unavailable backend's own hint is its fix ("start the server"); other failures get next_step's.
        hint = last.hint if isinstance(last, BackendUnavailable) and last.hint else next_step(errors, timeout)
        error = NoBackendError(message, hint)
    else:
        tried = "; ".join(f"{backends.DISPLAY_NAMES[f.backend]}: {f.reason}" for f in fallbacks)
        error = NoBackendError(f"no backend could produce a command ({tried})", next_step(errors, timeout))
    error.detail = last.detail
    error.fallbacks = list(fallbacks)
    # The last backend's own error, for callers that tell "declined" from "no command in the answer".
    error.__cause__ = last
    return error

