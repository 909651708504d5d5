"""`caro check COMMAND`: the safety engine's verdict on a command, without running anything.

Exit 0 when the current safety mode would allow the command (perhaps after confirmation), 4 when it
would block it. `-o json` prints exactly {"command", "risk", "blocked", "requires_confirmation", "reasons"}.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `caro check` keeps typing off its start path
if TYPE_CHECKING:
    import argparse

    from caro.config import Settings
    from caro.safety import Verdict

HELP = "judge a command with the safety engine: risk, whether it would be blocked or need confirmation, why"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("command_words", nargs="*", metavar="COMMAND",
                        help="the command to judge (quote it; read from standard input when absent)")
    parser.add_argument("--prompt", dest="request", default=None, metavar="TEXT",
                        help="also judge the request that produced the command (its intent)")


def _command(args: argparse.Namespace) -> str:
    from caro.errors import UsageError

    words: list[str] = list(args.command_words)
    text = " ".join(words)
    if not text.strip() and not sys.stdin.isatty():
        text = sys.stdin.read()
    if not text.strip():
        raise UsageError("no command to check", "Try: caro check 'rm -rf ./build' (quote the command).")
    return text


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro import context, safety
    from caro.errors import EXIT_BLOCKED, EXIT_OK
    from caro.terminal import ui

    command = _command(args)
    ctx = context.build(settings)
    verdict = safety.assess(
        command,
        mode=settings.safety,
        prompt=args.request,
        shell=ctx.shell,
        allow=settings["safety_rules.allow"],
        deny=settings["safety_rules.deny"],
    )
    fmt = getattr(args, "output", None) or settings.output
    if fmt == "json":
        from caro.result import to_json

        print(to_json(verdict.as_dict()))
    elif fmt == "yaml":
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(verdict.as_dict()))
    else:
        _print_plain(verdict, settings.safety)
    if getattr(args, "verbose", False) or fmt == "plain":
        for warning in verdict.warnings:
            ui.note(f"warning: {warning}")
    return EXIT_BLOCKED if verdict.blocked else EXIT_OK


def _print_plain(verdict: Verdict, mode: str) -> None:
    from caro.terminal import ui

    if verdict.blocked:
        decision = f"blocked at safety mode '{mode}'"
    elif verdict.requires_confirmation:
        decision = f"needs your confirmation at safety mode '{mode}'"
    else:
        decision = f"allowed at safety mode '{mode}'"
    out = sys.stdout
    lines = verdict.command.split("\n")
    print(f"command: {lines[0]}", file=out)
    for line in lines[1:]:  # a multi-line script is shown whole, aligned
        print(f"         {line}", file=out)
    print(f"risk:    {ui.risk_label(verdict.risk, out)} ({decision})", file=out)
    if verdict.reasons:
        print("reasons:", file=out)
        for reason in verdict.reasons:
            print(f"  - {reason}", file=out)
    else:
        print("reasons: none; nothing dangerous found", file=out)
