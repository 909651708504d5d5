"""The command line: parse, resolve settings, run the flow, render, decide, exit.

Kept light: only the standard library and caro's small modules are imported on the start path;
subcommands and backends are imported when used.
"""

from __future__ import annotations

import sys
import time

from caro import __version__

# Not `from typing import TYPE_CHECKING`: the start path avoids importing typing at all.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any

    from caro.config import Settings
    from caro.result import Result

USAGE = "caro [OPTIONS] PROMPT...\n       caro [OPTIONS] COMMAND [ARGS]"

DESCRIPTION = """\
Turn a request in plain language into one shell command, check it for danger,
and run it only when you agree.

examples:
  caro "list docker containers"
  caro -x find files larger than 100MB here
  echo "show disk usage by folder" | caro -o json
  caro -- doctor my prompt that starts with a command name"""

EPILOG = """\
exit codes: 0 success, 1 internal error, 2 usage or configuration error,
3 no backend could produce a command, 4 blocked by safety, 5 declined by you,
6 a model download failed; with --execute, the command's own exit status. Docs: docs/ in the caro repository."""


# The options every invocation understands, before or after a subcommand's name: (flags, takes a value).
GLOBAL_OPTIONS = {
    "backend": (("-b", "--backend"), True),
    "model": (("-m", "--model"), True),
    "url": (("--url",), True),
    "shell": (("-s", "--shell"), True),
    "platform": (("--platform",), True),
    "safety": (("--safety",), True),
    "output": (("-o", "--output"), True),
    "timeout": (("--timeout",), True),
    "config": (("--config",), True),
    "verbose": (("-v", "--verbose"), False),
}


def _add_common(parser: argparse.ArgumentParser, shown: tuple[str, ...] | None = None) -> None:
    """Options every invocation understands. Those a subcommand does not use are accepted but not listed."""
    import argparse

    from caro.config import BACKENDS, OUTPUTS, PLATFORMS, SAFETY_MODES, SHELLS

    helps = {
        "backend": f"which backend answers: {' | '.join(BACKENDS)} (default: auto)",
        "model": "model identifier for the backend",
        "url": "server URL for the chosen backend (default: LM Studio's)",
        "shell": f"target shell: {' | '.join(SHELLS)} (default: detected)",
        "platform": "target userland: linux | macos | windows (default: detected)",
        "safety": f"safety mode: {' | '.join(SAFETY_MODES)} (default: moderate)",
        "output": f"output format: {' | '.join(OUTPUTS)} (default: plain)",
        "timeout": "generation timeout (default: 30)",
        "config": "config file (default: $CARO_HOME/config.toml)",
        "verbose": "show backend status, every fallback and why, and timings",
    }
    extra: dict[str, dict[str, Any]] = {
        "backend": {"choices": BACKENDS, "metavar": "NAME"},
        "model": {"metavar": "ID"},
        "url": {"metavar": "URL"},
        "shell": {"choices": SHELLS, "metavar": "SHELL"},
        "platform": {"choices": [p for p in PLATFORMS if p != "auto"], "metavar": "OS"},
        "safety": {"choices": SAFETY_MODES, "metavar": "MODE"},
        "output": {"choices": OUTPUTS, "metavar": "FORMAT"},
        "timeout": {"type": float, "metavar": "SECONDS"},
        "config": {"metavar": "PATH"},
        "verbose": {"action": "store_true"},
    }
    title = ("common options (before or after a COMMAND's name, too)" if shown is None and parser.prog == "caro"
             else "common options (also accepted before the command's name)")
    group = parser.add_argument_group(title)
    for dest, (flags, _) in GLOBAL_OPTIONS.items():
        visible = shown is None or dest in shown
        group.add_argument(*flags, dest=dest, help=helps[dest] if visible else argparse.SUPPRESS, **extra[dest])


