"""Terminal output: stdout carries the result only; everything else goes to stderr."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: every command imports this module, so typing stays out
if TYPE_CHECKING:
    from typing import TextIO

# One palette for every place caro shows a risk level: green, yellow, red, bold red.
RISK_COLOURS = {"safe": "32", "moderate": "33", "high": "31", "critical": "1;31"}


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set and not empty (no-color.org) or TERM is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return is_tty(stream)


def paint(text: str, code: str, stream: TextIO = sys.stderr) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if use_colour(stream) else text


def risk_label(risk: str, stream: TextIO = sys.stderr) -> str:
    return paint(risk, RISK_COLOURS.get(risk, "0"), stream)


def err(message: str = "") -> None:
    """One line on stderr."""
    print(message, file=sys.stderr, flush=True)


def note(message: str) -> None:
    """A caro notice on stderr ('caro: ...'). On a terminal it first clears a progress line, if any."""
    clear = "\r\x1b[K" if is_tty(sys.stderr) else ""
    err(f"{clear}caro: {message}")


class Log:
    """The -v channel: diagnostic lines on stderr, prefixed, only when verbose."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def __call__(self, message: str) -> None:
        if self.verbose:
            err(paint(f"caro: {message}", "2"))
