"""`caro dataset validate FILE`, `caro dataset convert FILE`, `caro dataset synth`: check, transform and make
training data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from caro.config import Settings
from caro.errors import MissingExtra, UsageError

HELP = "Check a training dataset line by line (schema, safety, duplicates, split leakage, length), or convert it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("validate", "convert", "synth"),
                        help="validate: report every problem with its line number; convert: authoring form -> "
                             "chat form -> text rendered with the model's chat template; synth: training examples "
                             "from the built-in catalog, optionally mixed with FILE")
    parser.add_argument("file", type=Path, nargs="?", default=None,
                        help="a JSON Lines dataset (authoring, chat or text form); synth: hand-written examples "
                             "to mix in (e.g. data/train.jsonl)")
    parser.add_argument("--against", type=Path, action="append", default=[], metavar="FILE",
                        help="validate: another split (e.g. the training set) this file must not hold "
                             "near-duplicates of; synth: an evaluation or held-out set no example may resemble; "
                             "repeatable")
    parser.add_argument("--per-phrasing", type=int, default=2,
                        help="synth: platform/value variants drawn per catalog phrasing (2)")
    parser.add_argument("--seed", type=int, default=0, help="synth: random seed (0)")
    parser.add_argument("--tokenizer", default="", metavar="MODEL",
                        help="model folder or Hugging Face id whose tokenizer and chat template measure lengths "
                             "(validate) or render text (convert); default: caro's FunctionGemma template and an "
                             "estimate of length")
    parser.add_argument("--max-tokens", type=int, default=1024, help="validate: longest allowed example (1024)")
    parser.add_argument("--no-safety", action="store_true", help="validate: skip the safety check of targets")
    parser.add_argument("--to", choices=("chat", "text"), default="chat", help="convert: output form (chat)")
    parser.add_argument("--out", "-O", type=Path, default=None,
                        help="convert, synth: output file (default: stdout)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "synth":
        return synth(args, settings)
    path: Path | None = args.file
    if path is None:
        raise UsageError(f"'caro dataset {args.action}' needs a FILE", f"Usage: caro dataset {args.action} "
                         "data/train.jsonl")
    if not path.exists():
        raise UsageError(f"no such file: {path}", "Give the path of a JSON Lines dataset, e.g. data/train.jsonl.")
    for other in args.against:
        if not other.exists():
            raise UsageError(f"no such file: {other}", "--against takes another split of the dataset.")
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else None
    if args.action == "validate":
        return validate(args, settings, tokenizer)
    return convert(args, tokenizer)


def load_tokenizer(name: str) -> Any:
    """A transformers tokenizer (it carries the model's chat template)."""
    import importlib.util

    if importlib.util.find_spec("transformers") is None:
        raise MissingExtra("train", "Measuring or rendering with a model's tokenizer")
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot load a tokenizer from {name}: {str(exc).splitlines()[0]}",
                         "Give a local model folder, or a Hugging Face id already downloaded.") from None


def validate(args: argparse.Namespace, settings: Settings, tokenizer: Any) -> int:
    from caro.training.validate import validate as check

    report = check(args.file, against=list(args.against), safety=not args.no_safety,
                   max_tokens=args.max_tokens, tokenizer=tokenizer)
    summary = report.summary()
    if settings.output != "plain":
        data = {"file": str(args.file), "ok": report.ok, "summary": summary,
                "issues": [{"file": i.path, "line": i.line, "severity": i.severity, "message": i.message}
                           for i in report.issues]}
        _emit(data, settings.output)
    else:
        for issue in report.issues:
            print(issue)
        forms = ", ".join(f"{n} {form}" for form, n in summary["forms"].items()) or "none"
        systems = ", ".join(f"{n} {name}" for name, n in sorted(summary["os"].items()))
        print(f"{args.file}: {summary['examples']} examples ({forms}); {systems or 'no OS given'}; "
              f"{summary['refusals']} refusals; longest {summary['max_tokens']} tokens ({summary['tokens']}); "
              f"{summary['errors']} errors, {summary['warnings']} warnings")
    if not report.ok:
        from caro.errors import CaroError

        error = CaroError(f"{args.file}: {len(report.errors)} invalid line(s); first at line {report.errors[0].line}",
                          "Fix the lines listed above; docs/training-data.md describes the format.")
        error.exit_code = 2
        error.code = "invalid_dataset"
        if settings.output != "plain":
            return 2  # the JSON above already lists every issue
        raise error
    return 0


