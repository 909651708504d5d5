"""The menu shown after a generation on a terminal: run, edit, explain, copy or cancel.

    action, command = interactive.choose(command, verdict.risk, verdict.requires_confirmation,
                                         suggestion.explanation, context.shell, check=recheck)

`action` is "run" (run `command`, which may have been edited and, with `check`, re-judged), "copy" (it
was copied; nothing to run) or "cancel". Enter cancels, whatever the risk: running
always takes a deliberate r (or y). One key picks an action, no Enter needed. Everything is drawn
on stderr, coloured by risk unless NO_COLOR is set or stderr is not a terminal. The caller shows the
menu only when `is_interactive()`; this module never reads from a pipe.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

from caro.terminal.ui import RISK_COLOURS, use_colour

if TYPE_CHECKING:
    from caro.safety import Verdict


def paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on and code else text


def risk_colour(risk: str) -> str:
    return RISK_COLOURS.get(risk, "")


# ---------------------------------------------------------------------------------------------- clipboard


def _clipboard_tools(env: Mapping[str, str]) -> list[list[str]]:
    tools: list[list[str]] = []
    if env.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        tools.append(["wl-copy"])
    if env.get("DISPLAY"):
        if shutil.which("xclip"):
            tools.append(["xclip", "-selection", "clipboard"])
        if shutil.which("xsel"):
            tools.append(["xsel", "--clipboard", "--input"])
    if sys.platform == "darwin" and shutil.which("pbcopy"):
        tools.append(["pbcopy"])
    for name in ("clip.exe", "clip"):
        if (sys.platform == "win32" or env.get("WSL_DISTRO_NAME")) and shutil.which(name):
            tools.append([name])
            break
    return tools


def osc52(text: str) -> str:
    """The terminal escape that puts `text` on the clipboard (xterm, kitty, iTerm2, WezTerm, tmux...)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\x07"


