"""`caro explain COMMAND`: what a command does, part by part, and the safety engine's verdict."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: this module is loaded to build `caro explain`'s parser
if TYPE_CHECKING:
    import argparse

    from caro.config import Settings

HELP = "explain a shell command part by part: programs, flags, reads, changes, safety verdict"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("command_words", nargs="*", metavar="COMMAND",
                        help="the command to explain (quote it; read from standard input when absent)")
    parser.add_argument("--offline", action="store_true",
                        help="use only the built-in descriptions, never ask a model")


def _command(args: argparse.Namespace) -> str:
    from caro.errors import UsageError

    words: list[str] = list(args.command_words)
    text = words[0] if len(words) == 1 else " ".join(words)
    if not text.strip() and not sys.stdin.isatty():
        text = sys.stdin.read()
    if not text.strip():
        raise UsageError("no command to explain", "Try: caro explain 'find . -name \"*.log\" -delete'")
    return text.strip()


def model_summary(command: str, settings: Settings) -> str:
    """One sentence from the first model server that is up; '' when none is (never raises)."""
    from caro import backends, context
    from caro.backends.base import GenerationRequest
    from caro.errors import CaroError

    for name in backends.plan(settings):
        if name in ("builtin", "embedded") and settings.backend != name:
            continue  # the catalog has no words of its own; loading a local model is not worth it here
        if name == "builtin":
            continue
        try:
            backend = backends.create(name, settings)
            if not backend.availability().ok:
                continue
            request = GenerationRequest(
                prompt=f"Explain in one plain sentence what this shell command does, without running it: {command}",
                context=context.build(settings),
                timeout=settings.timeout,
                stream=False,
            )
            raw = backend.generate(request)
        except (CaroError, ImportError, OSError):
            continue
        from caro import parsing

        try:
            summary = parsing.parse(raw).explanation or ""
        except CaroError:
            # Plain prose, no command in it: that is the explanation itself.
            summary = raw.text if len(raw.text.split()) > 4 else ""
        summary = " ".join(summary.split())
        if summary:
            return summary[:400]
    return ""


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro import context, safety
    from caro.terminal import explain

    command = _command(args)
    shell = context.build(settings).shell

    def check(text: str) -> safety.Verdict:
        return safety.assess(
            text,
            mode=settings.safety,
            shell=shell,
            allow=list(settings["safety_rules.allow"]),
            deny=list(settings["safety_rules.deny"]),
        )

    result = explain.explain(command, shell=shell, check=check)
    if not args.offline:
        result.model_summary = model_summary(command, settings)
    if settings.output == "json":
        import json

        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    elif settings.output == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(result.as_dict(), sort_keys=False, allow_unicode=True))
    else:
        from caro.terminal import ui

        print(explain.render(result, colour=ui.use_colour(sys.stdout)))
    return 0
