"""Slot types: which entities can fill a slot, how a value is checked, and how it is written into a command.

A slot's type is named by the slot itself (`{dir}`, `{size}`, `{process}`), so the catalog data stays short.
Every value reaches the command quoted for the target shell (POSIX `shlex.quote`, PowerShell single
quotes), except values this module builds itself from validated numbers.
"""

from __future__ import annotations

import math

from caro import patterns as rx
from caro.catalog.entities import PROPER_FILES, Entity, Lazy
from caro.memo import memo
from caro.shell_syntax import quote

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

_NAME = Lazy(r"^[A-Za-z0-9][\w.+@:/-]*$")
_HOST = Lazy(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"
    r"|^\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?$"
)
_USER = Lazy(r"^[a-z_][a-z0-9_.-]{0,31}$")
_MODE = Lazy(r"^(?:[0-7]{3,4}|[ugoa]{0,3}[+\-=][rwxXst]{1,4})$")
_VAR = Lazy(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _bare_file(value: str) -> bool:
    """A word with no extension names a file only when it is a well-known one (Makefile, README)."""
    return value.lower() in PROPER_FILES or bool(rx.match(r"^\.?[\w-]*_[\w-]*$", value))


def _size_find(e: Entity) -> str:
    """Bytes -> find's -size argument (GNU and BSD find both read c/k/M/G suffixes, rounding sizes up to
    the unit: "-size -1k" would match only empty files, so a size under 1k is given in bytes)."""
    for unit, factor in (("G", 1024**3), ("M", 1024**2), ("k", 1024)):
        if e.number >= factor and e.number % factor == 0:
            return f"{int(e.number // factor)}{unit}"
    if e.number < 1024**2:
        return f"{math.ceil(e.number)}c"
    if e.number >= 1024**2:
        return f"{math.ceil(e.number / 1024**2)}M"
    return f"{max(1, math.ceil(e.number / 1024))}k"


def _size_ps(e: Entity) -> str:
    return str(int(e.number))


def _age_find(e: Entity) -> str:
    minutes = max(1, math.ceil(e.number))
    if minutes % 1440 == 0:
        return f"-mtime -{minutes // 1440}"
    return f"-mmin -{minutes}"


class SlotType:
    """Entity kinds accepted (most specific first), a check, and `build`: the text put into the command
    (None = quote the value for the shell). `anchored`: a plain word after an anchor word in the prompt
    may fill it ("install git")."""

    __slots__ = ("anchored", "build", "check", "kinds")

    def __init__(
        self,
        kinds: tuple[str, ...],
        check: Callable[[Entity], bool] = lambda e: True,
        build: Callable[[Entity], str] | None = None,
        anchored: bool = False,
    ) -> None:
        self.kinds = kinds  # entity kinds accepted, most specific first
        self.check = check
        self.build = build
        self.anchored = anchored

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


def _one_word(e: Entity) -> bool:
    """Unquoted, a name or search text is one word: "with multiple patterns" names nothing."""
    return e.kind != "word" or " " not in e.value


def _name_type(pattern: Lazy = _NAME, kinds: tuple[str, ...] = ("quoted", "word", "image")) -> SlotType:
    return SlotType(kinds, lambda e: bool(pattern.match(e.value)), anchored=True)


def _thing_type(pattern: Lazy = _NAME, kinds: tuple[str, ...] = ("quoted", "word", "image")) -> SlotType:
    """A name that is never a document's: packages, branches, services, containers."""
    return SlotType(kinds, _name_ok(pattern), anchored=True)


_PATHS = ("path", "file", "dir", "quoted", "var", "glob", "word", "image")
_GLOB_OK = Lazy(r"^[\w./*-]+$")


def _glob_ok(e: Entity) -> bool:
    return bool(rx.match(r"^[A-Za-z0-9]{1,8}$", e.value)) if e.kind == "ext" else bool(_GLOB_OK.match(e.value))


def _glob(e: Entity) -> str:
    return f"*.{e.value}" if e.kind == "ext" else e.value


_ARCHIVE_LIKE = Lazy(r"\.(?:tar|gz|tgz|bz2|xz|zip|7z|rar|zst)$", rx.IGNORECASE)


# Folders every Unix system has: "/tmp" or "/var/log" is never a file to print or count.
_SYSTEM_FOLDERS = Lazy(r"^/(?:tmp|etc|var|usr|opt|home|srv|root|boot|dev|proc|sys|mnt|media|bin|sbin|lib|run)?/?$|^/var/(?:log|tmp|lib|cache|www)/?$|^/usr/(?:local|bin|lib|share)/?$|/$")


def system_folder(value: str) -> bool:
    """ "/tmp", "/var/log", "src/": a path that names a folder by its shape or by convention."""
    return bool(_SYSTEM_FOLDERS.match(value))


# "the usr folder" is /usr or a folder named usr here: too close to call.
_SYSTEM_NAMES = frozenset(
    {"usr", "etc", "var", "opt", "bin", "sbin", "lib", "boot", "dev", "proc", "sys", "srv", "mnt", "root"}
)


def _file_shaped(e: Entity) -> bool:
    """Quoted words with spaces name a file only with an extension or a folder in them ("my notes.txt");
    a system folder or a path ending in "/" is no file."""
    if e.kind in ("path", "file") and _SYSTEM_FOLDERS.match(e.value):
        return False
    return e.kind != "quoted" or not rx.search(r"\s", e.value) or bool(rx.search(r"[./]", e.value))


def _path_ok(e: Entity) -> bool:
    """A pattern of safe characters; a bare word only when it is introduced as a name, follows "in", or
    looks like a file ("Makefile", "my_notes"): "find links that point to nothing" names no paths."""
    if e.kind == "glob":
        return bool(_GLOB_OK.match(e.value))
    if e.kind == "word":
        return (e.named or e.after_in or _bare_file(e.value)) and _one_word(e)
    return True


def _nth_ok(e: Entity) -> bool:
    """A position: "3rd", "tenth", or a number right after "line"/"column"; "2 lines" is an amount."""
    return (e.kind == "ordinal" or e.positional) and e.value.isdigit() and 1 <= int(e.value) <= 1000000


# A value ending like a document ("temp.log") names a file, not a package, branch or service.
_FILE_LIKE = Lazy(
    r"\.(?:log|txt|csv|json|ya?ml|md|pdf|conf|cfg|ini|xml|html?|sh|py|js|ts|c|h|cpp|rs|java|tar|gz|tgz|zip|bz2|xz"
    r"|png|jpe?g|gif|svg|mp[34]|iso|bak|tmp|db|sql|out|doc|docx|xls|xlsx)$",
    rx.IGNORECASE,
)


# A shell or tool start-up file ("bashrc", ".zshrc", "npmrc"): a file, never a service or package.
_RC_FILE = Lazy(r"^\.?\w{2,}rc$", rx.IGNORECASE)


_DOT_FILES = frozenset({".profile", ".bash_profile", ".gitconfig", ".gitignore", ".env", ".bash_history"})


def _start_up_file(value: str) -> bool:
    """ "~/.bashrc", ".gitconfig": a file, never a folder to list."""
    base = value.rstrip("/").rsplit("/", 1)[-1].lower()
    return base.startswith(".") and (base in _DOT_FILES or bool(_RC_FILE.compiled.match(base)))


# Well-known files with no extension: "show /etc/hosts" means cat, never ls.
SYSTEM_FILES = frozenset(
    ["/etc/hosts", "/etc/passwd", "/etc/group", "/etc/fstab", "/etc/hostname", "/etc/os-release", "/etc/shells", "/etc/crontab", "/etc/issue", "/etc/timezone", "/etc/environment", "/proc/cpuinfo", "/proc/meminfo", "/proc/version", "/proc/mounts"]
)


def _name_ok(pattern: Lazy) -> Callable[[Entity], bool]:
    return lambda e: (
        bool(pattern.match(e.value))
        and not _FILE_LIKE.compiled.search(e.value)
        and not _RC_FILE.compiled.match(e.value)
    )


def _port_ok(e: Entity) -> bool:
    return e.value.isdigit() and 1 <= int(e.value) <= 65535


def _count_ok(e: Entity) -> bool:
    return e.value.isdigit() and 1 <= int(e.value) <= 100000


SLOT_TYPES: dict[str, SlotType] = {
    # A folder: never a document or an archive ("links to path/to/foo.txt" names a file).
    "dir": SlotType(
        ("dir", "path", "quoted", "var", "word"),
        lambda e: not _ARCHIVE_LIKE.compiled.search(e.value)
        and not _FILE_LIKE.compiled.search(e.value)
        and not (e.kind in ("dir", "word") and e.value.lower() in _SYSTEM_NAMES)
        and not _start_up_file(e.value)
        and e.value not in SYSTEM_FILES,
    ),
    "folder": SlotType(("dir",)),
    "file": SlotType(
        ("file", "path", "quoted", "var", "glob", "word"),
        lambda e: (e.kind != "word" or e.named or _bare_file(e.value)) and _path_ok(e) and _file_shaped(e),
    ),
    # A folder's name for find -type d: a name, not a document ("myfile.txt").
    "dirname": SlotType(
        ("file", "path", "quoted", "word"),
        lambda e: (e.kind != "word" or e.named) and _one_word(e) and not _FILE_LIKE.compiled.search(e.value),
    ),
    "path": SlotType(_PATHS, _path_ok),
    "src": SlotType(_PATHS, _path_ok),
    "dst": SlotType(tuple(k for k in _PATHS if k != "glob")),
    "archive": SlotType(
        ("file", "path", "quoted"),
        lambda e: bool(rx.search(r"\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz)$", e.value, rx.IGNORECASE)),
    ),
    "zipfile": SlotType(("file", "path", "quoted"), lambda e: bool(rx.search(r"\.zip$", e.value, rx.IGNORECASE))),
    "gzfile": SlotType(
        ("file", "path", "quoted"), lambda e: bool(rx.search(r"(?<!\.tar)\.gz$", e.value, rx.IGNORECASE))
    ),
    "ext": SlotType(("ext",), lambda e: bool(rx.match(r"^[A-Za-z0-9]{1,8}$", e.value))),
    # A name pattern for find -name (quoted): "*.log" from "log files", or the user's own "vmware-*.log".
    "glob": SlotType(("glob", "ext"), _glob_ok, build=_glob),
    # The same, left for the shell to expand: "wc -l *.js".
    "shglob": SlotType(("glob", "ext"), _glob_ok, build=_glob),
    "nth": SlotType(("ordinal", "num"), _nth_ok, build=lambda e: str(int(e.value))),
    "range": SlotType(("range",), build=lambda e: e.value),
    "size": SlotType(("size",), lambda e: e.number > 0, build=_size_find),
    "bytes": SlotType(("size",), lambda e: e.number > 0, build=_size_ps),
    "age": SlotType(("duration",), lambda e: e.number > 0, build=_age_find),
    "minutes": SlotType(
        ("duration",), lambda e: e.number > 0, build=lambda e: str(max(1, math.ceil(e.number)))
    ),
    # Whole days only: "not modified in 10 minutes" is no number of days.
    "days": SlotType(
        ("duration",), lambda e: e.number >= 1440 and e.number % 1440 == 0, build=lambda e: str(int(e.number // 1440))
    ),
    "seconds": SlotType(
        ("duration",), lambda e: e.number > 0, build=lambda e: str(max(1, round(e.number * 60)))
    ),
    "port": SlotType(("port", "hostport", "num"), _port_ok, build=lambda e: str(int(e.value))),
    "count": SlotType(("num",), _count_ok, build=lambda e: str(int(e.value))),
    # Lines to show for {count} rows under a header line: "top 5 processes" is `ps aux | head -n 6`.
    "rows": SlotType(("num",), _count_ok, build=lambda e: str(int(e.value) + 1)),
    "epoch": SlotType(("num",), lambda e: e.value.isdigit(), build=lambda e: str(int(e.value))),
    "pid": SlotType(
        ("num",), lambda e: e.value.isdigit() and int(e.value) > 1, build=lambda e: str(int(e.value))
    ),
    # Text to search for; a value introduced as a name ("the file 'x'", "named x") is not one.
    "pattern": SlotType(
        ("quoted", "word", "var", "num", "host"),
        lambda e: bool(e.value.strip()) and not e.named and _one_word(e),
        anchored=True,
    ),
    "text": SlotType(
        ("quoted", "word", "num"), lambda e: bool(e.value.strip()) and not e.named and _one_word(e), anchored=True
    ),
    "replacement": SlotType(("quoted", "word", "num"), lambda e: "\n" not in e.value, anchored=True),
    # Quoted, or one word right after its anchor ("with message wip").
    "message": SlotType(("quoted", "word"), lambda e: bool(e.value.strip()) and _one_word(e), anchored=True),
    "host": SlotType(
        ("host", "userhost", "hostport"),
        # "user@host:/tmp" already names a remote path: a template adding ":" would make it "/tmp:".
        lambda e: bool(_HOST.match(e.host or e.value) or "@" in e.value) and not (e.kind == "userhost" and ":" in e.value),
        build=None,
    ),
    "url": SlotType(
        ("url", "host"), lambda e: bool(rx.match(r"^(?:https?|ftp)://\S+$", e.value) or _HOST.match(e.value))
    ),
    "user": SlotType(("word", "quoted"), lambda e: bool(_USER.match(e.value)), anchored=True),
    "group": SlotType(("word", "quoted"), lambda e: bool(_USER.match(e.value)), anchored=True),
    "mode": SlotType(("mode", "num"), lambda e: bool(_MODE.match(e.value))),
    # A variable's name ("JAVA_HOME" from "$JAVA_HOME"); "$X/sub" is a path, not a name. A bare word is a
    # variable only written as one (upper case: "PATH"); "every variable set" names no variable "set".
    "var": SlotType(
        ("var", "word", "quoted"),
        lambda e: (bool(_VAR.match(e.value)) and (e.kind != "var" or "/" not in e.written)
                   and (e.kind != "word" or e.value != e.value.lower())),
        anchored=True,
    ),
    "process": _name_type(),
    "container": _thing_type(),
    "image": _name_type(),
    "volume": _name_type(),
    "network": _name_type(),
    "pod": _name_type(),
    "deployment": _name_type(),
    "namespace": _name_type(Lazy(r"^[a-z0-9][a-z0-9-]{0,62}$")),
    "service": _thing_type(),
    "node": _name_type(),
    "context": _name_type(),
    "package": _thing_type(Lazy(r"^[A-Za-z0-9][A-Za-z0-9+._@/-]*$"), ("quoted", "word", "image", "file")),
    "branch": _thing_type(Lazy(r"^[A-Za-z0-9][\w./-]*$"), ("quoted", "word", "path", "file")),
    "remote": _name_type(Lazy(r"^[A-Za-z0-9][\w.-]*$")),
    "tag": _name_type(Lazy(r"^[A-Za-z0-9][\w.-]*$")),
    "commit": _name_type(Lazy(r"^[0-9a-f]{6,40}$|^HEAD(?:[~^]\d*)?$")),
    # eth0, en1, wlan0, enp3s0, docker0, lo: letters then a digit somewhere; a plain word is not one.
    "interface": _name_type(Lazy(r"^(?:[a-z][a-z-]{0,9}\d[\w.-]{0,8}|lo)$")),
    "command": _name_type(Lazy(r"^[A-Za-z0-9][\w.+-]*$")),
    "domain": SlotType(("host",), lambda e: bool(_HOST.match(e.value))),
}

SLOT_GROUPS = {
    "count": "count",
    "rows": "count",
    "age": "duration",
    "minutes": "duration",
    "days": "duration",
    "seconds": "duration",
    "size": "size",
    "bytes": "size",
    "glob": "ext",
    "ext": "ext",
}

# Kinds that may fill an optional slot the phrasing does not mention ("... in /var/log", "... over 1GB").
SPECIFIC_KINDS = frozenset(
    {
        "dir",
        "path",
        "size",
        "duration",
        "port",
        "hostport",
        "ext",
        "file",
        "url",
        "host",
        "userhost",
        "mode",
        "num",
        "quoted",
        "var",
        "glob",
    }
)


@memo(256)
def slot_type(slot: str) -> SlotType:
    """The type of a slot: its own name, or the name before a digit/underscore suffix (`file2`, `path_to`)."""
    base = rx.sub(r"(?:_\w+|\d+)$", "", slot)
    return SLOT_TYPES[slot] if slot in SLOT_TYPES else SLOT_TYPES[base]


def has_type(slot: str) -> bool:
    base = rx.sub(r"(?:_\w+|\d+)$", "", slot)
    return slot in SLOT_TYPES or base in SLOT_TYPES


def value_of(slot: str, entity: Entity) -> str:
    """The unquoted value a checked entity gives this slot."""
    kind = slot_type(slot)
    if kind.build is not None:
        return kind.build(entity)
    if entity.kind == "var":
        # The name for a variable-name slot (printenv JAVA_HOME), "$NAME" left to expand elsewhere.
        return entity.value if kind is SLOT_TYPES["var"] else entity.written
    if entity.kind == "hostport" and slot_type(slot) is SLOT_TYPES["host"]:
        return entity.host
    return entity.value


_EXPANDABLE = Lazy(r"^\$(?:\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)(?:/[\w./-]*)?$")
_PATH_SLOTS = frozenset({"dir", "folder", "file", "path", "src", "dst"})


def expandable(value: str, slot: str) -> bool:
    """A variable ("$HOME", "${dir}/src") given for a path: the shell must still expand it."""
    return slot_type(slot) in {slot_type(s) for s in _PATH_SLOTS} and bool(_EXPANDABLE.match(value))


def quote_posix(value: str, slot: str, shell_glob: bool = False) -> str:
    """Shell-quote for sh/bash/zsh/fish, keeping a leading ~ or ~/ and a path variable expandable, and a
    file pattern the shell should expand (`shell_glob`: "rm vmware-*.log", not "find -name 'x*'")."""
    if "*" in value and _GLOB_OK.match(value) and (shell_glob or slot_type(slot) is SLOT_TYPES["shglob"]):
        return value  # letters, digits, . / * - only: the shell expands it and nothing else
    if slot_type(slot).build is not None and rx.match(r"^[\w.+*-]+$|^-m(?:time|min) -\d+$", value):
        return quote(value) if "*" in value else value
    if expandable(value, slot):
        return f'"{value}"'

    if value == "~":
        return "~"
    if value.startswith("~/"):
        rest = value[2:]
        return "~/" + quote(rest) if rest else "~/"
    return quote(value)


def quote_powershell(value: str, slot: str) -> str:
    """Single quotes (a quote inside doubled) unless the value is plain: letters, digits, . / \\ : ~ _ -."""
    if rx.match(r"^[\w.+-]+$", value) and (slot_type(slot).build is not None or not value.startswith("-")):
        return value
    if rx.match(r"^[\w./\\:~][\w./\\:~-]*$", value):
        return value
    return "'" + value.replace("'", "''") + "'"
