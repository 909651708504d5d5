"""What a path argument reaches: the whole disk, a home folder, the system, or one project folder.

Scope drives the level of deletions and permission changes: `rm -rf ./build` is not `rm -rf ~`.
Paths are judged as written (no filesystem access): `/tmp/../` is `/`, `"$HOME"/*` is the home folder.
"""

from __future__ import annotations

import posixpath

from caro import patterns as rx
from caro.memo import memo
from caro.safety.model import LazyPattern

# Top-level system folders (POSIX, macOS, Windows without the drive letter), lower-case.
SYSTEM_TOP = {
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/sbin", "/srv",
    "/sys", "/usr", "/var", "/snap", "/efi", "/system", "/library", "/applications", "/private", "/cores",
    "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/local", "/usr/share", "/usr/include", "/usr/libexec",
    "/usr/local/bin", "/usr/local/lib", "/var/lib", "/var/log", "/var/db", "/var/spool", "/var/mail", "/var/www",
    "/private/etc", "/private/var", "/system/library", "/etc/ssh", "/etc/ssl", "/etc/pam.d", "/etc/systemd",
    "/windows", "/windows/system32", "/windows/syswow64", "/program files", "/program files (x86)", "/programdata",
    "/boot/efi", "/etc/init.d", "/var/lib/dpkg", "/var/lib/rpm",
}
# Folders under which anything removed or rewritten breaks the system (deeper than SYSTEM_TOP).
SYSTEM_TREES = ("/bin/", "/boot/", "/dev/", "/etc/", "/lib/", "/lib32/", "/lib64/", "/proc/", "/sbin/", "/sys/",
                "/usr/", "/system/", "/library/", "/private/etc/", "/windows/", "/program files/",
                "/program files (x86)/", "/var/lib/", "/var/db/", "/var/log/", "/var/spool/")
# Caches and scratch space under system folders: clearing them is routine (`rm -rf /var/lib/apt/lists/*`).
_SCRATCH = ("/opt/", "/var/lib/apt/lists", "/var/cache/", "/var/tmp/", "/tmp/", "/var/folders/", "/private/tmp/",
            "/private/var/folders/", "/library/caches")
HOME_ROOTS = {"/home", "/users", "/root", "/export/home"}
CRITICAL_FILES = {"/etc/passwd", "/etc/shadow", "/etc/sudoers", "/etc/group", "/etc/gshadow", "/etc/fstab",
                  "/etc/pam.d", "/boot/grub/grub.cfg", "/etc/hosts", "/etc/resolv.conf", "/etc/crontab",
                  "/etc/ld.so.preload", "/etc/ssh/sshd_config", "/etc/security", "/etc/master.passwd"}
SENSITIVE_HOME = (".ssh", ".gnupg", ".aws", ".kube", ".config/gcloud", ".azure", ".docker/config.json", ".netrc",
                  ".password-store", ".pgpass", ".git-credentials", "library/keychains")
CACHE_HOME = {".cache", ".npm", ".yarn", ".gradle", ".m2", ".cargo/registry", ".pnpm-store", ".local/share/trash",
              "library/caches", ".trash", "tmp", ".tmp", "downloads/tmp"}
_DEVICE = LazyPattern(
    r"^/dev/(?:[shv]d[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(?:n\d+)?(?:p\d+)?|mmcblk\d+(?:p\d+)?|r?disk\d+(?:s\d+)*"
    r"|md\d+|dm-\d+|mapper/.+|sr\d+|loop\d+|mem|kmem|port|root|sda|disk/by-.+|xvd.*|vg.+/.+|nbd\d+|zd\d+|ubd.*)$"
    r"|^//\./(?:physicaldrive\d+|[a-z]:)$|^\\\\\.\\(?:physicaldrive\d+|[a-z]:)$",
    rx.IGNORECASE,
)
_HOME_VAR = LazyPattern(
    r"^(?:~[a-z0-9_.-]*|\$home|\$\{home\}|\$\{home:?[-=?+][^}]*\}|%userprofile%|%homepath%|%homedrive%%homepath%"
    r"|\$env:userprofile|\$env:home|\$env:homepath|\$\(pwd\)/\.\.|\$xdg_[a-z_]+)(?=/|$)",
    rx.IGNORECASE,
)
_SYS_VAR = LazyPattern(r"^(?:%windir%|%systemroot%|\$env:windir|\$env:systemroot|%programfiles%|\$env:programfiles"
                      r"|%programdata%|\$env:programdata)(?=/|$)", rx.IGNORECASE)