def split_globals(argv: list[str]) -> tuple[list[str], list[str]]:
    """Leading global options (with their values) and the rest: `caro -v -o json doctor` -> (['-v', '-o',
    'json'], ['doctor'])."""
    takes_value = {flag: value for flags, value in GLOBAL_OPTIONS.values() for flag in flags}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in takes_value:
            i += 2 if takes_value[name] and "=" not in arg else 1
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" and arg[:2] in takes_value and takes_value[arg[:2]]:
            i += 1  # -ojson
        elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and set(arg[1:]) == {"v"}:
            i += 1  # -vv
        else:
            break
    return argv[:i], argv[i:]


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Options may sit between positional words (`caro models pull -o json NAME`, `caro list -v files`).
    argparse cannot intermix with nested subparsers or REMAINDER; such a parser is read the plain way."""
    try:
        return parser.parse_intermixed_args(argv)
    except TypeError:
        return parser.parse_args(argv)


def terminal_width() -> int:
    """The width help is wrapped to, as shutil.get_terminal_size finds it ($COLUMNS, else the terminal on
    stdout, else 80) without importing shutil, which brings bz2, lzma and fnmatch to every start."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _formatter_class() -> type[argparse.RawDescriptionHelpFormatter]:
    import argparse

    class Formatter(argparse.RawDescriptionHelpFormatter):
        """argparse's formatter, told the width (argparse would ask shutil, once per argument)."""

        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                     width: int | None = None) -> None:
            super().__init__(prog, indent_increment, max_help_position,
                             terminal_width() - 2 if width is None else width)

    return Formatter


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    from caro.errors import UsageError

    class Parser(argparse.ArgumentParser):
        """argparse that raises UsageError instead of printing and exiting, so -o json stays JSON."""

        def error(self, message: str) -> Any:
            raise UsageError(message, f"See '{self.prog} --help'.")

    return Parser


def build_parser() -> argparse.ArgumentParser:
    """The parser for `caro [OPTIONS] PROMPT...`."""

    from caro.commands import SUMMARIES

    commands = "\n".join(f"  {name:<12} {text}" for name, text in SUMMARIES.items())
    parser = _parser_class()(
        prog="caro",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=f"commands (caro COMMAND --help for each):\n{commands}\n\n{EPILOG}",
        formatter_class=_formatter_class(),
    )
    parser.add_argument("prompt_words", nargs="*", metavar="PROMPT", help="the request (words are joined)")
    parser.add_argument("-p", "--prompt", metavar="TEXT", help="the request, as one argument")
    parser.add_argument("-x", "--execute", action="store_true",
                        help="run the command: safe ones at once, others after you confirm")
    parser.add_argument("-y", "--yes", action="store_true",
                        help="answer yes to confirmations (never runs a blocked command)")
    parser.add_argument("--dry-run", action="store_true", help="show the command and its verdict; run nothing")
    parser.add_argument("--no-stream", action="store_true", help="do not stream the model's answer")
    parser.add_argument("--explain", action="store_true", help="also explain the command part by part")
    parser.add_argument("--version", action="version", version=f"caro {__version__}")
    _add_common(parser)
    return parser


def build_subparser(name: str) -> tuple[argparse.ArgumentParser, Any]:
    """The parser for `caro NAME ...` and the subcommand module."""
    import importlib

    from caro.commands import OPTIONS_USED, SUBCOMMANDS

    module = importlib.import_module(SUBCOMMANDS[name])
    parser = _parser_class()(
        prog=f"caro {name}", description=module.HELP, formatter_class=_formatter_class()
    )
    module.add_arguments(parser)
    _add_common(parser, OPTIONS_USED.get(name))
    return parser, module


