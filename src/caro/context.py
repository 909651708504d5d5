"""Facts about where the command will run: OS, userland flavour, shell, cwd. Given to every backend."""

from __future__ import annotations

import os
import sys

from caro.config import SHELLS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from caro.config import Settings

_SHELL_NAMES = {"bash": "bash", "zsh": "zsh", "fish": "fish", "sh": "sh", "dash": "sh", "ash": "sh",
                "ksh": "sh", "pwsh": "powershell", "powershell": "powershell", "cmd": "cmd"}


class Context:
    """Where the generated command will run (immutable; a plain class keeps dataclasses off the start path)."""

    __slots__ = ("cwd", "platform", "shell")
    platform: str  # linux | macos | windows
    shell: str  # one of config.SHELLS
    cwd: str

    def __init__(self, platform: str, shell: str, cwd: str) -> None:
        object.__setattr__(self, "platform", platform)
        object.__setattr__(self, "shell", shell)
        object.__setattr__(self, "cwd", cwd)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Context is immutable; cannot set {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Context):
            return NotImplemented
        return (self.platform, self.shell, self.cwd) == (other.platform, other.shell, other.cwd)

    def __hash__(self) -> int:
        return hash((self.platform, self.shell, self.cwd))

    def __repr__(self) -> str:
        return f"Context(platform={self.platform!r}, shell={self.shell!r}, cwd={self.cwd!r})"

    @property
    def flavour(self) -> str:
        """'gnu' for GNU/Linux userland, 'bsd' for macOS/BSD, 'windows'."""
        return {"linux": "gnu", "macos": "bsd"}.get(self.platform, "windows")

    @property
    def os_name(self) -> str:
        return {"linux": "Linux", "macos": "macOS", "windows": "Windows"}[self.platform]

    def describe(self) -> str:
        """One line for prompts: OS, userland and shell."""
        userland = {"gnu": "GNU coreutils", "bsd": "BSD userland (macOS flags)", "windows": "Windows"}[self.flavour]
        return f"{self.os_name}, {userland}, shell {self.shell}"


def detect_platform() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin" or "bsd" in sys.platform:
        return "macos"
    if sys.platform in ("win32", "cygwin"):
        return "windows"
    return "linux"


def _name(program: str) -> str | None:
    base = os.path.basename(program.strip()).lower().removesuffix(".exe").lstrip("-")
    return _SHELL_NAMES.get(base)


def detect_shell(env: dict[str, str] | None = None) -> str:
    """The shell the user is typing in: the parent process when it is a shell, else $SHELL."""
    env = dict(os.environ) if env is None else env
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{os.getppid()}/comm", encoding="utf-8", errors="replace") as handle:
                parent = handle.read().strip()
        except OSError:
            parent = ""
        found = _name(parent) if parent else None
        if found:
            return found
    if env.get("SHELL"):
        found = _name(env["SHELL"])
        if found:
            return found
    if sys.platform == "win32":
        return "powershell" if env.get("PSModulePath") else "cmd"
    return "sh"


def build(settings: Settings) -> Context:
    """The context for this run, honouring the shell and platform settings."""
    shell = settings["shell"]
    if shell == "auto":
        shell = detect_shell()
    assert shell in SHELLS
    platform = settings["platform"]
    if platform == "auto":
        platform = detect_platform()
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = "."
    return Context(platform=platform, shell=shell, cwd=cwd)
