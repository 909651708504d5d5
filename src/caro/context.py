"""Facts about where the command will run: OS, userland flavour, shell, cwd. Given to every backend."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from caro.config import SHELLS, Settings

_SHELL_NAMES = {"bash": "bash", "zsh": "zsh", "fish": "fish", "sh": "sh", "dash": "sh", "ash": "sh",
                "ksh": "sh", "pwsh": "powershell", "powershell": "powershell", "cmd": "cmd"}


@dataclass(frozen=True)
class Context:
    """Where the generated command will run."""

    platform: str  # linux | macos | windows
    shell: str  # one of config.SHELLS
    cwd: str

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
    base = Path(program.strip()).name.lower().removesuffix(".exe").lstrip("-")
    return _SHELL_NAMES.get(base)


def detect_shell(env: dict[str, str] | None = None) -> str:
    """The shell the user is typing in: the parent process when it is a shell, else $SHELL."""
    env = dict(os.environ) if env is None else env
    if sys.platform.startswith("linux"):
        try:
            parent = Path(f"/proc/{os.getppid()}/comm").read_text().strip()
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