def convert(args: argparse.Namespace, tokenizer: Any) -> int:
    from caro.training import examples as ex
    from caro.training.validate import Report, read_rows

    report = Report()
    rows = list(read_rows(args.file, report))
    if report.errors:
        for issue in report.errors[:20]:
            print(issue, file=sys.stderr)
        raise UsageError(f"{args.file}: {len(report.errors)} invalid line(s); nothing converted",
                         f"Run 'caro dataset validate {args.file}' and fix the lines it lists.")
    from caro.training.validate import jinja_available

    if args.to == "text" and tokenizer is None and not jinja_available():
        raise MissingExtra("train", "Rendering examples as text with a chat template (jinja2)")
    renderer = ex.Renderer(tokenizer)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for row in rows:
            if row.form == "text":
                if args.to == "chat":
                    raise UsageError(f"{row.path}:{row.line}: a rendered text example cannot be turned back into "
                                     "chat form", "Convert from the authoring or chat form.")
                record = row.record
            else:
                chat = row.record if row.form == "chat" else ex.to_chat(ex.parse_authoring(row.record))
                record = chat if args.to == "chat" else {"text": ex.to_text(chat, renderer)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {len(rows)} examples in {args.to} form to {args.out}", file=sys.stderr)
    return 0


def synth(args: argparse.Namespace, settings: Settings) -> int:
    from caro.training import synth as sy
    from caro.training.validate import Report, read_rows

    for path in [*args.against, *([args.file] if args.file else [])]:
        if not path.exists():
            raise UsageError(f"no such file: {path}", "Give JSON Lines files (e.g. data/eval.jsonl).")
    if args.per_phrasing < 1:
        raise UsageError("--per-phrasing must be at least 1", "See 'caro dataset --help'.")
    extra: list[dict[str, Any]] = []
    if args.file:
        report = Report()
        rows = list(read_rows(args.file, report))
        if report.errors:
            raise UsageError(f"{args.file}: {len(report.errors)} invalid line(s)",
                             f"Run 'caro dataset validate {args.file}' and fix the lines it lists.")
        extra = [row.record for row in rows]
    guard = sy.Guard(sy.guarded_prompts(args.against))
    counts = sy.SynthReport()
    made = list(sy.synthesize(guard, per_phrasing=args.per_phrasing, seed=args.seed, report=counts))
    rows_out = sy.mix(made, extra, seed=args.seed)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for record in rows_out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    summary = {"synthesized": counts.kept, "mixed_in": len(extra), "written": len(rows_out),
               "declined_by_catalog": counts.declined, "duplicates": counts.duplicates,
               "near_duplicates_of_guarded": counts.near_duplicates, "guarded_requests": len(guard.prompts)}
    if args.out and settings.output != "plain":
        _emit({"out": str(args.out), **summary}, settings.output)
    elif not args.against:
        print("caro dataset synth: note: no --against set given; nothing was checked for leakage into an "
              "evaluation set", file=sys.stderr)
    print(f"caro dataset synth: {counts.kept} examples from the catalog ({counts.near_duplicates} left out as "
          f"near-duplicates of {len(guard.prompts)} guarded requests, {counts.declined} the catalog did not answer "
          f"as intended), {len(extra)} mixed in: {len(rows_out)} written" + (f" to {args.out}" if args.out else ""),
          file=sys.stderr)
    return 0


def _emit(data: Any, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(data, indent=2))
    else:
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(data))
