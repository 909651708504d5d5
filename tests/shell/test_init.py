"""`caro init`: the snippet per shell, the key, and --install into the right startup file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from caro import shell as integration
from caro.errors import UsageError
from tests.shell.conftest import need


@pytest.mark.parametrize(("shell", "checker"), [("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])])
def test_snippets_are_valid_shell(caro, tmp_path: Path, shell: str, checker: list[str]) -> None:  # type: ignore[no-untyped-def]
    need(checker[0])
    done = caro("init", shell)
    assert done.returncode == 0, done.stderr
    path = tmp_path / f"init.{shell}"
    path.write_text(done.stdout)
    check = subprocess.run([*checker, str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    assert "Alt+E" in done.stdout


@pytest.mark.parametrize(
    ("key", "shell", "expected"),
    [
        ("alt-e", "bash", "bind -m emacs -x '\"\\ee\": __caro_widget'"),
        ("ctrl-g", "bash", "bind -m vi-insert -x '\"\\C-g\": __caro_widget'"),
        ("alt-e", "zsh", "bindkey -M emacs '^[e' __caro_widget"),
        ("ctrl-x ctrl-e", "zsh", "bindkey -M viins '^X^E' __caro_widget"),
        ("alt-e", "fish", "bind \\ee __caro_widget"),
        ("Ctrl+G", "fish", "bind -M insert \\cg __caro_widget"),
        ("alt-e", "powershell", "Set-PSReadLineKeyHandler -Chord 'Alt+e'"),
        ("ctrl-x ctrl-e", "powershell", "-Chord 'Ctrl+x,Ctrl+e'"),
    ],
)
def test_key_names_become_each_shells_syntax(key: str, shell: str, expected: str) -> None:
    assert expected in integration.snippet(shell, key)


def test_caro_key_environment_and_none(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("init", "zsh", env={"CARO_KEY": "alt-j"})
    assert "bindkey -M emacs '^[j' __caro_widget" in done.stdout
    done = caro("init", "bash", "--key", "none")
    assert "__caro_widget'" not in done.stdout.split("BASH_VERSINFO")[-1]
    assert "no key bound" in done.stdout


@pytest.mark.parametrize("bad", ["e", "hyper-e", "ctrl-1", "alt-'", "alt-e alt-e alt-e alt-e"])
def test_bad_keys_are_usage_errors(caro, bad: str) -> None:  # type: ignore[no-untyped-def]
    done = caro("init", "fish", "--key", bad)
    assert done.returncode == 2
    assert "cannot use key" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(UsageError):
        integration.parse_key(bad)


def test_unknown_shell_is_a_usage_error(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("init", "tcsh")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_fish_install_honours_xdg_config_home(caro, isolated_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xdg = tmp_path / "elsewhere"
    done = caro("init", "fish", "--install", env={"XDG_CONFIG_HOME": str(xdg)})
    assert done.returncode == 0, done.stderr
    target = xdg / "fish" / "conf.d" / "caro.fish"
    assert target.read_text().strip().endswith("caro init fish | source")
    assert not (isolated_home / ".config").exists()
    # Installing twice adds nothing.
    again = caro("init", "fish", "--install", env={"XDG_CONFIG_HOME": str(xdg)})
    assert "already loads caro" in again.stderr
    assert target.read_text().count("caro init fish") == 1
    assert caro("init", "fish", "--path", env={"XDG_CONFIG_HOME": str(xdg)}).stdout.strip() == str(target)


def test_fish_without_xdg_uses_dot_config(caro, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    done = caro("init", "fish", "--path")
    assert done.stdout.strip() == str(isolated_home / ".config" / "fish" / "conf.d" / "caro.fish")


def test_install_for_zsh_and_bash(caro, isolated_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (isolated_home / ".bashrc").write_text("alias ll='ls -l'")  # no trailing newline
    assert caro("init", "bash", "--install", "--key", "ctrl-g").returncode == 0
    text = (isolated_home / ".bashrc").read_text()
    assert text.startswith("alias ll='ls -l'\n")
    assert "eval \"$(caro init bash --key 'ctrl-g')\"" in text
    zdot = tmp_path / "zdot"
    assert caro("init", "zsh", "--install", env={"ZDOTDIR": str(zdot)}).returncode == 0
    assert 'eval "$(caro init zsh)"' in (zdot / ".zshrc").read_text()
