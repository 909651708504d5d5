"""History entries in each shell's own format, read back by the real shell."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from caro.terminal import history
from tests.shell.conftest import PROMPTS, Terminal, need


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_zsh_extended_history_is_read_back_by_zsh(tmp_path: Path) -> None:
    need("zsh")
    path = tmp_path / "zsh_history"
    env = {"HOME": str(tmp_path), "HISTFILE": str(path)}
    command = "grep -r 'a→b' . | wc -l"
    assert history.record(command, "zsh", env=env, now=1700000000) == path
    raw = path.read_bytes()
    assert raw.startswith(b": 1700000000:0;grep -r ")
    assert b"\x83" in raw  # non-ASCII bytes are metafied as zsh writes them
    out = _run(["zsh", "-fc", f"fc -p; fc -R {path}; fc -ln 1"], {"HOME": str(tmp_path), "LANG": "C.UTF-8"})
    assert out.strip() == command


def test_bash_history_with_and_without_timestamps(tmp_path: Path) -> None:
    need("bash")
    path = tmp_path / ".bash_history"
    env = {"HOME": str(tmp_path)}
    assert history.record("ls -la", "bash", env=env) == path
    assert path.read_text() == "ls -la\n"
    path.write_text("#1600000000\necho old\n")
    history.record("du -sh .", "bash", env=env, now=1700000000)
    assert path.read_text().endswith("#1700000000\ndu -sh .\n")
    out = _run(["bash", "-c", f"set -o history; history -c; history -r {path}; history"], env)
    assert "echo old" in out and "du -sh ." in out
    assert "1700000000" not in out  # bash took the line as a timestamp, not a command


def test_fish_history_is_read_back_by_fish(tmp_path: Path) -> None:
    need("fish")
    data = tmp_path / "data"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(data), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    path = history.record("printf 'a\\\\b'\necho two", "fish", env=env, now=1700000000)
    assert path == data / "fish" / "fish_history"
    assert "- cmd: printf 'a\\\\\\\\b'\\necho two\n  when: 1700000000\n" in path.read_text()
    out = _run(["fish", "-c", "history search --exact --max 1 \"printf 'a\\\\\\\\b'\"\\n'echo two'"], env)
    assert "echo two" in out


def test_missing_trailing_newline_is_not_glued(tmp_path: Path) -> None:
    path = tmp_path / ".bash_history"
    path.write_text("echo first")
    history.record("echo second", "bash", env={"HOME": str(tmp_path)})
    assert path.read_text() == "echo first\necho second\n"


def test_turned_off_and_unknown_shells_write_nothing(tmp_path: Path) -> None:
    tmp_path = tmp_path / "empty-home"
    tmp_path.mkdir()
    env = {"HOME": str(tmp_path)}
    assert history.record("ls", "bash", enabled=False, env=env) is None
    assert history.record("ls", "sh", env=env) is None
    assert history.record("ls", "fish", env={**env, "fish_history": ""}) is None
    assert not list(tmp_path.iterdir())


def test_unwritable_history_warns_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert history.record("ls", "zsh", env={"HOME": str(tmp_path), "HISTFILE": str(blocker / "h")}) is None
    assert "could not add the command" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("shell", "relative", "expected"),
    [
        ("zsh", ".zsh_history", ": {when}:0;pwd\n"),
        ("bash", ".bash_history", "pwd\n"),
        ("fish", "xdg-data/fish/fish_history", "- cmd: pwd\n  when: {when}\n"),
    ],
)
def test_caro_x_adds_the_command_to_history(caro, isolated_home: Path, shell: str, relative: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    env = {"CARO_BACKEND": "builtin", "XDG_DATA_HOME": str(isolated_home / "xdg-data")}
    done = caro("-x", "--shell", shell, "show current directory", env=env)
    assert done.returncode == 0, done.stderr
    text = (isolated_home / relative).read_text()
    pattern = re.escape(expected).replace(re.escape("{when}"), r"\d{10}")
    assert re.fullmatch(pattern, text), text


def test_history_config_key_turns_it_off(caro, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    (isolated_home / ".caro").mkdir()
    (isolated_home / ".caro" / "config.toml").write_text("history = false\n")
    done = caro("-x", "--shell", "bash", "show current directory", env={"CARO_BACKEND": "builtin"})
    assert done.returncode == 0, done.stderr
    assert not (isolated_home / ".bash_history").exists()


@pytest.mark.parametrize(
    ("shell", "listing", "relative"),
    [
        ("bash", "history 5", ".custom_bash_history"),
        ("zsh", "fc -l -5", ".custom_zsh_history"),
        ("fish", "history search --max 5 p", "xdg-data/fish/work_history"),
    ],
)
def test_a_command_caro_runs_joins_the_running_shells_history(
    shell: str, listing: str, relative: str, start_shell: Callable[..., Terminal], isolated_home: Path
) -> None:
    """Through the init snippet's wrapper: the shell's own (unexported) HISTFILE or fish session is used,
    and the entry is merged into the running shell, so arrow-up finds it."""
    term = start_shell(shell)
    term.type("caro -x 'show current directory'; echo caro-'done'-42")
    term.send("Enter")
    term.wait_for(lambda s: "work-dir-7d1f" in s and "caro-done-42" in s, "pwd to run and caro to finish")
    assert "pwd" in (isolated_home / relative).read_text().splitlines()[-1] if shell != "fish" else (
        "- cmd: pwd" in (isolated_home / relative).read_text()
    )
    term.send("C-l")
    term.wait_for(lambda s: "caro-done-42" not in s, "a clear screen")
    term.type(listing)
    term.send("Enter")
    term.wait_for(lambda s: listing in s and s.rstrip().endswith(PROMPTS[shell].strip()), "the history listing")
    entries = [line.strip() for line in term.screen().splitlines()]
    assert any(re.fullmatch(r"(\d+\s+)?pwd", entry) for entry in entries), term.screen()
