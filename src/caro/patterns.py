"""Regular expressions on the start path: compiled on first use, and compiled once per interpreter.

Most of caro's patterns are never used by a given request, so none is compiled at import (`LazyPattern`).
The ones a request does use cost `re.compile` its pure-Python parser and code generator, a few hundred
microseconds each, at every start. What that work produces is a list of integers that the C engine
(`_sre`) turns into a pattern in microseconds; caro keeps those lists in
`$CARO_HOME/cache/regex-<interpreter>.bin` (marshal), so the next start parses no pattern it has seen
before.

Modules on the start path use this module in place of `re` (`from caro import patterns as rx`;
`rx.search(...)`, `rx.IGNORECASE`): the same functions, so `re` itself (with `enum`, `functools` and
`collections`, ≈ 8 ms of a fresh interpreter's start) is imported only when a pattern is met for the
first time on this interpreter.

A list is kept only when the pattern it makes is equal to `re.compile`'s (pattern equality compares the
compiled code), and the file is named for the exact interpreter version, so another Python never reads
it. Anything unexpected (a damaged file, an interpreter whose internals differ) falls back to
`re.compile`.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the C engine re.compile hands its code to
import marshal
import os
import sys

TYPE_CHECKING = False  # not typing's: this module is on the start path
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterator
    from re import Match as Match
    from re import Pattern as Pattern
    from typing import Any

# re's flag values (re.RegexFlag is an enum; these are its plain integers, which _sre and re both take)
IGNORECASE = 2
MULTILINE = 8
DOTALL = 16
VERBOSE = 64
ASCII = 256

MAX_KEPT = 4000  # patterns in the file; a home that has used caro for long holds about 200
MAX_MADE = 512  # patterns kept compiled in one process, as re's own cache
_folder: str | None = None  # None: not decided yet ($CARO_HOME/cache on first use); "": keep nothing
_entries: dict[tuple[str, int], tuple[Any, ...]] | None = None  # (source, flags) -> _sre.compile's arguments
_changed = False


def keep_in(folder: str | None) -> None:
    """Keep compiled patterns in `folder` ("": keep none; None: caro's cache, the default)."""
    global _folder, _entries
    _folder, _entries = folder, None


def _where() -> str:
    global _folder
    if _folder is None:
        from caro.config import _home_str

        _folder = os.path.join(_home_str(os.environ), "cache")
    return _folder


def cache_file(folder: str) -> str:
    """One file per interpreter version (and marshal format): another Python never reads it."""
    tag = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{marshal.version}"
    return os.path.join(folder, f"regex-{tag}.bin")


def _build(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, from the kept code when there is some."""
    if not _where() or _sre.CODESIZE != 4:
        import re

        return re.compile(source, flags)
    entries = _entries if _entries is not None else _read()
    flags = int(flags)  # a RegexFlag is not marshallable; its value is
    entry = entries.get((source, flags))
    if entry is not None:
        try:
            made: re.Pattern[str] = _sre.compile(source, entry[0], list(memoryview(entry[1]).cast("I")), *entry[2:])
            return made
        except Exception:  # _sre validates the code it is given: a damaged entry is compiled again below
            pass
    import re

    pattern = re.compile(source, flags)
    arguments = _arguments(source, flags, pattern)
    if arguments is not None:
        global _changed
        if not _changed:
            import atexit

            atexit.register(_save)
            _changed = True
        entries[(source, flags)] = arguments
    return pattern


def _read() -> dict[tuple[str, int], tuple[Any, ...]]:
    global _entries
    _entries = _load(cache_file(_folder)) if _folder else {}
    return _entries


def _load(path: str) -> dict[tuple[str, int], tuple[Any, ...]]:
    try:
        with open(path, "rb") as handle:
            loaded = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _arguments(source: str, flags: int, pattern: re.Pattern[str]) -> tuple[Any, ...] | None:
    """What re.compile passed to `_sre.compile` for this pattern (as re/_compiler.py builds it), or None
    when rebuilding it does not give exactly `pattern` (another interpreter's internals)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(source, flags)
        code = _compiler._code(parsed, flags)
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        arguments = (int(flags | state.flags), code, state.groups - 1, dict(state.groupdict), tuple(indexgroup))
        if _sre.compile(source, *arguments) != pattern:
            return None
        words = b"".join(word.to_bytes(4, sys.byteorder) for word in code)
        return (arguments[0], words, *arguments[2:])
    except Exception:  # internals differ on this interpreter: plain re.compile only
        return None


def _save() -> None:
    """At exit, when this run compiled something new: merge with the file (another caro may have added to
    it meanwhile) and replace it atomically."""
    if not _folder or _entries is None:
        return
    if not os.path.isdir(os.path.dirname(_folder)):
        return  # caro's home is gone (a temporary one, removed before exit): nothing to keep it in
    from caro.config import write_cache

    path = cache_file(_folder)
    merged = {**_load(path), **_entries}
    if len(merged) > MAX_KEPT:  # patterns built from text (a user's rules, $IFS) must not grow it forever
        merged = dict(_entries)
    try:
        data = marshal.dumps(merged)
    except ValueError:
        return  # never a traceback at exit; the next run compiles again
    write_cache(path, data)


_made: dict[tuple[str, int], re.Pattern[str]] = {}


def compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`: built once per process (as re caches them), from the kept code when
    there is some."""
    made = _made.get((source, flags))
    if made is None:
        if len(_made) >= MAX_MADE:
            _made.clear()
        made = _made[(source, flags)] = _build(source, flags)
    return made


def search(source: str, text: str, flags: int = 0) -> re.Match[str] | None:
    return compile(source, flags).search(text)


def match(source: str, text: str, flags: int = 0) -> re.Match[str] | None:
    return compile(source, flags).match(text)


def fullmatch(source: str, text: str, flags: int = 0) -> re.Match[str] | None:
    return compile(source, flags).fullmatch(text)


def findall(source: str, text: str, flags: int = 0) -> list[Any]:
    return compile(source, flags).findall(text)


def finditer(source: str, text: str, flags: int = 0) -> Iterator[re.Match[str]]:
    return compile(source, flags).finditer(text)


def split(source: str, text: str, maxsplit: int = 0, flags: int = 0) -> list[str]:
    return compile(source, flags).split(text, maxsplit)


def sub(source: str, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0, flags: int = 0) -> str:
    return compile(source, flags).sub(repl, text, count)


def subn(source: str, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0,
         flags: int = 0) -> tuple[str, int]:
    return compile(source, flags).subn(repl, text, count)


# re.escape's table: every character that has a meaning in a pattern gets a backslash
_SPECIAL = {i: "\\" + chr(i) for i in b"()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}


def escape(text: str) -> str:
    """`re.escape(text)`."""
    return text.translate(_SPECIAL)


class LazyPattern:
    """A regular expression compiled on first use: most patterns never run for a given request, and
    compiling every one up front would cost each caro run tens of milliseconds."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = _build(self._source, self._flags)
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
