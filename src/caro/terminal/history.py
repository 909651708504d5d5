"""Add a command that caro ran to the user's shell history file, in that shell's own format.

    bash        $HISTFILE or ~/.bash_history; a `#<epoch>` line first when the file already uses them
    zsh         $HISTFILE or ${ZDOTDIR:-~}/.zsh_history, extended format `: <epoch>:0;<command>`, metafied
    fish        $XDG_DATA_HOME/fish/<session>_history (session from $fish_history, default "fish"), YAML-like
    powershell  PSReadLine's ConsoleHost_history.txt

HISTFILE is a shell variable that shells seldom export, so $CARO_HISTFILE (passed on by the init snippet's
`caro` wrapper function) comes first. The shell reads the file again when it starts; the init snippets also merge it into the running shell.
Turned off by the config key `history = false`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caro.config import Settings

HISTORY_SHELLS = ("bash", "zsh", "fish", "powershell")


def history_file(shell: str, env: Mapping[str, str] | None = None) -> Path | None:
    """The history file `shell` reads, or None when the shell keeps none caro knows of."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    explicit = env.get("CARO_HISTFILE") or ""
    if explicit and shell in ("bash", "zsh"):
        return Path(explicit).expanduser()
    if shell == "bash":
        return Path(env["HISTFILE"]).expanduser() if env.get("HISTFILE") else home / ".bash_history"
    if shell == "zsh":
        if env.get("HISTFILE"):
            return Path(env["HISTFILE"]).expanduser()
        return Path(env.get("ZDOTDIR") or home) / ".zsh_history"
    if shell == "fish":
        # The init snippet passes fish's own (unexported) fish_history variable as CARO_FISH_HISTORY.
        session = env.get("CARO_FISH_HISTORY", env.get("fish_history", "fish"))
        if session == "":
            return None  # fish_history set to empty means fish keeps no history
        data = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
        return data / "fish" / f"{session}_history"
    if shell == "powershell":
        if sys.platform == "win32" and env.get("APPDATA"):
            base = Path(env["APPDATA"]) / "Microsoft" / "Windows" / "PowerShell"
        else:
            data = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
            base = data / "powershell"
        return base / "PSReadLine" / "ConsoleHost_history.txt"
    return None


# zsh stores bytes 0x83..0xa2 (its internal tokens) and NUL as 0x83 followed by the byte xor 32.
_ZSH_META = 0x83


def zsh_metafy(text: str) -> bytes:
    out = bytearray()
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte == 0 or 0x83 <= byte <= 0xA2:
            out += bytes((_ZSH_META, byte ^ 32))
        else:
            out.append(byte)
    return bytes(out)


def fish_escape(command: str) -> str:
    """fish's history file escapes backslashes and newlines in the `cmd:` field."""
    return command.replace("\\", "\\\\").replace("\n", "\\n")


def entry(command: str, shell: str, *, when: int, timestamps: bool = False) -> bytes:
    """One history entry in the shell's format."""
    if shell == "zsh":
        # Multi-line commands keep their newlines, each escaped with a backslash, as zsh writes them.
        return b": %d:0;" % when + zsh_metafy(command.replace("\n", "\\\n")) + b"\n"
    if shell == "fish":
        return f"- cmd: {fish_escape(command)}\n  when: {when}\n".encode()
    if shell == "powershell":
        # PSReadLine marks a continued line with a trailing backtick.
        return ("`\n".join(command.split("\n")) + "\n").encode()
    stamp = f"#{when}\n" if timestamps else ""
    return (stamp + command + "\n").encode("utf-8", "surrogateescape")


def _bash_uses_timestamps(path: Path, env: Mapping[str, str]) -> bool:
    if env.get("HISTTIMEFORMAT"):
        return True
    try:
        with path.open("rb") as handle:
            handle.seek(max(path.stat().st_size - 4096, 0))
            tail = handle.read()
    except OSError:
        return False
    return any(line[:1] == b"#" and line[1:].strip().isdigit() for line in tail.splitlines())


def _append(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl

            # fish takes this lock when it writes its history; the others append in one write.
            fcntl.flock(fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        size = os.fstat(fd).st_size
        if size:
            # Never glue our entry onto a last line that has no newline.
            last = os.pread(fd, 1, size - 1)
            if last != b"\n":
                data = b"\n" + data
        os.write(fd, data)
    finally:
        os.close(fd)


def record(
    command: str,
    shell: str,
    *,
    enabled: bool = True,
    env: Mapping[str, str] | None = None,
    now: float | None = None,
) -> Path | None:
    """Append `command` to `shell`'s history file. Returns the file written, or None when nothing was
    written (turned off, empty command, a shell without a history file). Never raises: a history file
    that cannot be written costs a warning on stderr, not the run."""
    env = os.environ if env is None else env
    command = command.strip("\n")
    if not enabled or not command.strip() or shell not in HISTORY_SHELLS:
        return None
    path = history_file(shell, env)
    if path is None:
        return None
    when = int(time.time() if now is None else now)
    try:
        stamps = shell == "bash" and _bash_uses_timestamps(path, env)
        _append(path, entry(command, shell, when=when, timestamps=stamps))
    except OSError as exc:
        print(
            f"caro: warning: could not add the command to {path}: {exc.strerror or exc}. "
            "Set 'history = false' in the config to stop trying.",
            file=sys.stderr,
        )
        return None
    return path


def record_with_settings(command: str, shell: str, settings: Settings) -> Path | None:
    """record() honouring the config key `history`."""
    return record(command, shell, enabled=bool(settings["history"]))
