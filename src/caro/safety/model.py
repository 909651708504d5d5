"""The engine's vocabulary: risk levels, findings, and the simple commands a script will run."""

from __future__ import annotations

from caro.memo import memo
from caro.patterns import LazyPattern as LazyPattern  # the safety modules take it from here

# Plain classes with __slots__, not dataclasses, and typing only for the type checker: every `caro check`
# and every answer imports this module, and dataclasses (with inspect, ast, tokenize) and typing would cost
# more than the whole engine.
RISKS = ("safe", "moderate", "high", "critical")
SAFE, MODERATE, HIGH, CRITICAL = range(4)


class Finding:
    """One thing the engine noticed: a level (index into RISKS) and a sentence a user can read. Treated
    as immutable: compared and hashed by value."""

    __slots__ = ("level", "reason")

    def __init__(self, level: int, reason: str) -> None:
        self.level = level
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.level, self.reason) == (other.level, other.reason)

    def __hash__(self) -> int:
        return hash((self.level, self.reason))

    def __repr__(self) -> str:
        return f"Finding(level={self.level!r}, reason={self.reason!r})"


class Found:
    """What `{}` stands for inside `find … -exec`: the paths searched and whether tests narrow them.
    Treated as immutable: compared and hashed by value."""

    __slots__ = ("filtered", "narrowed", "roots")

    def __init__(self, roots: tuple[str, ...], narrowed: bool, filtered: bool = False) -> None:
        self.roots = roots
        self.narrowed = narrowed  # a name, path or regex test picks some files only
        self.filtered = filtered  # other tests (age, size, type) pick some: narrowing only below the top folders

    def _key(self) -> tuple[tuple[str, ...], bool, bool]:
        return (self.roots, self.narrowed, self.filtered)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Found(roots={self.roots!r}, narrowed={self.narrowed!r}, filtered={self.filtered!r})"


@memo(4096)
def _program(word: str, windows: bool) -> str:
    if windows:
        word = word.replace("\\", "/")
    base = word.rsplit("/", 1)[-1].lower()
    if "." in base and base.endswith((".exe", ".com", ".cmd", ".bat")):
        base = base[:-4]
    return base


class Command:
    """One simple command that will run, after wrappers (sudo, env, bash -c …) are peeled off. Compared by
    identity."""

    __slots__ = ("argv", "cwd", "dynamic", "found", "guessed", "name", "opaque", "redirects", "resolved",
                 "stdin_text", "subst", "text", "upstream", "via", "windows", "wrapped")

    def __init__(
        self,
        argv: list[str],
        text: str,
        via: tuple[str, ...] = (),
        upstream: list[Command] | None = None,
        stdin_text: str | None = None,
        subst: dict[int, list[Command]] | None = None,
        found: Found | None = None,
        dynamic: bool = False,
        windows: bool = False,
        redirects: list[Redirect] | None = None,
        cwd: str | None = None,
        wrapped: bool = False,
        guessed: bool = False,
        opaque: bool = False,
        resolved: dict[str, str] | None = None,
    ) -> None:
        self.argv = argv
        self.text = text  # the source text it came from, for messages
        self.via = via  # wrappers it runs through, outermost first
        self.upstream: list[Command] = [] if upstream is None else upstream  # commands piping into its stdin
        self.stdin_text = stdin_text  # literal text on its stdin (here-doc, here-string)
        # argv index -> commands in $(…) / <(…)
        self.subst: dict[int, list[Command]] = {} if subst is None else subst
        self.found = found
        self.dynamic = dynamic  # the command name comes from an expansion caro could not resolve
        self.windows = windows  # parsed with PowerShell / cmd rules
        self.redirects: list[Redirect] = [] if redirects is None else redirects  # where its output is written
        self.cwd = cwd  # the folder an earlier `cd` in the same line moved to
        self.wrapped = wrapped  # caro found the command(s) this one runs and judges them instead
        self.guessed = guessed  # found in the arguments of a program caro does not know
        self.opaque = opaque  # runs text as code that caro cannot read (s///e, computed strings)
        # `$(…)` argument -> the widest path it can be
        self.resolved: dict[str, str] = {} if resolved is None else resolved
        self.name = ""  # the program: `/bin/rm`, `RM`, `rm.exe` are all `rm`
        self.rename()

    def __repr__(self) -> str:
        return f"Command(argv={self.argv!r}, text={self.text!r}, via={self.via!r}, name={self.name!r})"

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


class Redirect:
    """An output redirection: operator (>, >>, &>, >|) and where it writes."""

    __slots__ = ("op", "target", "text")

    def __init__(self, op: str, target: str, text: str) -> None:
        self.op = op
        self.target = target
        self.text = text

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.op, self.target, self.text) == (other.op, other.target, other.text)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    def __repr__(self) -> str:
        return f"Redirect(op={self.op!r}, target={self.target!r}, text={self.text!r})"


class Script:
    """Everything a command line will run, found by parsing it."""

    __slots__ = ("commands", "findings", "known", "problems", "redirects", "statements", "too_deep")

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.redirects: list[Redirect] = []
        self.findings: list[Finding] = []  # found while parsing (fork bombs, depth)
        self.problems: list[str] = []  # parse problems, for warnings
        self.statements = 0
        self.known: set[int] = set()  # ids of commands already recorded
        self.too_deep = False  # nesting went past what the walker follows

    def __repr__(self) -> str:
        return (f"Script(commands={self.commands!r}, findings={self.findings!r}, problems={self.problems!r}, "
                f"statements={self.statements!r}, too_deep={self.too_deep!r})")
