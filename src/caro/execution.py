"""Running an approved command in the user's shell, with its output live."""

from __future__ import annotations

import shutil
import subprocess
import sys

from caro.errors import CaroError


def shell_argv(shell: str, command: str) -> list[str]:
    """The argv that runs `command` in `shell`."""
    if shell == "powershell":
        program = shutil.which("pwsh") or shutil.which("powershell") or "pwsh"
        return [program, "-NoProfile", "-Command", command]
    if shell == "cmd":
        return ["cmd", "/C", command]
    return [shutil.which(shell) or shell, "-c", command]


def run(command: str, shell: str, *, stdout_to_stderr: bool = False) -> int:
    """Run `command` in `shell`; its output streams live. Returns its exit status.

    With `stdout_to_stderr` (JSON/YAML output), the command's stdout goes to stderr so caro's
    stdout stays one parseable document.
    """
    argv = shell_argv(shell, command)
    if shutil.which(argv[0]) is None:
        raise CaroError(
            f"cannot run the command: shell '{shell}' ({argv[0]}) is not installed",
            "Choose an installed shell with -s/--shell, or set 'shell' in the config file.",
        )
    try:
        completed = subprocess.run(argv, stdout=sys.stderr if stdout_to_stderr else None, check=False)
    except OSError as exc:
        raise CaroError(f"cannot run the command in {shell}: {exc}", "Check that the shell works.") from None
    code = completed.returncode
    # A command killed by a signal reports -N; shells report 128+N.
    return 128 - code if code < 0 else code
