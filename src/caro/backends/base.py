"""The backend protocol. A backend only produces model output; parsing and safety come after it.

A backend is constructed with the resolved Settings and offers three things:

    availability() -> Availability     cheap: can it answer now? (at most ~500 ms, cached where remote)
    generate(request) -> RawOutput     the model's answer: text and/or tool calls
    describe() -> dict                 facts for `caro doctor` and `-v`

Errors are raised as caro.errors.BackendError subclasses (never httpx/llama.cpp exceptions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from caro.context import Context

TOOL_NAME = "run_shell_command"

# Among several models a server offers, these answer first (caro's fine-tunes, then FunctionGemma).
PREFERRED_MODELS = ("caro", "functiongemma")


def preferred(name: str) -> bool:
    """Whether a model name is one caro prefers when nothing was configured."""
    lowered = name.lower()
    return any(word in lowered for word in PREFERRED_MODELS)


@dataclass
class Availability:
    """Whether a backend can answer now, and if not, why and what to do."""

    ok: bool
    reason: str = ""  # why not, one line ("connection refused on 127.0.0.1:1234")
    hint: str = ""  # the fix ("Run 'lms server start'")
    model: str | None = None  # the model that would answer
    detail: dict[str, Any] = field(default_factory=dict)  # for doctor / -v
    elapsed_ms: float = 0.0
    cached: bool = False


@dataclass
class ToolCall:
    """One function call from the model: name and arguments (a dict, or the raw JSON string)."""

    name: str
    arguments: dict[str, Any] | str


@dataclass
class RawOutput:
    """What a backend returns: the text the model wrote and any structured tool calls."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    model: str = ""
    # Request/response facts for -v (endpoint, finish_reason, token counts).
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class GenerationRequest:
    """Everything a backend needs to produce one command."""

    prompt: str
    context: Context
    timeout: float = 30.0
    stream: bool = True
    model: str = ""  # overrides the backend's configured model when set
    # Called with each piece of streamed text (progress display); may be None.
    on_text: Callable[[str], None] | None = None
    # Called with diagnostic lines for -v; may be None.
    log: Callable[[str], None] | None = None

    def debug(self, message: str) -> None:
        if self.log:
            self.log(message)


class Backend(Protocol):
    """What every backend offers. See the module docstring."""

    name: ClassVar[str]

    def availability(self) -> Availability: ...

    def generate(self, request: GenerationRequest) -> RawOutput: ...

    def describe(self) -> dict[str, Any]: ...