def copy_to_clipboard(text: str, *, stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> str:
    """Copy with the first clipboard tool that works, else with OSC 52 on the terminal. Returns how."""
    env = os.environ if env is None else env
    for tool in _clipboard_tools(env):
        try:
            done = subprocess.run(tool, input=text.encode("utf-8"), capture_output=True, timeout=3, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return tool[0]
    out = stream or sys.stderr
    out.write(osc52(text))
    out.flush()
    return "the terminal (OSC 52)"


# ------------------------------------------------------------------------------------------------ input


def read_key(stdin: TextIO) -> str:
    """One key press, without waiting for Enter where the terminal allows it. '' means end of input."""
    try:
        fd = stdin.fileno()
        is_tty = os.isatty(fd)
    except (AttributeError, ValueError, OSError):
        fd, is_tty = -1, False
    if not is_tty:
        line = stdin.readline()
        return line[:1] if line.strip() else ("\n" if line else "")
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        return msvcrt.getwch()
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        data = os.read(fd, 1)
        if data == b"\x1b":
            # An escape sequence (arrow key) or a lone Esc: swallow what follows, treat as Esc.
            import select

            while select.select([fd], [], [], 0.03)[0]:
                os.read(fd, 16)
        return data.decode("utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def edit_line(command: str, prompt: str = "edit> ") -> str | None:
    """A line editor pre-filled with `command` (readline where available). None when the user gives up."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        readline = None  # type: ignore[assignment]
    if readline is not None:
        readline.set_startup_hook(lambda: readline.insert_text(command))
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        return None
    finally:
        if readline is not None:
            readline.set_startup_hook(None)


# ------------------------------------------------------------------------------------------------- menu


def _default_check(shell: str, prompt: str | None = None) -> Callable[[str], Verdict]:
    def check(command: str) -> Verdict:
        from caro.safety import assess

        return assess(command, shell=shell, prompt=prompt)  # an edited command is judged against the request too

    return check


# Keys that end the menu without running anything: Ctrl+C, Ctrl+D (or end of input), Esc, q, n, Enter.
_CANCEL_KEYS = ("", "\x03", "\x04", "\x1b", "q", "n", "\r", "\n")
_ITEMS = (("r", "run"), ("e", "edit"), ("x", "explain"), ("c", "copy"), ("q", "cancel"))


class _Menu:
    """The menu's state (the command, possibly edited, and its verdict) and one method per action."""

    def __init__(self, command: str, risk: str, confirm: bool, explanation: str, reasons: list[str],
                 shell: str, check: Callable[[str], Verdict], err: TextIO) -> None:
        self.command, self.risk, self.confirm, self.blocked = command, risk, confirm, False
        self.explanation, self.reasons, self.shell, self.check = explanation, reasons, shell, check
        self.err = err
        self.colour = use_colour(err)

    def show(self) -> None:
        """The command, its risk, the explanation and every reason."""
        code = risk_colour(self.risk)
        self.err.write("\n  " + paint(self.command, "1;" + code if code else "1", self.colour) + "\n")
        note = "blocked" if self.blocked else ("needs your confirmation" if self.confirm else "")
        self.err.write(f"  risk: {paint(self.risk, code, self.colour)}" + (f" ({note})" if note else "") + "\n")
        if self.explanation:
            self.err.write(f"  {self.explanation}\n")
        for reason in self.reasons:
            self.err.write("  " + paint("! ", code, self.colour) + reason + "\n")

    def prompt(self) -> str:
        """The menu line. Enter never runs anything: a person presses r (or y) to run."""
        shown = "  ".join(paint(f"[{key}] {name}", "1" if name == "cancel" else "2", self.colour)
                          for key, name in _ITEMS)
        return f"{shown}   Enter = cancel › "

    def read(self, stdin: TextIO) -> str:
        """Show the menu line and read one key, lowered."""
        self.err.write(self.prompt())
        self.err.flush()
        try:
            key = read_key(stdin)
        except KeyboardInterrupt:
            key = "\x03"
        self.err.write("\n")
        return key.lower()

    def run(self) -> bool:
        """True when the command may run; a blocked (edited) command may not."""
        if self.blocked:
            self.err.write("  this command is blocked at your safety setting; edit it or cancel.\n")
            return False
        return True

    def copy(self) -> None:
        how = copy_to_clipboard(self.command, stream=self.err)
        self.err.write(f"  copied to {how}.\n")

    def explain(self) -> None:
        from caro.terminal.explain import explain, render

        self.err.write(render(explain(self.command, shell=self.shell, check=self.check), colour=self.colour) + "\n")

    def edit(self) -> None:
        """Edit the command in a line editor; a changed command is judged again and shown."""
        edited = edit_line(self.command)
        if edited is None or not edited.strip() or edited.strip() == self.command.strip():
            return
        verdict = self.check(edited.strip())
        self.command = verdict.command or edited.strip()
        self.risk, self.confirm, self.blocked = verdict.risk, verdict.requires_confirmation, verdict.blocked
        self.reasons = list(verdict.reasons)
        self.explanation = ""
        self.show()


def choose(
    command: str,
    verdict_risk: str,
    requires_confirmation: bool,
    explanation: str,
    shell: str,
    *,
    reasons: list[str] | None = None,
    check: Callable[[str], Verdict] | None = None,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
    header: bool = True,
    prompt: str | None = None,
) -> tuple[str, str]:
    """Show the menu for `command` and return (action, command); action is run | copy | cancel.

    `check` re-judges an edited command (pass one bound to the user's safety mode and rules); a blocked
    edit cannot be run. Ctrl+C, Ctrl+D, Esc, q and n cancel. `header=False` skips printing the command
    and its risk first (for a caller that has shown them already).
    """
    stdin = stdin or sys.stdin
    menu = _Menu(command, verdict_risk, requires_confirmation, explanation, list(reasons or []), shell,
                 check or _default_check(shell, prompt), stderr or sys.stderr)
    if header:
        menu.show()
    elif explanation:
        menu.err.write(f"  {explanation}\n")
    while True:
        key = menu.read(stdin)
        if key in _CANCEL_KEYS:
            menu.err.write("  cancelled; nothing ran.\n")
            return "cancel", menu.command
        if key in ("r", "y"):
            if menu.run():
                return "run", menu.command
        elif key == "c":
            menu.copy()
            return "copy", menu.command
        elif key == "x":
            menu.explain()
        elif key == "e":
            menu.edit()
        else:
            menu.err.write("  press r, e, x, c or q.\n")
