"""The one pipeline: request -> backend chain -> parse -> sanitise and judge -> Result. Never executes."""

from __future__ import annotations

import time

from caro import chain, context
from caro.backends.base import GenerationRequest
from caro.errors import BlockedError, CaroError, NoBackendError
from caro.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from caro.config import Settings


def generate(
    prompt: str,
    settings: Settings,
    *,
    on_text: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
    notify: bool = False,
    started: float | None = None,
    on_backend: Callable[[str], None] | None = None,
) -> Result:
    """Turn `prompt` into a judged command. Failures are returned in `Result.error`, never raised."""
    started = time.perf_counter() if started is None else started
    result = Result(prompt=prompt)
    try:
        ctx = context.build(settings)
        if log:
            log(f"context: {ctx.describe()}, cwd {ctx.cwd}; safety mode {settings.safety}")
        request = GenerationRequest(
            prompt=prompt,
            context=ctx,
            timeout=settings.timeout,
            stream=bool(settings["lmstudio.stream"]),
            model=str(settings["model"]),
            on_text=on_text,
            log=log,
        )
        answer = chain.run(settings, request, notify=notify, on_backend=on_backend)
        result.backend = answer.backend
        result.model = answer.raw.model or None
        result.fallbacks = answer.fallbacks
        result.generation_ms = answer.generation_ms
        result.raw_output = answer.raw.text
        result.explanation = answer.suggestion.explanation

        from caro import safety

        verdict = safety.assess(
            answer.suggestion.command,
            mode=settings.safety,
            prompt=prompt,
            shell=ctx.shell,
            allow=list(settings["safety_rules.allow"]),
            deny=list(settings["safety_rules.deny"]),
        )
        result.command = verdict.command
        result.risk = verdict.risk
        result.blocked = verdict.blocked
        result.requires_confirmation = verdict.requires_confirmation
        result.reasons = list(verdict.reasons)
        result.warnings = list(verdict.warnings)
        if verdict.blocked:
            why = verdict.reasons[0] if verdict.reasons else f"{verdict.risk} risk"
            result.error = BlockedError(
                f"blocked at safety mode '{settings.safety}': {why}",
                "caro will not run this command. Check it with 'caro check', rephrase the request, "
                "or change the mode with --safety only if you are sure.",
            )
    except CaroError as exc:
        result.error = exc
        if isinstance(exc, NoBackendError):
            result.fallbacks = list(exc.fallbacks)
    result.total_ms = (time.perf_counter() - started) * 1000
    return result
