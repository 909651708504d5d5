"""Clean a suggested command before anything judges or shows it.

What a terminal shows must be what the shell runs: escape sequences, control characters and invisible or
bidirectional Unicode can make the two differ, so they are removed and the user is told. Markdown fences
and a leading prompt sign are presentation, not command, and are removed quietly (with a note).
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety.model import LazyPattern

# Longer commands are still judged, but flagged: nobody reads 16 kB before saying yes.
MAX_LENGTH = 16_384

_FENCE = LazyPattern(r"^\s*```[\w+.-]*[ \t]*\n(?P<body>.*?)\n?[ \t]*```\s*$", rx.DOTALL)
_ANSI = LazyPattern(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# Characters that change how text displays without being visible themselves.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u180e\u2061\u2062\u2063\u2064")
_PROMPT = LazyPattern(r"^[ \t]*(?:\$|PS [^>\n]*>|PS>)[ \t]+")


class Sanitized:
    """The cleaned command plus what was changed and whether anything hid text."""

    __slots__ = ("backticked", "command", "hidden", "lines", "too_long", "warnings")

    def __init__(self, command: str) -> None:
        self.command = command
        self.warnings: list[str] = []
        self.hidden = False  # something that displays differently from what runs was removed
        self.too_long = False
        self.lines = 1
        self.backticked: str | None = None  # the command with the markdown backticks that were removed, as pasted

    def __repr__(self) -> str:
        return (f"Sanitized(command={self.command!r}, warnings={self.warnings!r}, hidden={self.hidden!r}, "
                f"too_long={self.too_long!r}, lines={self.lines!r}, backticked={self.backticked!r})")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def sanitize(text: str) -> Sanitized:
    """Return the command as it would run, with a note for every change made."""
    out = Sanitized(command="")
    if not isinstance(text, str):  # defensive: the engine never raises on odd input
        text = str(text)
    text = _unwrap_markdown(text.replace("\r\n", "\n"), out)
    text = _remove_hidden(text, out)
    text = _strip_prompts(text, out)
    out.command = text
    out.lines = text.count("\n") + 1 if text else 0
    if len(text) > MAX_LENGTH:
        out.too_long = True
        out.warnings.append(f"the command is {len(text)} characters long, over the {MAX_LENGTH}-character limit")
    return out


def _unwrap_markdown(text: str, out: Sanitized) -> str:
    """A fenced block or inline backticks around the whole answer are presentation, not command."""
    fence = _FENCE.match(text) if "```" in text else None  # no regex compiled for the usual command
    if fence:
        text = fence.group("body")
        out.warnings.append("removed the markdown code fence around the command")
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == "`" and "`" not in stripped[1:-1] and "\n" not in stripped:
        # Inline markdown code: as shell it would be a command substitution whose output runs.
        out.backticked = stripped
        text = stripped[1:-1]
        out.warnings.append("removed the markdown backticks around the command")
    return text


def _hidden_kind(ch: str) -> str:
    """What an invisible or control character is, for the note; "" for an ordinary one."""
    code = ord(ch)
    if ch == "\x00":
        return "NUL character"
    if ch == "\r":
        return "carriage return"  # lets later text overwrite earlier text on screen
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return "control character"
    if ch in _BIDI:
        return "bidirectional-override character"
    if ch in _ZERO_WIDTH:
        return "zero-width character"
    import unicodedata  # only for characters outside ASCII: not loaded for the usual command

    if unicodedata.category(ch) == "Cf":
        return "invisible formatting character"
    return ""


def _remove_hidden(text: str, out: Sanitized) -> str:
    """Remove escape sequences and characters that display differently from what runs; note each kind."""
    removed: dict[str, int] = {}
    ansi = 0
    if "\x1b" in text or "\x9b" in text:  # every sequence starts with ESC or 8-bit CSI
        text, ansi = _ANSI.subn("", text)
    if ansi:
        removed["ANSI escape sequence"] = ansi
    # Decide once per distinct character, then remove them all in one pass (fast on 10 kB input).
    table: dict[int, str | None] = {}
    for ch in sorted(set(text)):
        if ch in "\n\t" or 0x20 <= ord(ch) < 0x7F:
            continue
        import unicodedata  # only for characters outside ASCII: not loaded for the usual command

        kind = _hidden_kind(ch)
        if not kind and unicodedata.category(ch) == "Zs":
            # a no-break space looks like a separator but is not one to the shell
            kind = "unusual space character (replaced by a plain space)"
            table[ord(ch)] = " "
        elif kind:
            table[ord(ch)] = None
        if kind:
            removed[kind] = removed.get(kind, 0) + text.count(ch)
    if table:
        text = text.translate(table)
    if removed:
        out.hidden = True
        parts = ", ".join(_plural(n, kind) for kind, n in removed.items())
        out.warnings.append(
            f"removed {parts}: such characters can make a command display differently from what runs"
        )
    return text


def _strip_prompts(text: str, out: Sanitized) -> str:
    """Drop a leading `$ ` or `PS>` prompt sign on each line and blank lines around the command."""
    lines = [line.rstrip() for line in text.split("\n")]
    prompts = 0
    for i, line in enumerate(lines):
        new = _PROMPT.sub("", line, count=1) if "$" in line or "PS" in line else line
        if new != line:
            prompts += 1
            lines[i] = new
    if prompts:
        out.warnings.append("removed the leading '$ ' prompt sign")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).strip()