class _Namespace:
    """What argparse would have parsed, for the paths answered without it."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


# The options of the everyday paths beyond the common ones: flag -> (dest, takes a value, allowed values).
# Each path's full parser is still the reference: tests/cli/test_simple_parse.py compares the two.
Option = tuple[str, bool, "Any"]
PROMPT_OPTIONS: dict[str, Option] = {
    "-p": ("prompt", True, None), "--prompt": ("prompt", True, None),
    "-x": ("execute", False, None), "--execute": ("execute", False, None),
    "-y": ("yes", False, None), "--yes": ("yes", False, None),
    "--dry-run": ("dry_run", False, None), "--no-stream": ("no_stream", False, None),
    "--explain": ("explain", False, None),
}
# Per path: (the options, the positional words' dest, the defaults argparse would give).
SIMPLE_PATHS: dict[str | None, tuple[dict[str, Option], str, dict[str, Any]]] = {
    None: (PROMPT_OPTIONS, "prompt_words", {"prompt": None, "execute": False, "yes": False, "dry_run": False,
                                            "no_stream": False, "explain": False}),
    "check": ({"--prompt": ("request", True, None)}, "command_words", {"request": None}),
    "explain": ({"--offline": ("offline", False, None)}, "command_words", {"offline": False}),
}


def _common_options() -> dict[str, Option]:
    from caro.config import BACKENDS, OUTPUTS, PLATFORMS, SAFETY_MODES, SHELLS

    allowed: dict[str, Any] = {"backend": BACKENDS, "shell": SHELLS, "safety": SAFETY_MODES, "output": OUTPUTS,
                               "platform": [p for p in PLATFORMS if p != "auto"], "timeout": float}
    return {flag: (dest, value, allowed.get(dest)) for dest, (flags, value) in GLOBAL_OPTIONS.items()
            for flag in flags}


def parse_simply(argv: list[str], command: str | None = None) -> argparse.Namespace | None:
    """`argv` for `caro [COMMAND]` read as argparse reads it, without argparse (whose import and parser
    cost more than a bare Python start), for the plain forms only: words that do not start with '-', and
    options spelled out in full (`-o json`, `--output json`, `--output=json`) with a valid value. None for
    anything else (`-h`, `--`, `-vx`, `-ojson`, abbreviations, a word or value starting with '-', a value
    argparse would refuse): argparse reads those, with its messages."""
    extra, positional, defaults = SIMPLE_PATHS[command]
    table = {**_common_options(), **extra}
    values: dict[str, Any] = {dest: None for dest in GLOBAL_OPTIONS}
    values.update(defaults, verbose=False)
    words: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in table:
            return None
        dest, takes_value, allowed = table[name]
        if not takes_value:
            if equals:
                return None
            values[dest] = True
            continue
        if not equals:
            if i >= len(argv) or argv[i].startswith("-"):
                return None
            value = argv[i]
            i += 1
        if allowed is float:
            try:
                values[dest] = float(value)
            except ValueError:
                return None
        elif allowed is not None and value not in allowed:
            return None
        else:
            values[dest] = value
    values[positional] = words
    return _Namespace(**values)  # type: ignore[return-value]  # the same attributes


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    """Command-line values as dotted config names (None = not given)."""
    flags: dict[str, Any] = {
        "backend": args.backend,
        "model": args.model,
        "shell": args.shell,
        "platform": args.platform,
        "safety": args.safety,
        "output": args.output,
        "timeout": args.timeout,
    }
    if args.url:
        target = args.backend if args.backend in ("lmstudio", "ollama", "openai") else "lmstudio"
        flags[f"{target}.url"] = args.url
    if getattr(args, "no_stream", False):
        flags["lmstudio.stream"] = False
    return flags


def _load_settings(args: argparse.Namespace, *, tolerant: bool = False) -> Settings:
    """Settings from defaults, file, environment and flags. `tolerant`: a config file that cannot be
    used is set aside in `settings.problem` (for the tools that help fix it) instead of stopping here."""
    from caro import config
    from caro.terminal import ui

    settings = config.load(_flags(args), path=args.config or None, tolerant=tolerant)
    for warning in settings.warnings:
        ui.note(f"warning: {warning}")
    return settings


def _read_prompt(args: argparse.Namespace) -> str:
    """The request: -p, else the words, else piped stdin."""
    from caro.errors import UsageError
    from caro.terminal import ui

    if args.prompt is not None and args.prompt_words:
        raise UsageError("give the request either with -p or as words, not both",
                         "Quote the whole request, e.g. caro -p \"list files\".")
    text = args.prompt if args.prompt is not None else " ".join(args.prompt_words)
    if not text.strip() and not ui.is_tty(sys.stdin):
        text = sys.stdin.read()
    text = " ".join(text.split())
    if not text:
        raise UsageError("no request given", 'Try: caro "list docker containers" (or caro --help).')
    return text


def _machine_output(argv: list[str]) -> str | None:
    """'json' or 'yaml' when asked for on the command line, so even usage errors keep the format."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg in ("-o", "--output") and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--output="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-o") and len(arg) > 2:
            value = arg[2:]
        if value in ("json", "yaml"):
            return value
    return None


