"""Completions load in each real shell without error and complete subcommands and option values."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.shell.conftest import Terminal, caro_bin_dir, need


def _script(caro, shell: str) -> str:  # type: ignore[no-untyped-def]
    done = caro("completions", shell)
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def test_bash_completes_subcommands_and_values(caro, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    need("bash")
    script = tmp_path / "caro.bash"
    script.write_text(_script(caro, "bash"))
    probe = f"""

source {script}
complete -p caro
COMP_WORDS=(caro ini); COMP_CWORD=1; _caro; echo "sub:${{COMPREPLY[*]}}"
COMP_WORDS=(caro --backend ''); COMP_CWORD=2; _caro; echo "backend:${{COMPREPLY[*]}}"
COMP_WORDS=(caro init ''); COMP_CWORD=2; _caro; echo "init:${{COMPREPLY[*]}}"
COMP_WORDS=(caro explain --safety st); COMP_CWORD=3; _caro; echo "safety:${{COMPREPLY[*]}}"
"""
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert "sub:init" in out
    assert "backend:auto lmstudio ollama openai embedded builtin" in out
    assert "init:bash zsh fish powershell" in out
    assert "safety:strict" in out


def test_fish_completes_subcommands_and_values(caro, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    need("fish")
    script = tmp_path / "caro.fish"
    script.write_text(_script(caro, "fish"))
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "PATH": "/usr/bin:/bin"}
    probe = f"source {script}; complete -C 'caro comp'; echo ---; complete -C 'caro --shell '; echo ---; complete -C 'caro init '"
    done = subprocess.run(["fish", "-c", probe], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    first, shells, init = done.stdout.split("---")
    assert first.split("\t")[0].strip() == "completions"
    assert {"bash", "zsh", "fish", "powershell", "cmd"} <= {line.split("\t")[0] for line in shells.split()}
    assert "powershell" in init


def test_zsh_completes_a_subcommand_in_a_terminal(
    caro, start_shell: Callable[..., Terminal], isolated_home: Path  # type: ignore[no-untyped-def]
) -> None:
    need("zsh")
    script = isolated_home / "_caro"
    script.write_text(_script(caro, "zsh"))
    assert subprocess.run(["zsh", "-n", str(script)], check=False).returncode == 0
    rc = isolated_home / ".zshrc"
    term = start_shell("zsh")
    rc.write_text(rc.read_text() + f"autoload -Uz compinit; compinit -u; source {script}\n")
    term.type(f"source {rc}")
    term.send("Enter")
    term.type("clear")
    term.send("Enter")
    term.type("caro complet")
    term.send("Tab")
    term.wait_for(lambda s: "caro completions" in s, "the completed subcommand")
    term.type(" ")
    term.send("Tab")
    term.wait_for(lambda s: "bash" in s and "fish" in s, "the shells offered")
    assert "command not found" not in term.screen()
    assert caro_bin_dir()
