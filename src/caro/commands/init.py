"""`caro init SHELL`: print the shell integration (a key binding that turns the line into a command)."""

from __future__ import annotations

import sys

# `caro init SHELL` runs at every shell start: argparse is imported only by the parser that needs it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from caro.config import Settings

HELP = "print the shell integration for bash, zsh, fish or powershell (key binding, history sync)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from caro.shell import DEFAULT_KEY, INIT_SHELLS

    parser.add_argument(
        "init_shell",
        metavar="SHELL",
        nargs="?",
        choices=INIT_SHELLS,
        help=f"one of {', '.join(INIT_SHELLS)}; default: the shell you are in",
    )
    parser.add_argument(
        "--key",
        help=f"key that sends the line to caro: alt-e, ctrl-g, 'ctrl-x ctrl-e', or none "
        f"(default: $CARO_KEY, else {DEFAULT_KEY})",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--install", action="store_true", help="add the line that loads the integration to your startup file"
    )
    group.add_argument("--path", action="store_true", help="print the startup file the integration belongs in")


def _shell(args: argparse.Namespace) -> str:
    from caro.context import detect_shell
    from caro.errors import UsageError
    from caro.shell import INIT_SHELLS

    if args.init_shell:
        return str(args.init_shell)
    found = detect_shell()
    if found not in INIT_SHELLS:
        raise UsageError(
            f"cannot tell which shell to set up (found '{found}')",
            f"Name it: caro init {' | '.join(INIT_SHELLS)}",
        )
    return found


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro import shell as integration

    name = _shell(args)
    if args.path:
        print(integration.startup_file(name))
        return 0
    if args.install:
        integration.snippet(name, args.key)  # check the key before touching any file
        path, changed = integration.install(name, args.key)
        line = integration.load_line(name, args.key)
        if changed:
            print(f"caro: added '{line}' to {path}; open a new shell to use it.", file=sys.stderr)
        else:
            print(f"caro: {path} already loads caro ({line}).", file=sys.stderr)
        return 0
    sys.stdout.write(integration.snippet(name, args.key))
    if sys.stdout.isatty():
        # Someone reading it, not a shell loading it: say how to load it.
        print(f"\ncaro: to use it, add to {integration.startup_file(name)}:\n  {integration.load_line(name, args.key)}"
              f"\n  (or run: caro init {name} --install)", file=sys.stderr)
    return 0
