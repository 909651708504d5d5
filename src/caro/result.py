"""The one result every run produces, and its rendering as JSON or YAML (schema: docs/output.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from caro.errors import CaroError


@dataclass
class Fallback:
    """A backend that was tried and passed over, and why."""

    backend: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"backend": self.backend, "reason": self.reason}


@dataclass
class Result:
    """Everything one `caro` run decided. Rendered as one JSON/YAML object, or as plain text."""

    prompt: str = ""
    command: str | None = None
    explanation: str = ""
    risk: str | None = None
    blocked: bool = False
    requires_confirmation: bool = False
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backend: str | None = None
    model: str | None = None
    fallbacks: list[Fallback] = field(default_factory=list)
    generation_ms: float | None = None
    total_ms: float | None = None
    executed: bool = False
    exit_code: int | None = None
    error: CaroError | None = None
    # The model's raw answer, for -v diagnostics only (not part of the schema).
    raw_output: str = ""

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


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_yaml(data: dict[str, Any]) -> str:
    import yaml  # only on the -o yaml path

    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text
