"""`caro models list | pull [NAME]`: the GGUF models the embedded backend can use, and fetching known ones."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from caro.config import Settings
from caro.errors import UsageError

HELP = "List the GGUF models caro can run in-process (size, quantization, which is used), or download one."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("list", "pull"), default="list",
                        help="list: GGUF files found (model_path, LM Studio's folder, caro's folder) and the "
                             "catalog; pull: download a catalog model (resumable, checksum-verified)")
    parser.add_argument("name", nargs="?", default="", help="pull: catalog name (default: the default model)")
    parser.add_argument("--force", action="store_true", help="pull: download again even when present")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "pull":
        return _pull(settings, args.name, force=bool(args.force))
    if args.name:
        raise UsageError(f"'caro models list' takes no model name (got '{args.name}')",
                         f"To download it: caro models pull {args.name}")
    return _list(settings, verbose=bool(getattr(args, "verbose", False)))


def _emit(data: Any, settings: Settings) -> None:
    if settings.output == "json":
        print(json.dumps(data, indent=2))
    else:
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(data))


def _list(settings: Settings, *, verbose: bool) -> int:
    from caro.local_models import models

    rows, discovery = models.list_models(settings)
    present = {row.path.name.lower() for row in rows}
    catalogue = [
        {"name": e.name, "repo": e.repo, "file": e.file, "size": e.size, "downloaded": e.file.lower() in present,
         "default": e.name == models.DEFAULT_MODEL, "description": e.description}
        for e in models.CATALOG
    ]
    if settings.output != "plain":
        _emit({
            "models": [
                {"path": str(r.path), "source": r.source, "size": r.size, "quantization": r.quantization,
                 "architecture": r.architecture, "name": r.name, "selected": r.selected,
                 **({"error": r.error} if r.error else {})}
                for r in rows
            ],
            "selected": str(discovery.found.path) if discovery.found else None,
            "discovery": discovery.steps,
            "problem": discovery.problem or None,
            "catalogue": catalogue,
        }, settings)
        return 0

    if verbose:
        for step in discovery.steps:
            print(f"caro: discovery: {step}", file=sys.stderr)
    if rows:
        labels = {"model_path": "model_path", "lmstudio": "LM Studio", "caro": "caro"}
        width = max(len(str(r.path)) for r in rows)
        print(f"  {'PATH':<{width}}  {'SIZE':>9}  {'QUANT':<8} {'ARCH':<10} SOURCE")
        for r in rows:
            mark = "*" if r.selected else " "
            print(f"{mark} {r.path!s:<{width}}  {models.human_size(r.size):>9}  {r.quantization:<8} "
                  f"{r.architecture or '?':<10} {labels.get(r.source, r.source)}"
                  + (f"  (unreadable: {r.error})" if r.error else ""))
        if discovery.found:
            print(f"\n* used by the embedded backend ({discovery.found.reason})")
    else:
        print("No GGUF models found.")
    if discovery.problem:
        print(f"\nProblem: {discovery.problem}\n  {discovery.hint}")
    print("\nCatalog ('caro models pull NAME'):")
    for item in catalogue:
        flags = ", ".join(f for f, on in (("default", item["default"]), ("downloaded", item["downloaded"])) if on)
        print(f"  {item['name']:<20} {models.human_size(float(str(item['size']))):>9}  {item['description']}"
              + (f"  [{flags}]" if flags else ""))
    return 0


def _pull(settings: Settings, name: str, *, force: bool) -> int:
    from caro.local_models import download, models

    entry = models.catalog_entry(name or models.DEFAULT_MODEL)
    if entry is None:
        known = ", ".join(e.name for e in models.CATALOG)
        raise UsageError(f"unknown model '{name}'", f"Known models: {known}. Any other GGUF: download it yourself "
                         "and set [embedded] model_path.")
    dest = settings.models_dir / entry.file

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    if dest.is_file() and not force:
        say(f"{entry.name} is already downloaded: {dest}" + (" (checking its checksum…)" if entry.sha256 else ""))
        if download.verify_existing(entry, dest):
            _done(settings, entry.name, dest, already=True)
            return 0
        say(f"{dest} does not match the pinned checksum; downloading it again.")
        dest.unlink()
    path = download.download(entry, settings.models_dir, endpoint=models.hub_endpoint(),
                             timeout=max(settings.timeout, 10.0), say=say)
    _done(settings, entry.name, path, already=False)
    return 0


def _done(settings: Settings, name: str, path: Any, *, already: bool) -> None:
    if settings.output != "plain":
        _emit({"name": name, "path": str(path), "downloaded": not already}, settings)
    else:
        print(path)
        print("The embedded backend will use it ('caro models list' shows what is selected); "
              "try: caro --backend embedded \"list files\"", file=sys.stderr)
