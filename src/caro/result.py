"""The one result every run produces, and its rendering as JSON or YAML (schema: docs/output.md)."""

from __future__ import annotations

from caro.errors import CaroError

# Plain classes, not dataclasses, and json imported when used: this module is on every run's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Fallback:
    """A backend that was tried and passed over, and why."""

    __slots__ = ("backend", "reason")

    def __init__(self, backend: str, reason: str) -> None:
        self.backend = backend
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fallback):
            return NotImplemented
        return (self.backend, self.reason) == (other.backend, other.reason)

    def __repr__(self) -> str:
        return f"Fallback({self.backend!r}, {self.reason!r})"

    def as_dict(self) -> dict[str, str]:
        return {"backend": self.backend, "reason": self.reason}


class Result:
    """Everything one `caro` run decided. Rendered as one JSON/YAML object, or as plain text."""

    def __init__(
        self,
        prompt: str = "",
        command: str | None = None,
        explanation: str = "",
        risk: str | None = None,
        blocked: bool = False,
        requires_confirmation: bool = False,
        reasons: list[str] | None = None,
        warnings: list[str] | None = None,
        backend: str | None = None,
        model: str | None = None,
        fallbacks: list[Fallback] | None = None,
        generation_ms: float | None = None,
        total_ms: float | None = None,
        executed: bool = False,
        exit_code: int | None = None,
        error: CaroError | None = None,
        raw_output: str = "",
    ) -> None:
        self.prompt = prompt
        self.command = command
        self.explanation = explanation
        self.risk = risk
        self.blocked = blocked
        self.requires_confirmation = requires_confirmation
        self.reasons: list[str] = list(reasons or [])
        self.warnings: list[str] = list(warnings or [])
        self.backend = backend
        self.model = model
        self.fallbacks: list[Fallback] = list(fallbacks or [])
        self.generation_ms = generation_ms
        self.total_ms = total_ms
        self.executed = executed
        self.exit_code = exit_code
        self.error = error
        # The model's raw answer, for -v diagnostics only (not part of the schema).
        self.raw_output = raw_output

    def as_dict(self) -> dict[str, Any]:
        """The documented schema, in a fixed key order."""
        return {
            "command": self.command,
            "explanation": self.explanation,
            "risk": self.risk,
            "blocked": self.blocked,
            "requires_confirmation": self.requires_confirmation,
            "warnings": [*self.reasons, *self.warnings],
            "backend": self.backend,
            "model": self.model,
            "fallbacks": [f.as_dict() for f in self.fallbacks],
            "timing_ms": {
                "generation": None if self.generation_ms is None else round(self.generation_ms, 1),
                "total": None if self.total_ms is None else round(self.total_ms, 1),
            },
            "executed": self.executed,
            "exit_code": self.exit_code,
            "error": self.error.as_dict() if self.error else None,
        }


def to_json(data: dict[str, Any], *, indent: int | None = 2) -> str:
    from caro import jsontext

    return jsontext.dumps(data, ensure_ascii=False, indent=indent, default=str)


def to_yaml(data: dict[str, Any]) -> str:
    import yaml  # only on the -o yaml path

    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text