def _emit(data: dict[str, Any], fmt: str) -> None:
    from caro.result import to_json, to_yaml

    sys.stdout.write((to_json(data) + "\n") if fmt == "json" else to_yaml(data))
    sys.stdout.flush()


def _show_error(exc: Exception, verbose: bool) -> None:
    from caro.errors import CaroError, UserDeclined
    from caro.terminal import ui

    if isinstance(exc, UserDeclined) and getattr(exc, "cancelled", False):
        return  # the user's own choice, already acknowledged by the menu: not an error
    if isinstance(exc, CaroError):
        ui.err(f"caro: {ui.paint('error', '1;31')}: {exc.message}")
        if exc.hint:
            ui.err(f"  {exc.hint}")
        if verbose and exc.detail:
            ui.err(f"  model output: {exc.detail!r}")


def _render_plain(result: Result, verbose: bool) -> None:
    """stdout gets the command alone, and only one that may run (safe for `eval "$(caro ...)"`);
    a blocked command and the verdict go to stderr."""
    from caro.terminal import ui

    if result.command is not None and result.blocked:
        ui.err(f"  blocked: {result.command}")
    elif result.command is not None:
        print(result.command, flush=True)
    if result.risk:
        first = f" — {result.reasons[0]}" if result.reasons else ""
        ui.err(f"  risk: {ui.risk_label(result.risk)}{first}")
        for reason in result.reasons[1:]:
            ui.err(f"        {reason}")
    for warning in result.warnings:
        ui.err(f"  warning: {warning}")
    if verbose:
        if result.explanation:
            ui.err(f"  explanation: {result.explanation}")
        # Each fallback was already said once, as it happened.
        if result.backend:
            gen = f"{result.generation_ms:.0f} ms" if result.generation_ms is not None else "?"
            total = f"{result.total_ms:.0f} ms" if result.total_ms is not None else "?"
            ui.err(f"  backend: {result.backend} (model {result.model or '?'}); generation {gen}, total {total}")


def _approve(result: Result, args: argparse.Namespace, settings: Settings, interactive: bool) -> tuple[bool, str]:
    """Whether to run the command, and the command to run. Raises UserDeclined when the user says no."""
    from caro.errors import UserDeclined

    command = result.command or ""
    if args.dry_run or result.blocked:
        return False, command
    if args.execute and not result.requires_confirmation:
        return True, command
    if args.yes and (args.execute or interactive):
        return True, command
    # The menu needs a person at both ends: with stdout captured (`cmd=$(caro ...)`) nothing is asked.
    from caro.terminal import ui

    interactive = interactive and ui.is_tty(sys.stdout)
    if not interactive:
        if args.execute:
            raise UserDeclined(
                f"this {result.risk}-risk command needs your confirmation, and there is no terminal to ask",
                "Rerun with -y to approve it, or run it yourself after reading it.",
            )
        return False, command
    from caro import safety
    from caro.terminal import interactive as menu

    shell = _shell(settings)

    def check(text: str) -> safety.Verdict:
        # An edited command is judged again, at the user's mode and with the user's rules.
        return safety.assess(text, mode=settings.safety, prompt=result.prompt, shell=shell,
                             allow=list(settings["safety_rules.allow"]), deny=list(settings["safety_rules.deny"]))

    action, command = menu.choose(command, result.risk or "moderate", result.requires_confirmation,
                                  result.explanation or "", shell, reasons=list(result.reasons),
                                  check=check, header=False)
    if action == "run":
        return True, command
    if action == "copy":
        return False, command
    cancelled = UserDeclined("cancelled: nothing was run")
    cancelled.cancelled = True  # type: ignore[attr-defined]
    raise cancelled


