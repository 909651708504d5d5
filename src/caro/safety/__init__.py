"""The safety engine's one entry point. Every suggested command, from every backend, passes through assess().

assess() sanitises the text (sanitize.py), parses it into every simple command that will run, through
pipes, substitutions and wrappers (parse.py, wrappers.py, windows.py), judges each by meaning (rules.py,
paths.py), adds the request's intent (intent.py) and the user's own rules (engine.py), then applies the
mode's block/confirm matrix. This module stays light: the engine is imported on the first call.
"""

from __future__ import annotations

# A plain class, not a dataclass, and typing only for the type checker: `caro check` and every answer import
# this module, and dataclasses (with inspect, ast, tokenize) and typing would cost more than the engine.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RISKS = ("safe", "moderate", "high", "critical")

# mode -> (lowest risk that needs confirmation, lowest risk that is blocked); None = never.
MATRIX: dict[str, tuple[str | None, str | None]] = {
    "strict": ("moderate", "high"),
    "moderate": ("high", "critical"),
    "permissive": ("critical", None),
}


class Verdict:
    """The engine's judgement of one command at one safety mode."""

    __slots__ = ("blocked", "command", "reasons", "requires_confirmation", "risk", "warnings")

    def __init__(self, command: str, risk: str, blocked: bool, requires_confirmation: bool,
                 reasons: list[str] | None = None, warnings: list[str] | None = None) -> None:
        self.command = command  # the sanitised command: what would actually run
        self.risk = risk  # safe | moderate | high | critical
        self.blocked = blocked
        self.requires_confirmation = requires_confirmation
        self.reasons: list[str] = [] if reasons is None else reasons  # one readable sentence per finding
        self.warnings: list[str] = [] if warnings is None else warnings  # sanitising notes, parse problems

    def _key(self) -> tuple[str, str, bool, bool, list[str], list[str]]:
        return (self.command, self.risk, self.blocked, self.requires_confirmation, self.reasons, self.warnings)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    def __repr__(self) -> str:
        return (f"Verdict(command={self.command!r}, risk={self.risk!r}, blocked={self.blocked!r}, "
                f"requires_confirmation={self.requires_confirmation!r}, reasons={self.reasons!r}, "
                f"warnings={self.warnings!r})")

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
    """Judge `command` (and the request `prompt` that produced it) at safety `mode`.

    Never raises on any input: if judging itself fails, the verdict is High with a reason saying so.
    """
    from caro.safety.engine import evaluate

    if mode not in MATRIX:
        mode = "strict"
    try:
        judgement = evaluate(command, prompt=prompt, shell=shell, allow=allow, deny=deny)
    except (RecursionError, MemoryError, ValueError, TypeError, IndexError, KeyError, AttributeError, UnicodeError) as exc:
        text = command if isinstance(command, str) else repr(command)
        return Verdict(text, "high", *decide("high", mode),
                       [f"high: caro could not judge this command ({type(exc).__name__}); read it carefully"],
                       ["the safety engine failed on this command"])
    risk = RISKS[judgement.level]
    blocked, confirm = decide(risk, mode)
    if judgement.must_ask and not blocked:
        confirm = True
    return Verdict(judgement.command, risk, blocked, confirm, judgement.reasons(), judgement.warnings)
