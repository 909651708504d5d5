"""Real shells in a real terminal: a private tmux server per test, running bash, zsh or fish with caro's
init snippet, typed at with send-keys and read back with capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import helpers

PROMPTS = {"bash": "bash$ ", "zsh": "zsh% ", "fish": "fish> "}


def need(program: str) -> None:
    """Skip without `program` — or fail under CARO_TEST_STRICT=1 (CI), where tmux, zsh and fish are required."""
    helpers.need(shutil.which(program) is not None, f"{program} is not installed (apt-get install tmux zsh fish)")


def caro_bin_dir() -> str:
    """The folder holding the `caro` console script: next to this Python, else the one on PATH."""
    beside = shutil.which("caro", path=str(Path(sys.executable).parent))
    found = beside or shutil.which("caro")
    helpers.need(found is not None, "the caro console script is not installed (pip install -e . from the clone)")
    assert found is not None
    return str(Path(found).parent)


def shell_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: isolated HOME and caro home, the built-in catalog, no colours."""
    env = {
        "HOME": str(home),
        "CARO_HOME": str(home / ".caro"),
        "CARO_BACKEND": "builtin",
        "PATH": caro_bin_dir() + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "XDG_DATA_HOME": str(home / "xdg-data"),
        "TMPDIR": str(home / "tmp"),
    }
    (home / "tmp").mkdir(exist_ok=True)
    for name in ("PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV", "PYTHONPATH"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def write_rc(shell: str, home: Path, init_args: str = "") -> list[str]:
    """Write the startup file that loads caro's integration; return the argv that starts the shell."""
    if shell == "bash":
        rc = home / ".bashrc"
        # noclobber: the snippet must still work for people who set it.
        rc.write_text(f"set -o noclobber\nPS1='{PROMPTS['bash']}'\nHISTFILE=~/.custom_bash_history\neval \"$(caro init bash {init_args})\"\n")
        return ["bash", "--noprofile", "--rcfile", str(rc), "-i"]
    if shell == "zsh":
        rc = home / ".zshrc"
        rc.write_text(
            f"setopt noclobber\nPS1='{PROMPTS['zsh'].replace('%', '%%')}'\nHISTFILE=~/.custom_zsh_history\nSAVEHIST=1000\nHISTSIZE=1000\n"
            f"eval \"$(caro init zsh {init_args})\"\n"
        )
        return ["zsh", "-i"]
    # fish finds its config through XDG_CONFIG_HOME: the snippet must load from there.
    conf = home / "xdg-config" / "fish"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "config.fish").write_text(
        "set -g fish_greeting ''\n"
        "set -g fish_history work\n"
        f"function fish_prompt; printf '%s' '{PROMPTS['fish']}'; end\n"
        f"caro init fish {init_args} | source\n"
    )
    return ["fish", "-i"]


class Terminal:
    """One tmux session on a private socket."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=False, timeout=30
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        # env -i: the shell sees only `env`, nothing of the test runner's environment.
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "120", "-y", "30",
                  "-c", str(cwd), "env", "-i", *[f"{k}={v}" for k, v in env.items()], *argv)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen().splitlines() if line.strip()]

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        """Poll the screen until `predicate` holds; fail with the screen shown."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"waited for {what}; the screen shows:\n{screen}")

    def last_line(self) -> str:
        lines = self.lines()
        return lines[-1] if lines else ""


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    need("tmux")
    socket = tmp_path / "tmux.sock"
    term = Terminal(socket)
    yield term
    term.tmux("kill-server", check=False)


@pytest.fixture
def start_shell(terminal: Terminal, isolated_home: Path, tmp_path: Path) -> Callable[..., Terminal]:
    """start_shell('zsh', init_args='', env=None) -> the terminal, with the prompt shown."""

    def start(shell: str, init_args: str = "", env: dict[str, str] | None = None) -> Terminal:
        need(shell)
        argv = write_rc(shell, isolated_home, init_args)
        workdir = tmp_path / "work-dir-7d1f"
        workdir.mkdir(exist_ok=True)
        terminal.start(argv, shell_env(isolated_home, env), workdir)
        terminal.wait_for(lambda s: PROMPTS[shell].strip() in s, f"the {shell} prompt")
        return terminal

    return start
