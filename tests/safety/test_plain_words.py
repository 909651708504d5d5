"""A line of plain words is judged without loading the parser (caro/safety/parse.py `plain_words`): the
script it gives must be exactly the one tree-sitter's tree gives, or the shortcut would change verdicts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from caro.safety import assess
from caro.safety.model import Script
from caro.safety.parse import _feed_stdin_code, parse, parse_into, plain_words

CORPORA = Path(__file__).resolve().parents[2] / "data" / "safety"


def _corpus_commands() -> list[str]:
    commands: list[str] = []
    for path in sorted(CORPORA.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row.get("command"), str):
                commands.append(row["command"])
    return commands


def _by_tree(text: str) -> Script:
    script = Script()
    parse_into(text, script, (), {}, 0)
    _feed_stdin_code(script)
    return script


def _shape(script: Script) -> list[Any]:
    commands = [(c.argv, c.text, c.via, c.name, c.wrapped, c.guessed, c.opaque, c.dynamic, c.windows, c.cwd,
                 c.stdin_text, [(r.op, r.target) for r in c.redirects], [u.argv for u in c.upstream])
                for c in script.commands]
    return [commands, script.statements, script.problems, [(f.level, f.reason) for f in script.findings],
            script.too_deep]


def test_the_corpora_have_plain_lines_to_compare() -> None:
    plain = [c for c in _corpus_commands() if plain_words(c) is not None]
    assert len(plain) > 500  # everyday commands are mostly plain: the shortcut is the common case


@pytest.mark.parametrize("command", [c for c in _corpus_commands() if plain_words(c) is not None])
def test_a_plain_line_gives_the_scripts_the_tree_gives(command: str) -> None:
    assert _shape(parse(command)) == _shape(_by_tree(command))


# Words a generated line is made of: wrappers, interpreters, keywords, declarations and paths, so that the
# lines the shortcut accepts include every kind of first word it must treat as the tree does.
WORDS = ["rm", "-rf", "/", "sudo", "env", "bash", "sh", "-c", "xargs", "find", ".", "-delete", "ls", "-la",
         "export", "A=1", "PATH=/tmp", "local", "declare", "time", "then", "fi", "do", "if", "!", "nohup",
         "python3", "-m", "http.server", "git", "push", "--force", "origin", "main", "dd", "if=/dev/zero",
         "of=/dev/sda", "chmod", "-R", "777", "/etc", "kill", "-9", "1", "exec", "eval", "command", "builtin",
         "nice", "-n", "10", "timeout", "5", "docker", "run", "--rm", "alpine", "user@host:/srv", "a,b",
         "+x", "-", "--", "--max-depth=1", "~", "*.log", "./run.sh", "..", "a:b", "x,y", "2>", "tcpdump", "-w"]


def test_generated_plain_lines_give_the_scripts_the_tree_gives() -> None:
    rng = random.Random(7)
    compared = 0
    for _ in range(5000):
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        if plain_words(line) is None:
            continue
        compared += 1
        assert _shape(parse(line)) == _shape(_by_tree(line)), line
    assert compared > 1500


@pytest.mark.parametrize("line", ["ls | wc -l", "rm -rf *", "echo $HOME", "A=1 rm -rf /", "export A=1",
                                  "then rm -rf /", "ls ~", "rm -rf 'x'", "ls; rm -rf /", "ls -la # note",
                                  "cat x > y", "rm -rf /\nls", "time rm -rf /", "{ rm -rf /; }"])
def test_shell_syntax_is_never_taken_for_plain_words(line: str) -> None:
    assert plain_words(line) is None


def test_plain_dangerous_lines_keep_their_verdicts() -> None:
    assert assess("rm -rf /").risk == "critical"
    assert assess("sudo dd if=/dev/zero of=/dev/sda").risk == "critical"
    assert assess("  ls   -la  ").risk == "safe"
