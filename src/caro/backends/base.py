"""The backend protocol. A backend only produces model output; parsing and safety come after it.

A backend is constructed with the resolved Settings and offers three things:

    availability() -> Availability     cheap: can it answer now? (at most ~500 ms, cached where remote)
    generate(request) -> RawOutput     the model's answer: text and/or tool calls
    describe() -> dict                 facts for `caro doctor` and `-v`

Errors are raised as caro.errors.BackendError subclasses (never httpx/llama.cpp exceptions).

Plain classes, not dataclasses, and no typing at run time: this module is on every request's start path
(building a dataclass imports inspect, ast and tokenize and costs milliseconds at every start).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, Protocol

    from caro.context import Context

TOOL_NAME = "run_shell_command"

# Among several models a server offers, these answer first (caro's fine-tunes, then FunctionGemma).
PREFERRED_MODELS = ("caro", "functiongemma")


def preferred(name: str) -> bool:
    """Whether a model name is one caro prefers when nothing was configured."""
    lowered = name.lower()
    return any(word in lowered for word in PREFERRED_MODELS)


class _Record:
    """Equality and repr over the fields named in __slots__, as a dataclass would give."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass without frozen=True

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Availability(_Record):
    """Whether a backend can answer now, and if not, why and what to do."""

    __slots__ = ("cached", "detail", "elapsed_ms", "hint", "model", "ok", "reason")

    def __init__(
        self,
        ok: bool,
        reason: str = "",  # why not, one line ("connection refused on 127.0.0.1:1234")
        hint: str = "",  # the fix ("Run 'lms server start'")
        model: str | None = None,  # the model that would answer
        detail: dict[str, Any] | None = None,  # for doctor / -v
        elapsed_ms: float = 0.0,
        cached: bool = False,
    ) -> None:
        self.ok = ok
        self.reason = reason
        self.hint = hint
        self.model = model
        self.detail: dict[str, Any] = {} if detail is None else detail
        self.elapsed_ms = elapsed_ms
        self.cached = cached


class ToolCall(_Record):
    """One function call from the model: name and arguments (a dict, or the raw JSON string)."""

    __slots__ = ("arguments", "name")

    def __init__(self, name: str, arguments: dict[str, Any] | str) -> None:
        self.name = name
        self.arguments = arguments


class RawOutput(_Record):
    """What a backend returns: the text the model wrote and any structured tool calls."""

    __slots__ = ("info", "model", "text", "tool_calls")

    def __init__(
        self,
        text: str = "",
        tool_calls: list[ToolCall] | None = None,
        model: str = "",
        # Request/response facts for -v (endpoint, finish_reason, token counts).
        info: dict[str, Any] | None = None,
    ) -> None:
        self.text = text
        self.tool_calls: list[ToolCall] = [] if tool_calls is None else tool_calls
        self.model = model
        self.info: dict[str, Any] = {} if info is None else info


class GenerationRequest(_Record):
    """Everything a backend needs to produce one command."""

    __slots__ = ("context", "log", "model", "on_text", "prompt", "stream", "timeout")

    def __init__(
        self,
        prompt: str,
        context: Context,
        timeout: float = 30.0,
        stream: bool = True,
        model: str = "",  # overrides the backend's configured model when set
        # Called with each piece of streamed text (progress display); may be None.
        on_text: Callable[[str], None] | None = None,
        # Called with diagnostic lines for -v; may be None.
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.prompt = prompt
        self.context = context
        self.timeout = timeout
        self.stream = stream
        self.model = model
        self.on_text = on_text
        self.log = log

    def debug(self, message: str) -> None:
        if self.log:
            self.log(message)


if TYPE_CHECKING:

    class Backend(Protocol):
        """What every backend offers. See the module docstring."""

        name: ClassVar[str]

        def availability(self) -> Availability: ...

        def generate(self, request: GenerationRequest) -> RawOutput: ...

        def describe(self) -> dict[str, Any]: ...

else:

    class Backend:
        """What every backend offers (a typing Protocol for the type checker). See the module docstring."""
