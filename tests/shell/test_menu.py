"""The menu after a generation, in a real terminal (tmux): run, edit, explain, copy, cancel."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from tests.shell.conftest import PROMPTS, Terminal

MENU = "[r] run"


def _ask(term: Terminal, request: str, *flags: str) -> None:
    term.send("C-l")
    term.wait_for(lambda s: MENU not in s, "a clear screen")
    term.type(f"caro {' '.join(flags)} '{request}'; echo exit=$?")
    term.send("Enter")
    term.wait_for(lambda s: MENU in s, "the menu")


def test_r_runs_a_command_and_enter_never_does(start_shell: Callable[..., Terminal]) -> None:
    term = start_shell("bash")
    _ask(term, "show current directory")
    assert "Enter = cancel" in term.screen()
    term.send("Enter")
    term.wait_for(lambda s: "exit=5" in s, "caro to stop without running")
    _ask(term, "show current directory")
    term.send("r")
    screen = term.wait_for(lambda s: "exit=0" in s, "the command to run")
    assert "work-dir-7d1f" in screen


def test_cancel_is_the_default_when_confirmation_is_needed(
    start_shell: Callable[..., Terminal], tmp_path: Path
) -> None:
    term = start_shell("bash")
    build = tmp_path / "work-dir-7d1f" / "build"
    build.mkdir()
    # `rm -r build` is moderate risk, which needs confirmation at the strict safety mode.
    _ask(term, "delete the folder called build", "--safety", "strict")
    assert "Enter = cancel" in term.screen()
    term.send("Enter")
    screen = term.wait_for(lambda s: "exit=5" in s, "caro to stop")
    assert "nothing ran" in screen
    assert "error" not in screen  # cancelling is the user's choice, not a failure
    assert build.is_dir()


def test_edit_prefills_the_line_and_runs_the_edited_command(start_shell: Callable[..., Terminal]) -> None:
    term = start_shell("bash")
    _ask(term, "show current directory")
    term.send("e")
    term.wait_for(lambda s: "edit> pwd" in s, "the pre-filled editor")
    term.type(" && echo edited-$((6*7))")
    term.send("Enter")
    term.wait_for(lambda s: s.count(MENU) >= 2, "the menu for the edited command")
    term.send("r")
    screen = term.wait_for(lambda s: "exit=0" in s, "the edited command to run")
    assert "edited-42" in screen


def test_explain_then_cancel(start_shell: Callable[..., Terminal]) -> None:
    term = start_shell("bash")
    _ask(term, "show current directory")
    term.send("x")
    term.wait_for(lambda s: "print the current directory" in s and s.count(MENU) >= 2, "the explanation")
    term.send("q")
    screen = term.wait_for(lambda s: "exit=5" in s, "caro to stop")
    assert "work-dir-7d1f" not in screen.split("exit=")[0].split("cancelled")[-1]


def test_copy_uses_osc52_in_a_terminal(start_shell: Callable[..., Terminal]) -> None:
    term = start_shell("bash", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    term.tmux("set-option", "-g", "set-clipboard", "on")
    _ask(term, "show current directory")
    term.send("c")
    term.wait_for(lambda s: "exit=0" in s and "copied to" in s, "the copy")
    assert term.tmux("show-buffer").strip() == "pwd"


def test_no_menu_without_a_terminal(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("show current directory", env={"CARO_BACKEND": "builtin"})
    assert done.returncode == 0
    assert done.stdout == "pwd\n"
    assert MENU not in done.stderr


def test_no_menu_when_stdout_is_captured(start_shell: Callable[..., Terminal]) -> None:
    term = start_shell("bash")
    term.type("out=$(caro 'show current directory'); echo \"got=$out\"")
    term.send("Enter")
    screen = term.wait_for(lambda s: "got=pwd" in s, "the captured command")
    assert MENU not in screen
    # Nothing waits for an answer: the shell is back at its prompt, ready for the next line.
    term.wait_for(lambda s: s.rstrip().endswith(PROMPTS["bash"].strip()), "the prompt after the command")
    assert term.last_line().rstrip() == PROMPTS["bash"].rstrip()


def test_colour_follows_risk_and_no_color(start_shell: Callable[..., Terminal]) -> None:
    code = (
        "import sys\n"
        "from caro.terminal.interactive import choose\n"
        "print(choose('pwd', 'high', True, '', 'bash'), file=sys.stderr)\n"
    )
    term = start_shell("bash", env={"NO_COLOR": ""})
    for no_color in ("", "1"):
        term.type("clear")
        term.send("Enter")
        term.wait_for(lambda s: MENU not in s, "a clear screen")
        term.type(f"NO_COLOR={no_color} {sys.executable} -c \"{code}\"")
        term.send("Enter")
        term.wait_for(lambda s: MENU in s, "the menu")
        escaped = term.tmux("capture-pane", "-p", "-e", "-t", "t")
        # High risk is drawn in red, unless NO_COLOR is set.
        assert ("31m" in escaped) is (no_color == "")
        term.send("q")
        term.wait_for(lambda s: "('cancel', 'pwd')" in s, "the result")
