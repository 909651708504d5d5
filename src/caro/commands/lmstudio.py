"""`caro lmstudio import FILE.gguf`: make a fine-tuned GGUF available to LM Studio, and to caro through it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from caro.config import Settings

HELP = "Import a GGUF into LM Studio (lms import, or its models folder) and print the config that uses it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("import",), help="import: place FILE where LM Studio finds it")
    parser.add_argument("file", type=Path, help="the .gguf file (e.g. from 'caro export')")
    parser.add_argument("--user-repo", default="", metavar="PUBLISHER/MODEL",
                        help="where LM Studio lists it (default: caro/<file name without quantization>)")
    parser.add_argument("--identifier", default="caro-fg",
                        help="the API name to load it under with 'lms load --identifier' (caro-fg)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--move", dest="mode", action="store_const", const="move", help="move instead of copy")
    mode.add_argument("--symlink", dest="mode", action="store_const", const="symlink", help="link instead of copy")
    mode.add_argument("--hardlink", dest="mode", action="store_const", const="hardlink", help="hard-link")
    parser.set_defaults(mode="copy")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="LM Studio's models folder (default: downloadsFolder in ~/.lmstudio/settings.json, "
                             "else ~/.lmstudio/models)")
    parser.add_argument("--no-lms", action="store_true", help="place the file directly even when 'lms' exists")
    parser.add_argument("--dry-run", action="store_true", help="say where it would go; change nothing")
    parser.add_argument("--force", action="store_true", help="replace a file of the same name")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro.local_models.models import lmstudio_models_dir
    from caro.training.lmstudio_import import import_gguf

    models_dir = args.models_dir or lmstudio_models_dir()
    result = import_gguf(args.file, models_dir=models_dir, user_repo=args.user_repo, identifier=args.identifier,
                         mode=args.mode, use_lms=not args.no_lms and args.models_dir is None, dry_run=args.dry_run,
                         force=args.force)
    data = {"path": str(result.path), "key": result.key, "identifier": result.identifier, "method": result.method,
            "dry_run": bool(args.dry_run), "load_command": result.load_command(),
            "config": "\n".join(result.config_lines()) + "\n", "answer_style": result.style,
            "lmstudio_use": result.use}
    if settings.output == "json":
        print(json.dumps(data, indent=2))
        return 0
    if settings.output == "yaml":
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(data))
        return 0
    verb = "would place" if args.dry_run else ("imported with lms:" if result.method == "lms" else "placed")
    print(f"{verb} {result.path}")
    print(f"LM Studio model key: {result.key}")
    print(f"What LM Studio does with it: {result.use}")
    print(f"Load it under a fixed name:  {result.load_command()}")
    print(f"Model identifier for caro:   {result.identifier}")
    print(f"Add to {settings.path} (or 'caro config init' first):")
    for line in result.config_lines():
        print(f"    {line}" if line else "")
    print(f"Or for one run:  caro --backend lmstudio --model {result.identifier} \"list files by size\"")
    return 0
