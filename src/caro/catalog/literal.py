"""A request that is already a command ("ls -la", "cat notes.txt", "df -h") is answered as typed.

Only read-only programs (plus mkdir and touch) qualify, and only when every word after the program is
an option, a number after an option, or a file name shape (a path, a name with an extension, a glob):
"sort names.txt by length" or "free up space" are requests in words and go to the catalog's matcher.
"""

from __future__ import annotations

from caro.catalog.entities import Lazy

TYPE_CHECKING = False  # not typing's: this module is on the catalog's start path
if TYPE_CHECKING:
    from caro.context import Context

# Programs that mean something typed alone, and that show things without changing them.
_ALONE = frozenset(
    ["ls", "pwd", "top", "htop", "df", "free", "uptime", "whoami", "date", "cal", "ps", "env", "printenv", "hostname", "id", "groups", "who", "w", "history", "lsblk", "lscpu", "lsusb", "lspci", "uname", "nproc", "ifconfig", "vmstat", "tty", "arch"]
)
# Programs that need an argument (a file, mostly) and only read it, or create an empty name.
_WITH_ARGS = frozenset(
    ["ls", "df", "du", "free", "ps", "uname", "cat", "head", "tail", "less", "more", "wc", "stat", "file", "tree", "md5sum", "sha1sum", "sha256sum", "sha512sum", "nl", "tac", "diff", "realpath", "mkdir", "touch", "lsblk"]
)
_LINUX_ONLY = frozenset(["free", "lsblk", "lscpu", "lsusb", "lspci", "tac", "nproc", "htop", "sha256sum", "sha1sum", "sha512sum", "md5sum"])
# "git status", "docker ps": a subcommand that only shows.
_SUBCOMMANDS = {
    "git": frozenset(["status", "log", "diff", "branch", "show", "remote"]),
    "docker": frozenset(["ps", "images"]),
}
_OPTION = Lazy(r"--?[A-Za-z0-9][\w-]*(=[\w./:,%+-]+)?$")
_NUMBER = Lazy(r"\d+$")
_PATH = Lazy(
    r"(?:[~.]?/[\w./*?@+-]*|~|\.\.?|[\w@+-][\w.@+-]*\.[A-Za-z0-9]{1,8}|[\w.@+-]*\*[\w.*@+-]*/?)$"
)
_SHELL_SYNTAX = Lazy(r"[;&|<>`$(){}\\\"'!#]")


def _arguments_fit(words: list[str]) -> bool:
    after_option = False
    for word in words:
        if _OPTION.match(word):
            after_option = True
            continue
        if _NUMBER.match(word):
            if not after_option:
                return False  # "head 20 f": a number with no option to take it
        elif not _PATH.match(word):
            return False  # a plain word: the request is in English, not a command
        after_option = False
    return True


def literal(prompt: str, context: Context) -> str | None:
    """The prompt itself when it reads as one plain command this module trusts, else None."""
    if context.shell in ("powershell", "cmd") or _SHELL_SYNTAX.search(prompt):
        return None
    words = prompt.split()
    if not words:
        return None
    program, rest = words[0], words[1:]
    if program in _LINUX_ONLY and context.platform != "linux":
        return None
    if program in _SUBCOMMANDS:
        if not rest or rest[0] not in _SUBCOMMANDS[program]:
            return None
        rest = rest[1:]
    elif not rest:
        if program not in _ALONE:
            return None
    elif program not in _WITH_ARGS:
        return None
    if not _arguments_fit(rest):
        return None
    return " ".join(words)