def run_prompt(argv: list[str]) -> int:
    """`caro [OPTIONS] PROMPT...`: generate, judge, render, maybe run."""
    started = time.perf_counter()
    args = parse_simply(argv) or _parse(build_parser(), argv)
    from caro import flow
    from caro.terminal import ui

    prompt = _read_prompt(args)
    settings = _load_settings(args)
    fmt = settings.output
    log = ui.Log(args.verbose)
    # Questions need a terminal on both ends; machine output never asks.
    interactive = fmt == "plain" and ui.is_tty(sys.stdin) and ui.is_tty(sys.stderr)
    from caro.terminal import progress

    # A spinner with elapsed time (and streamed text) on a terminal; silent under -v, pipes and -o json.
    with progress.spinner("asking", output=fmt, enabled=False if args.verbose else None) as spin:
        result = flow.generate(prompt, settings, on_text=spin.feed, log=log,
                               notify=settings.backend != "auto", started=started,
                               on_backend=lambda label: spin.set_label(f"asking {label}"))

    code = 0
    if result.error is not None and not result.blocked:
        code = result.error.exit_code
    elif result.blocked:
        code = result.error.exit_code if result.error else 4
    else:
        from caro.errors import CaroError

        if fmt == "plain":
            _render_plain(result, args.verbose)
            if args.explain and result.command:
                _explain(result.command, settings)
        try:
            approved, command = _approve(result, args, settings, interactive)
        except CaroError as exc:
            approved, command = False, result.command or ""
            result.error = exc
            code = exc.exit_code
        if approved:
            from caro import execution

            result.command = command
            result.executed = True
            shell = _shell(settings)
            result.exit_code = execution.run(command, shell, stdout_to_stderr=fmt != "plain")
            from caro.terminal import history

            history.record_with_settings(command, shell, settings)
            code = result.exit_code
        result.total_ms = (time.perf_counter() - started) * 1000
        if fmt != "plain":
            _emit(result.as_dict(), fmt)
        elif result.error is not None:
            _show_error(result.error, args.verbose)
        return code

    if fmt == "plain":
        _render_plain(result, args.verbose)
        if result.error is not None:
            _show_error(result.error, args.verbose)
    else:
        _emit(result.as_dict(), fmt)
        if result.error is not None and args.verbose:
            _show_error(result.error, True)
    return code


def _explain(command: str, settings: Settings) -> None:
    """--explain: the command part by part, on stderr (stdout keeps the command alone)."""
    from caro.terminal import explain, ui

    parts = explain.explain(command, shell=_shell(settings), mode=settings.safety)
    ui.err(explain.render(parts, colour=ui.use_colour(sys.stderr)))


def _shell(settings: Settings) -> str:
    from caro import context

    return context.build(settings).shell


def run_subcommand(name: str, argv: list[str]) -> int:
    from caro.commands import SUBCOMMANDS, TOLERANT

    args = parse_simply(argv, name) if name in SIMPLE_PATHS else None
    if args is not None:
        __import__(SUBCOMMANDS[name])  # not importlib: it brings warnings to the start path
        module: Any = sys.modules[SUBCOMMANDS[name]]
    else:
        parser, module = build_subparser(name)
        args = _parse(parser, argv)
    settings = _load_settings(args, tolerant=name in TOLERANT)
    code: int = module.run(args, settings)
    return code


def _subcommand(argv: list[str]) -> tuple[str, list[str]] | None:
    """The subcommand named after any leading global options, and its arguments (globals first)."""
    from caro.commands import SUBCOMMANDS

    leading, rest = split_globals(argv)
    if rest and rest[0] in SUBCOMMANDS:
        return rest[0], leading + rest[1:]
    return None


def _init_directly(argv: list[str]) -> int | None:
    """`caro init SHELL`, as it runs at every shell start, answered without building a parser (argparse
    alone costs more than the rest of the path); any other form of `init` goes through argparse."""
    if len(argv) != 2 or argv[0] != "init":
        return None
    from caro.shell import INIT_SHELLS

    if argv[1] not in INIT_SHELLS:
        return None
    from caro.commands import init

    values: dict[str, Any] = {dest: None for dest in GLOBAL_OPTIONS}
    args = _Namespace(**{**values, "verbose": False, "init_shell": argv[1], "key": None, "install": False,
                         "path": False})
    return init.run(args, _load_settings(args))  # type: ignore[arg-type]


def _dispatch(argv: list[str]) -> int:
    if argv in (["--help"], ["-h"]):
        return _help_directly()
    direct = _init_directly(argv)
    if direct is None:
        direct = _completions_directly(argv)
    if direct is not None:
        return direct
    found = _subcommand(argv)
    if found:
        return run_subcommand(*found)
    return run_prompt(argv)


