"""The engine's vocabulary: risk levels, findings, and the simple commands a script will run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

RISKS = ("safe", "moderate", "high", "critical")
SAFE, MODERATE, HIGH, CRITICAL = range(4)


@dataclass(frozen=True)
class Finding:
    """One thing the engine noticed: a level (index into RISKS) and a sentence a user can read."""

    level: int
    reason: str


@dataclass(frozen=True)
class Found:
    """What `{}` stands for inside `find … -exec`: the paths searched and whether tests narrow them."""

    roots: tuple[str, ...]
    narrowed: bool  # a name, path or regex test picks some files only
    filtered: bool = False  # other tests (age, size, type) pick some: narrowing only below the top folders


@lru_cache(maxsize=4096)
def _program(word: str, windows: bool) -> str:
    if windows:
        word = word.replace("\\", "/")
    base = word.rsplit("/", 1)[-1].lower()
    if "." in base and base.endswith((".exe", ".com", ".cmd", ".bat")):
        base = base[:-4]
    return base


@dataclass(eq=False)
class Command:
    """One simple command that will run, after wrappers (sudo, env, bash -c …) are peeled off."""

    argv: list[str]
    text: str  # the source text it came from, for messages
    via: tuple[str, ...] = ()  # wrappers it runs through, outermost first
    upstream: list[Command] = field(default_factory=list)  # commands piping into its stdin
    stdin_text: str | None = None  # literal text on its stdin (here-doc, here-string)
    subst: dict[int, list[Command]] = field(default_factory=dict)  # argv index -> commands in $(…) / <(…)
    found: Found | None = None
    dynamic: bool = False  # the command name comes from an expansion caro could not resolve
    windows: bool = False  # parsed with PowerShell / cmd rules
    redirects: list[Redirect] = field(default_factory=list)  # where its output is written
    cwd: str | None = None  # the folder an earlier `cd` in the same line moved to
    wrapped: bool = False  # caro found the command(s) this one runs and judges them instead
    guessed: bool = False  # found in the arguments of a program caro does not know
    opaque: bool = False  # runs text as code that caro cannot read (s///e, computed strings)
    resolved: dict[str, str] = field(default_factory=dict)  # `$(…)` argument -> the widest path it can be

    name: str = field(init=False, default="")  # the program: `/bin/rm`, `RM`, `rm.exe` are all `rm`

    def __post_init__(self) -> None:
        self.rename()

    def rename(self) -> None:
        """Set `name` from argv[0] (again, after argv[0] was replaced)."""
        self.name = _program(self.argv[0], self.windows) if self.argv else ""

    @property
    def args(self) -> list[str]:
        return self.argv[1:]

    @property
    def as_root(self) -> bool:
        return any(w.split()[0] in ("sudo", "doas", "su", "pkexec", "run0", "runuser") for w in self.via if w)

    def label(self) -> str:
        """Short form for messages: the text as written for a command typed at the top level, otherwise its
        words with quotes put back where a word holds spaces or shell characters."""
        if not self.via and self.text and not self.windows and self.argv and self.text.lstrip("\\'\"").startswith(
                self.argv[0][:1]):
            text = self.text
        elif self.argv:
            text = " ".join(self.argv if self.windows else (_quoted(w) for w in self.argv))
        else:
            text = self.text
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."


def _quoted(word: str) -> str:
    if word and not any(c in word for c in " \t\n$`;|&<>'\"()"):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


@dataclass
class Redirect:
    """An output redirection: operator (>, >>, &>, >|) and where it writes."""

    op: str
    target: str
    text: str


@dataclass
class Script:
    """Everything a command line will run, found by parsing it."""

    commands: list[Command] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # found while parsing (fork bombs, depth)
    problems: list[str] = field(default_factory=list)  # parse problems, for warnings
    statements: int = 0
    known: set[int] = field(default_factory=set)  # ids of commands already recorded
    too_deep: bool = False  # nesting went past what the walker follows


class LazyPattern:
    """A regular expression compiled on first use: most rules never run for a given command, and
    compiling every pattern up front would cost each caro run tens of milliseconds."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled.match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(text)

    def findall(self, text: str) -> list[Any]:
        return self.compiled.findall(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        return self.compiled.sub(repl, text, count=count)

    def subn(self, repl: str, text: str) -> tuple[str, int]:
        return self.compiled.subn(repl, text)
