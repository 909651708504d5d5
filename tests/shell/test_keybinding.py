"""The key binding in real shells: type a request, press the key, and the line holds the command — nothing ran."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.shell.conftest import PROMPTS, Terminal, caro_bin_dir

SHELLS = ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", SHELLS)
def test_binding_puts_the_command_on_the_line_without_running_it(
    shell: str, start_shell: Callable[..., Terminal], isolated_home: Path
) -> None:
    term = start_shell(shell)
    term.type("show current directory")
    term.send("M-e")  # the documented default key, Alt+E
    prompt = PROMPTS[shell]
    screen = term.wait_for(lambda s: f"{prompt}pwd" in s, "the generated command on the line")
    # The request was replaced, and pwd did not run: its output (the work folder) is nowhere on screen.
    assert "show current directory" not in screen
    assert "work-dir-7d1f" not in screen
    assert term.last_line() == f"{prompt}pwd"
    # Enter runs it as the user's own command line.
    term.send("Enter")
    term.wait_for(lambda s: "work-dir-7d1f" in s, "pwd's output after Enter")


@pytest.mark.parametrize("shell", SHELLS)
def test_failure_keeps_the_request_and_shows_the_reason(
    shell: str, start_shell: Callable[..., Terminal]
) -> None:
    term = start_shell(shell)
    term.type("blorp the frobnicator")
    term.send("M-e")
    screen = term.wait_for(lambda s: "does not know this request" in s, "the reason for the failure")
    prompt = PROMPTS[shell]
    term.wait_for(lambda s: s.rstrip().splitlines()[-1].rstrip() == f"{prompt}blorp the frobnicator"
                  or f"{prompt}blorp the frobnicator" in s, "the request kept on the line")
    assert "caro: error" in screen


def _wrapped_caro(folder: Path, before: str = "") -> str:
    """A `caro` script in `folder` that logs each call and runs the real one; returns a PATH using it."""
    target = shutil.which("caro", path=caro_bin_dir())
    assert target
    folder.mkdir()
    (folder / "caro").write_text(f"#!/bin/sh\necho \"called: $*\" >> {folder}/calls\n{before}exec {target} \"$@\"\n")
    (folder / "caro").chmod(0o755)
    return f"{folder}{os.pathsep}{caro_bin_dir()}{os.pathsep}/usr/bin:/bin"


@pytest.mark.parametrize("shell", SHELLS)
def test_the_key_can_be_changed_with_caro_key(
    shell: str, start_shell: Callable[..., Terminal], tmp_path: Path
) -> None:
    path = _wrapped_caro(tmp_path / "logbin")
    term = start_shell(shell, env={"CARO_KEY": "ctrl-g", "PATH": path})
    prompt = PROMPTS[shell]
    if shell == "fish":
        # fish keeps Alt+E for its own editor; ask fish what the old key does now.
        term.type("bind \\ee")
        term.send("Enter")
        term.wait_for(lambda s: s.count(prompt.strip()) >= 2, "the bind listing")
        assert "__caro_widget" not in term.screen()
        term.send("C-l")
    term.type("show current directory")
    if shell != "fish":
        term.send("M-e")  # the default key, which must no longer call caro
    term.send("C-g")
    term.type(" #typed-after")
    # Keys are handled in order, so once the text typed last is there, both keys have been handled.
    term.wait_for(lambda s: f"{prompt}pwd #typed-after" in s, "the command after Ctrl+G")
    calls = (tmp_path / "logbin" / "calls").read_text().splitlines()
    assert [c for c in calls if "init" not in c] == [f"called: --shell {shell} -- show current directory"]


@pytest.mark.slow
@pytest.mark.parametrize("shell", SHELLS)
def test_the_line_shows_that_caro_is_working(shell: str, start_shell: Callable[..., Terminal], tmp_path: Path) -> None:
    """While caro works the terminal says so (caro is slowed down by a wrapper script to see it)."""
    path = _wrapped_caro(tmp_path / "slowbin", before="sleep 3\n")
    term = start_shell(shell, env={"PATH": path})
    term.type("show current directory")
    term.send("M-e")
    term.wait_for(lambda s: "caro: working on it" in s, "the working indicator")
    screen = term.wait_for(lambda s: f"{PROMPTS[shell]}pwd" in s, "the command after the wait")
    assert "working on it" not in screen  # and it is gone once the command is there
