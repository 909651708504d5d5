"""The built-in catalog backend: no server, no model, answers in about a millisecond, or declines."""

from __future__ import annotations

import time

from caro.backends.base import TOOL_NAME, Availability, GenerationRequest, RawOutput, ToolCall
from caro.config import Settings
from caro.errors import Declined

# typing only for the type checker: this module is on a request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

DECLINE_MESSAGE = "the built-in catalog does not know this request"
DECLINE_HINT = "Start LM Studio ('lms server start') or add a model ('caro models pull'), or rephrase."


class BuiltinBackend:
    """Answers everyday requests from the curated catalog; declines whatever it is not sure of."""

    name: ClassVar[str] = "builtin"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def availability(self) -> Availability:
        return Availability(ok=True, model="catalog")

    def generate(self, request: GenerationRequest) -> RawOutput:
        from caro import catalog

        started = time.perf_counter()
        found = catalog.match(request.prompt, request.context)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if found is None:
            request.debug(f"builtin: no confident catalog match ({elapsed_ms:.1f} ms)")
            raise Declined(DECLINE_MESSAGE, DECLINE_HINT)
        request.debug(f"builtin: intent {found.intent_id} (score {found.score:.2f}, {elapsed_ms:.1f} ms)")
        arguments = {"command": found.command, "explanation": found.explanation}
        return RawOutput(
            tool_calls=[ToolCall(TOOL_NAME, arguments)],
            model="catalog",
            info={
                "intent": found.intent_id,
                "score": round(found.score, 3),
                "match_ms": round(elapsed_ms, 2),
            },
        )

    def describe(self) -> dict[str, Any]:
        from caro import catalog

        loaded = catalog.get()
        return {"backend": self.name, "model": "catalog", "intents": len(loaded)}
