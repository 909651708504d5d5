"""The safety engine's one entry point. Every suggested command, from every backend, passes through assess().

PLACEHOLDER: the full engine (sanitise, parse with a real shell parser, rules by meaning) lands with
issue 3 and replaces the body of this module while keeping this interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RISKS = ("safe", "moderate", "high", "critical")

# mode -> (lowest risk that needs confirmation, lowest risk that is blocked); None = never.
MATRIX: dict[str, tuple[str | None, str | None]] = {
    "strict": ("moderate", "high"),
    "moderate": ("high", "critical"),
    "permissive": ("critical", None),
}


@dataclass
class Verdict:
    """The engine's judgement of one command at one safety mode."""

    command: str  # the sanitised command: what would actually run
    risk: str  # safe | moderate | high | critical
    blocked: bool
    requires_confirmation: bool
    reasons: list[str] = field(default_factory=list)  # one readable sentence per finding
    warnings: list[str] = field(default_factory=list)  # sanitising notes, parse problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "risk": self.risk,
            "blocked": self.blocked,
            "requires_confirmation": self.requires_confirmation,
            "reasons": list(self.reasons),
        }


def decide(risk: str, mode: str) -> tuple[bool, bool]:
    """(blocked, requires_confirmation) for a risk level at a safety mode."""
    confirm_from, block_from = MATRIX[mode]
    level = RISKS.index(risk)
    blocked = block_from is not None and level >= RISKS.index(block_from)
    confirm = not blocked and confirm_from is not None and level >= RISKS.index(confirm_from)
    return blocked, confirm


def assess(
    command: str,
    *,
    mode: str = "moderate",
    prompt: str | None = None,
    shell: str = "bash",
    allow: list[str] | None = None,
    deny: list[dict[str, Any]] | None = None,
) -> Verdict:
    """Judge `command` (and the request `prompt` that produced it) at safety `mode`."""
    cleaned = command.strip()
    risk = "moderate"
    blocked, confirm = decide(risk, mode)
    return Verdict(cleaned, risk, blocked, confirm, ["placeholder engine: every command needs a look"])