# What `caro --help` depends on besides caro's version: the files that write it, the interpreter (argparse's
# layout), the width, and what may make argparse translate or colour it. The completion scripts are built
# from every subcommand's parser, so every file in commands/ counts for them.
_HELP_SOURCES = ("cli.py", "config.py", "commands/__init__.py")
_HELP_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR", "FORCE_COLOR", "PYTHON_COLORS", "TERM")


def _page_cache_file(kind: str, sources: tuple[str, ...], *, width: bool) -> str | None:
    """The cache file holding the page `kind` (`help`, `completions-zsh`) as argparse's parsers write it in
    this setting (None: no way to tell)."""
    import os
    import zlib

    from caro.config import _home_str

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        facts = [__version__, sys.version, str(terminal_width()) if width else "", str(sys.stdout.isatty())]
        facts += [os.environ.get(name, "") for name in _HELP_ENV]
        for name in sources:
            stat = os.stat(os.path.join(here, *name.split("/")))
            facts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    except (OSError, ValueError, AttributeError):
        return None
    key = zlib.crc32("\n".join(facts).encode())
    return os.path.join(_home_str(os.environ), "cache", f"{kind}-{key:08x}.txt")


def _cached_page(path: str | None, build: Callable[[], str]) -> str:
    """The page kept at `path`, or `build()`'s, then kept there."""
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, ValueError):
            pass
    text = build()
    if path is not None:
        from caro.config import write_cache

        write_cache(path, text.encode("utf-8"))
    return text


def _print_help(text: str) -> None:
    """As argparse prints help: a stdout that cannot take it is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (AttributeError, OSError):
        pass


def _help_directly() -> int:
    """`caro --help`: the page argparse wrote last time in the same setting, kept in caro's cache folder
    (argparse costs twice a bare Python start); written by argparse, and kept, when there is none."""
    path = _page_cache_file("help", _HELP_SOURCES, width=True)
    _print_help(_cached_page(path, lambda: build_parser().format_help()))
    return 0


def _completions_directly(argv: list[str]) -> int | None:
    """`caro completions SHELL`, which a shell may run at every start (`eval "$(caro completions zsh)"`):
    the script written last time, kept like the help page; building it imports every subcommand's parser."""
    if len(argv) != 2 or argv[0] != "completions":
        return None
    import os

    from caro.shell import COMPLETION_SHELLS

    if argv[1] not in COMPLETION_SHELLS:
        return None

    commands = os.path.join(os.path.dirname(os.path.abspath(__file__)), "commands")
    try:
        sources = tuple(f"commands/{name}" for name in sorted(os.listdir(commands)) if name.endswith(".py"))
    except OSError:
        sources = ()
    path = _page_cache_file(f"completions-{argv[1]}", ("cli.py", "config.py", *sources), width=False)

    def build() -> str:
        from caro.commands.completions import script

        text: str = script(argv[1])
        return text

    _print_help(_cached_page(path if sources else None, build))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for the `caro` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in (["--version"], ["-V"]):
        # The fast path: no argparse, no config.
        print(f"caro {__version__}")
        return 0
    fmt = _machine_output(argv)
    verbose = "-v" in argv or "--verbose" in argv
    from caro.errors import CaroError

    try:
        return _dispatch(argv)
    except CaroError as exc:
        if fmt:
            if _subcommand(argv):
                _emit({"error": exc.as_dict()}, fmt)
            else:
                from caro.result import Result

                _emit(Result(error=exc).as_dict(), fmt)
        else:
            _show_error(exc, verbose)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ncaro: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: no traceback unless asked for
        import os

        if os.environ.get("CARO_DEBUG"):
            raise
        print(f"caro: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  This is a bug in caro. Rerun with CARO_DEBUG=1 for the traceback and report it.", file=sys.stderr)
        if fmt:
            from caro.errors import CaroError as _Error
            from caro.result import Result

            internal = _Error(f"internal error: {type(exc).__name__}: {exc}",
                              "This is a bug in caro. Rerun with CARO_DEBUG=1 for the traceback and report it.")
            _emit(Result(error=internal).as_dict(), fmt)
        return 1

