"""Blocked never runs, in a real terminal (tmux): a command edited in the menu into something the rules
block cannot be run, and the key binding never puts a blocked command on the line. Every blocked command
here ends in `touch <marker>` inside the test's temporary folder, so the marker would exist had it run;
none of them does harm if run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.shell.conftest import PROMPTS, Terminal

MENU = "[r] run"
DENY_MARKERS = ('[safety_rules]\ndeny = [{pattern = "touch .*blocked-marker", level = "critical", '
                'message = "no markers in this test"}]\n')


def write_config(home: Path, text: str) -> None:
    path = home / ".caro" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("edit, config, reason", [
    # A user rule: the edited command is judged with the user's own deny rules.
    (" && touch {marker}", DENY_MARKERS, "no markers in this test"),
    # The built-in rules: a download piped into a shell is critical. Run, it would fetch nothing from a
    # closed port, feed sh nothing, and touch the marker.
    (" && curl -fsS http://127.0.0.1:{port}/install.sh | sh; touch {marker}", "", "critical"),
], ids=["user-deny-rule", "built-in-critical"])
def test_a_command_edited_into_something_blocked_cannot_run(
    start_shell: Callable[..., Terminal], isolated_home: Path, tmp_path: Path, closed_port: int,
    edit: str, config: str, reason: str,
) -> None:
    write_config(isolated_home, config)
    marker = tmp_path / "blocked-marker"
    term = start_shell("bash")
    term.type("caro 'show current directory'; echo exit=$?")
    term.send("Enter")
    term.wait_for(lambda s: MENU in s, "the menu")
    term.send("e")
    term.wait_for(lambda s: "edit> pwd" in s, "the pre-filled editor")
    term.type(edit.format(marker=marker, port=closed_port))
    term.send("Enter")
    screen = term.wait_for(lambda s: "(blocked)" in s and s.count(MENU) >= 2, "the verdict on the edit")
    assert reason in screen
    term.send("r")
    term.wait_for(lambda s: "this command is blocked at your safety setting" in s, "the refusal")
    term.send("y")  # the other key that runs
    term.wait_for(lambda s: s.count("this command is blocked") >= 2, "the second refusal")
    term.send("q")
    term.wait_for(lambda s: "exit=5" in s, "caro to stop without running")
    assert not marker.exists()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_key_binding_never_puts_a_blocked_command_on_the_line(
    shell: str, start_shell: Callable[..., Terminal], isolated_home: Path, tmp_path: Path,
) -> None:
    # The built-in catalog answers `touch marker.txt`; a user rule blocks every touch.
    write_config(isolated_home, '[safety_rules]\ndeny = [{pattern = "^touch ", level = "critical", '
                                'message = "no new files in this test"}]\n')
    term = start_shell(shell)
    request = "create an empty file named marker.txt"
    term.type(request)
    term.send("M-e")
    screen = term.wait_for(lambda s: "no new files in this test" in s, "the reason it was blocked")
    prompt = PROMPTS[shell]
    term.wait_for(lambda s: f"{prompt}{request}" in s, "the request kept on the line")
    assert f"{prompt}touch" not in term.screen()
    assert "blocked" in screen
    assert not (tmp_path / "work-dir-7d1f" / "marker.txt").exists()
