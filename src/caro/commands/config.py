"""`caro config show | path | init`: the effective settings and where each came from; the config file."""

from __future__ import annotations

import argparse
import json
import sys

from caro import config
from caro.config import Settings
from caro.errors import UsageError

HELP = """Show the effective settings with the source of each value, print the config file's path,
or write a commented default config file.

'path' and 'init' still work when the config file is malformed: 'path' names the file and the line at
fault (on stderr), and 'init --force' replaces it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("show", "path", "init"), help="what to do")
    parser.add_argument("--force", action="store_true", help="init: replace an existing file")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "path":
        return _path(settings)
    if args.action == "init":
        return _init(settings, force=args.force)
    if settings.problem is not None:
        raise settings.problem
    return _show(settings)


def _path(settings: Settings) -> int:
    problem = settings.problem
    if settings.output != "plain":
        _emit({"path": str(settings.path), "exists": settings.path.exists(), "home": str(settings.home),
               "problem": problem.as_dict() if problem else None}, settings)
    else:
        print(settings.path)
        if problem is not None:
            from caro.terminal import ui

            ui.note(f"warning: {problem.message}")
            if problem.hint:
                ui.err(f"  {problem.hint}")
    return 0


def _init(settings: Settings, *, force: bool) -> int:
    path = settings.path
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", "Use 'caro config init --force' to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config.default_file_text(), encoding="utf-8")
    if settings.output != "plain":
        _emit({"path": str(path), "written": True}, settings)
    else:
        print(f"wrote {path}", file=sys.stderr)
        print(path)
    return 0


def _show(settings: Settings) -> int:
    if settings.output != "plain":
        _emit({name: {"value": settings[name], "source": settings.source(name)} for name in config.SCHEMA},
              settings)
        return 0
    width = max(len(name) for name in config.SCHEMA)
    print(f"# config file: {settings.path}{'' if settings.path.exists() else ' (not present: defaults)'}")
    for name in config.SCHEMA:
        print(f"{name:<{width}} = {config.toml_value(settings[name]):<28} # {settings.source(name)}")
    return 0


def _emit(data: dict[str, object], settings: Settings) -> None:
    if settings.output == "json":
        print(json.dumps(data, indent=2))
    else:
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(data))
