"""The everyday paths read their arguments without argparse (`cli.parse_simply`); for every argument list
it accepts, the result must be exactly what the full argparse parser gives, and anything unusual must be
left to argparse."""

from __future__ import annotations

import random

import pytest

from caro import cli

WORDS = ["list", "docker containers", "ls -la", "", "a=b", "json", "find . -name '*.log'"]
OPTIONS = [
    ["-b", "builtin"], ["--backend", "lmstudio"], ["--backend=ollama"], ["-o", "json"], ["--output=yaml"],
    ["-m", "caro-model"], ["--url", "http://localhost:1234"], ["-s", "zsh"], ["--shell=fish"],
    ["--platform", "macos"], ["--safety", "strict"], ["--timeout", "2.5"], ["--timeout=7"],
    ["--config", "/tmp/c.toml"], ["-v"], ["--verbose"],
]
EXTRA = {
    None: [["-p", "list files"], ["--prompt=show disk usage"], ["-x"], ["--execute"], ["-y"], ["--yes"],
           ["--dry-run"], ["--no-stream"], ["--explain"]],
    "check": [["--prompt", "delete the logs"], ["--prompt=clean up"]],
    "explain": [["--offline"]],
}
# Forms argparse must read: help, separators, bundles, abbreviations, values it refuses or reads its own way.
UNUSUAL = [["-h"], ["--help"], ["--"], ["-vx"], ["-ojson"], ["--out", "json"], ["-o", "xml"], ["-o"],
           ["--timeout", "soon"], ["-m", "-x"], ["--verbose=1"], ["-rf"], ["-"], ["--platform", "auto"]]


def full_parse(argv: list[str], command: str | None) -> dict[str, object]:
    parser = cli.build_parser() if command is None else cli.build_subparser(command)[0]
    return vars(cli._parse(parser, argv))


def samples(command: str | None, count: int, unusual: bool) -> list[list[str]]:
    rng = random.Random(f"{command}-{unusual}")
    pieces = [[w] for w in WORDS] + OPTIONS + EXTRA[command] + (UNUSUAL if unusual else [])
    return [[part for _ in range(rng.randint(0, 6)) for part in rng.choice(pieces)] for _ in range(count)]


@pytest.mark.parametrize("command", list(cli.SIMPLE_PATHS))
def test_what_it_reads_is_what_argparse_reads(command: str | None) -> None:
    read = 0
    for argv in samples(command, 300, unusual=False) + samples(command, 300, unusual=True):
        simple = cli.parse_simply(argv, command)
        if simple is None:
            continue
        read += 1
        assert vars(simple) == full_parse(argv, command), argv
    assert read > 300  # every plain form, and the unusual lists that happened to draw none, were read


@pytest.mark.parametrize("command", list(cli.SIMPLE_PATHS))
@pytest.mark.parametrize("form", UNUSUAL)
def test_unusual_forms_are_left_to_argparse(command: str | None, form: list[str]) -> None:
    assert cli.parse_simply(["list", *form, "files"], command) is None


def test_the_everyday_forms_are_read_without_argparse() -> None:
    args = cli.parse_simply(["-b", "builtin", "-o", "json", "list docker containers"])
    assert args is not None and args.backend == "builtin" and args.output == "json"
    assert args.prompt_words == ["list docker containers"] and args.execute is False
    check = cli.parse_simply(["ls -la"], "check")
    assert check is not None and check.command_words == ["ls -la"] and check.request is None
    explain = cli.parse_simply(["--offline", "tar -xzf a.tgz"], "explain")
    assert explain is not None and explain.offline is True and explain.command_words == ["tar -xzf a.tgz"]
