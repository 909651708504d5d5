"""The test home (tests/conftest.py) isolates every variable caro reads, so no test — `caro -x` least of
all — can read or write a developer's real shell history, config, clipboard or servers."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import CLEARED, XDG, CaroRunner
from tests.helpers import need

SRC = Path(__file__).resolve().parents[2] / "src" / "caro"
# Environment variable names are upper case; `env["python"]`-style lookups in caro's own dicts are not reads.
# `self.env` (the safety engine's simulated shell variables) is not the process environment.
READ = re.compile(r"""(?<![.\w])(?:os\.)?(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z_][A-Z0-9_]*)["']""")
# Read by caro, and set by the test home to values inside it (or harmless: display only).
SET_BY_THE_TEST_HOME = {"HOME", "SHELL", "NO_COLOR", "TERM", "COLUMNS"}


def variables_caro_reads() -> set[str]:
    return {name for path in SRC.rglob("*.py") for name in READ.findall(path.read_text(encoding="utf-8"))}


def test_every_variable_caro_reads_is_isolated() -> None:
    names = variables_caro_reads()
    assert {"HISTFILE", "ZDOTDIR", "XDG_DATA_HOME", "CARO_HOME"} <= names  # the scan finds them
    loose = sorted(name for name in names if not name.startswith("CARO_")
                   and name not in CLEARED and name not in XDG and name not in SET_BY_THE_TEST_HOME)
    assert loose == [], f"caro reads these, and tests/conftest.py neither clears nor redirects them: {loose}"


def test_the_environment_points_into_the_test_home(isolated_home: Path) -> None:
    for name in CLEARED:
        assert name not in os.environ
    for name in XDG:
        assert Path(os.environ[name]).is_relative_to(isolated_home)
    assert os.environ["HOME"] == str(isolated_home)
    assert Path(os.environ["CARO_HOME"]).is_relative_to(isolated_home)
    assert not [name for name in os.environ if name.startswith("CARO_") and name != "CARO_HOME"]


@pytest.mark.parametrize("shell, history", [
    ("bash", ".bash_history"),
    ("zsh", ".zsh_history"),
    ("fish", ".local/share/fish/fish_history"),
])
def test_caro_x_writes_history_inside_the_test_home(caro: CaroRunner, isolated_home: Path, tmp_path: Path,
                                                    shell: str, history: str) -> None:
    need(shutil.which(shell) is not None, f"{shell} is not installed (apt-get install zsh fish)")
    work = tmp_path / "work"
    work.mkdir()
    done = caro("-b", "builtin", "-s", shell, "-x", "-y", "print the current working directory", cwd=work)
    assert done.returncode == 0, done.stderr
    written = isolated_home / history
    assert written.is_file(), sorted(str(p.relative_to(isolated_home)) for p in isolated_home.rglob("*"))
    assert "pwd" in written.read_text(encoding="utf-8", errors="replace")