_VAR = LazyPattern(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\d|\$[@*]|%[A-Za-z_]+%|\$\(|`")
_EXPANSION = LazyPattern(r"\$\{[^}]*\}|\$\([^)]*\)|\$[a-z_][a-z0-9_]*|\$[0-9@*#?]|`[^`]*`|%[a-z_]+%")
GLOB = LazyPattern(r"[*?\[]")


class Scope:
    """What a path reaches. kind: root, home, home-sub, home-deep, system, system-sub, device, cwd, parent,
    unknown (from an unresolved variable or stdin), file (an ordinary path). Treated as immutable (a plain
    class, not a dataclass: this module is imported by every `caro check`)."""

    __slots__ = ("critical_file", "kind", "maybe_empty", "path", "sensitive")

    def __init__(self, kind: str, path: str, sensitive: bool = False, critical_file: bool = False,
                 maybe_empty: bool = False) -> None:
        self.kind = kind
        self.path = path
        self.sensitive = sensitive  # credentials, keys, shell history
        self.critical_file = critical_file
        self.maybe_empty = maybe_empty  # this is what the path means when a variable in it is empty

    def _key(self) -> tuple[str, str, bool, bool, bool]:
        return (self.kind, self.path, self.sensitive, self.critical_file, self.maybe_empty)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Scope(kind={self.kind!r}, path={self.path!r}, sensitive={self.sensitive!r}, "
                f"critical_file={self.critical_file!r}, maybe_empty={self.maybe_empty!r})")

    def describe(self) -> str:
        return {
            "root": "the whole filesystem",
            "home": "a home folder",
            "home-sub": "something at the top of your home folder",
            "home-deep": "files inside your home folder",
            "system": "a system folder",
            "system-sub": "files the operating system needs",
            "device": "a disk device",
            "cwd": "everything in the current folder",
            "parent": "a parent folder",
            "unknown": "paths caro cannot know in advance",
        }.get(self.kind, self.path)


def normalise(word: str) -> str:
    """Lower-case, forward slashes, no drive letter quirks, `..` resolved lexically."""
    path = word.strip().replace("\\", "/")
    low = path.lower()
    if rx.match(r"^[a-z]:$", low):
        low += "/"
    low = rx.sub(r"/+", "/", low)
    return low


_DEFAULTED = LazyPattern(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]([^}]*)\}")
_TRIMMED_HOME = LazyPattern(r"\$\{HOME(?:%%?|##?|/)[^}]*\}", rx.IGNORECASE)
_WIDTH = {"root": 6, "device": 6, "system": 5, "home": 5, "system-sub": 4, "unknown": 3, "parent": 3, "cwd": 3,
          "home-sub": 2, "home-deep": 1, "file": 0}


@memo(4096)
def scope(word: str) -> Scope:
    """Classify one path argument; a `${VAR:-default}` is judged at the wider of its default and empty."""
    if "${" in word and (_DEFAULTED.search(word) or _TRIMMED_HOME.search(word)):
        trimmed = _TRIMMED_HOME.sub("/home", word)  # `${HOME%/*}` is the folder holding every home folder
        worst = [_scope(_DEFAULTED.sub(lambda m: m.group(1), trimmed)), _scope(_DEFAULTED.sub("", trimmed))]
        best = max(worst, key=lambda sc: (_WIDTH.get(sc.kind, 0), sc.critical_file, sc.sensitive))
        return Scope(best.kind, word, best.sensitive, best.critical_file, best.maybe_empty or best is worst[1])
    return _scope(word)


def _maybe_device(text: str) -> bool:
    """Whether `text` can be a device path at all: checked before the device pattern is compiled or tried."""
    return text[:5].lower() == "/dev/" or text.startswith(("//./", "\\\\.\\"))


def _scope(word: str) -> Scope:
    if word.startswith(("$(", "`", "\"$(", "\"`")) and "mktemp" not in word:  # mktemp prints a new path in /tmp
        return Scope("unknown", word)  # output caro could not work out: any path, the root included
    path = normalise(word)
    path = rx.sub(r"^(?:\$\(pwd\)|`pwd`|\$pwd|\$\{pwd\})(?=/|$)", ".", path)
    path = rx.sub(r"^([a-z]:)(?=[^/])", r"\1/", path)
    if not path:
        return Scope("cwd", word)
    if (_maybe_device(path) and _DEVICE.match(path)) or (_maybe_device(word) and _DEVICE.match(word)):
        return Scope("device", word)
    sensitive = any(s in path for s in (*SENSITIVE_HOME, "_history", "/etc/shadow", "/etc/sudoers", "id_rsa",
                                         "id_ed25519", "authorized_keys", ".bashrc", ".zshrc", ".profile"))
    drive = rx.match(r"^(?:[a-z]:|%systemdrive%|\$env:systemdrive|/mnt/[a-z])(?=/|$)", path)  # /mnt/c: WSL's C:
    if drive:
        path = path[drive.end():] or "/"
    sysvar = _SYS_VAR.match(path) if path[:1] in ("%", "$") else None  # each name starts with % or $
    if sysvar:
        return Scope("system", word)
    home = _HOME_VAR.match(path) if path[:1] in ("~", "$", "%") else None  # each form starts with ~, $ or %
    if home:
        rest = path[home.end():]
        return _home_scope(word, rest, sensitive)
    if ("$" in path or "%" in path or "`" in path) and _VAR.search(path):  # each form holds $, % or `
        bare = _EXPANSION.sub("", path)
        if bare != path:
            # `/$DIR` is `/` when DIR is empty: judge the part that is certain
            known = _scope(bare.replace("//", "/") or ".")
            if known.kind in ("root", "home", "system"):
                return Scope(known.kind if known.kind != "system" else "system-sub", word, sensitive, maybe_empty=True)
    if path.startswith("/"):
        norm = posixpath.normpath(path)
        norm = "/" if norm in ("//", "") else norm
        stripped = norm
        while stripped.endswith(("/*", "/.*", "/*.*", "/{,.}*", "/.[!.]*", "/..?*")):
            stripped = stripped.rsplit("/", 1)[0] or "/"
        if stripped == "/" or GLOB.match(stripped[1:2] or "x") or rx.match(r"^/[^/]*[*?\[]", stripped):
            return Scope("root", word)
        parts = stripped.split("/")
        top = "/" + parts[1]
        if top in HOME_ROOTS:
            if len(parts) <= 3 or GLOB.search(parts[2] if len(parts) > 2 else ""):
                return Scope("home", word, sensitive)
            return _home_scope(word, "/" + "/".join(parts[3:]), sensitive)
        critical = stripped in CRITICAL_FILES
        if stripped in SYSTEM_TOP or (GLOB.search(stripped) and stripped.rsplit("/", 1)[0] in SYSTEM_TOP):
            return Scope("system", word, sensitive, critical)
        if (stripped.startswith("/usr/local/") and len(parts) > 5) or stripped.startswith(_SCRATCH) \
                or stripped in ("/var/cache", "/var/tmp", "/tmp"):
            return Scope("file", word, sensitive)  # software installed by hand, not the system's own
        if stripped.startswith(SYSTEM_TREES) or top in ("/boot", "/bin", "/sbin", "/etc", "/usr", "/lib", "/lib64"):
            return Scope("system-sub", word, sensitive, critical)
        if top == "/var" and not stripped.startswith(("/var/tmp", "/var/folders")) and len(parts) <= 3:
            return Scope("system-sub", word, sensitive)
        return Scope("file", word, sensitive)
    if ("$" in path or "%" in path or "`" in path) and _VAR.search(path):  # each form holds $, % or `
        if _VAR.match(path) and (_VAR.fullmatch(path.rstrip("/*")) or path.split("/", 1)[1:] in ([""], ["*"])):
            return Scope("unknown", word)
        return Scope("file", word, sensitive)
    norm = posixpath.normpath(path)
    base = norm
    while base.endswith(("/*", "/.*")):
        base = base.rsplit("/", 1)[0]
    if base in (".", "*", ".*", "./*", "*.*", ".[!.]*", "{*,.*}", "..?*") or path in ("*", "./*", ".*", "*.*"):
        return Scope("cwd", word)
    if base == ".." or rx.fullmatch(r"(?:\.\./)*\.\.", base):
        return Scope("parent", word)
    if base.startswith("../"):
        depth = len(rx.match(r"^(?:\.\./)+", base + "/").group(0)) // 3  # type: ignore[union-attr]
        rest = base[depth * 3:]
        if depth >= 2 and rest.count("/") < depth - 1:
            return Scope("parent", word)
    return Scope("file", word, sensitive)


def _home_scope(word: str, rest: str, sensitive: bool) -> Scope:
    rest = _EXPANSION.sub("", rest)  # `$HOME/$DIR` is the home folder when DIR is empty
    rest = posixpath.normpath("/" + rest.lstrip("/")) if rest.strip("/") else ""
    inner = rest.strip("/")
    if inner in ("", "*", ".*", "*.*") or inner.startswith(".."):
        return Scope("home", word, sensitive)
    first = inner.split("/", 1)[0]
    if any(inner == c or inner.startswith(c + "/") for c in CACHE_HOME):
        return Scope("home-deep", word, sensitive)
    if "/" not in inner or (inner.endswith("/*") and inner.count("/") == 1):
        return Scope("home-sub", word, sensitive or first in (".ssh", ".gnupg", ".aws", ".kube"))
    return Scope("home-deep", word, sensitive)
