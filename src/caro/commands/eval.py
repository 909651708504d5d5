"""`caro eval DATASET.jsonl`: measure a backend and model by what their commands do."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from caro.config import Settings
from caro.errors import UsageError

HELP = "measure command accuracy on an evaluation set (functional equivalence in sandboxes)"

EPILOG = """\
examples:
  caro eval data/eval.jsonl -b builtin
  caro eval data/eval.jsonl -b lmstudio -m functiongemma-270m-it --json base.json --html base.html
  caro eval data/eval.jsonl -b lmstudio -m base-model --compare lmstudio:caro-finetuned --html cmp.html
  caro eval data/eval.jsonl --compare model=other,safety=strict
  caro eval data/eval.jsonl -b builtin --judge lmstudio:qwen2.5-7b-instruct

--compare SPEC names the second configuration: BACKEND, BACKEND:MODEL, or KEY=VALUE[,KEY=VALUE...]
with keys from 'caro config show'. --judge BACKEND[:MODEL] asks that backend for a second opinion where
the outputs differ; its verdicts are reported next to the execution verdicts. Format of the set and
reading the report: docs/evaluation.md."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("dataset", metavar="DATASET.jsonl", help="evaluation set, one JSON case a line")
    parser.add_argument("--json", metavar="PATH", dest="json_path", help="write the full results as JSON")
    parser.add_argument("--html", metavar="PATH", dest="html_path", help="write a self-contained HTML report")
    parser.add_argument("--compare", metavar="SPEC", help="also evaluate a second configuration, side by side")
    parser.add_argument("--judge", metavar="BACKEND[:MODEL]",
                        help="ask this backend whether answers whose outputs differ still do what was asked")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N cases")
    parser.add_argument("--category", action="append", metavar="NAME", help="only cases of this category (repeatable)")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="how many worst misses to list (default 10)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run nothing: score by normalised and exact match only")
    parser.add_argument("--time-limit", type=float, default=5.0, metavar="SECONDS",
                        help="wall time per sandboxed command (default 5)")
    parser.add_argument("--memory-limit", type=int, default=1024, metavar="MB",
                        help="address space per sandboxed command (default 1024)")
    parser.add_argument("--output-limit", type=int, default=256, metavar="KB",
                        help="stdout and stderr kept per sandboxed command (default 256)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def parse_compare(spec: str) -> dict[str, Any]:
    """`--compare` SPEC -> setting overrides (dotted names)."""
    from caro.config import BACKENDS, SCHEMA, _coerce

    spec = spec.strip()
    if not spec:
        raise UsageError("--compare needs a configuration", "Give BACKEND, BACKEND:MODEL or KEY=VALUE[,KEY=VALUE].")
    if "=" not in spec:
        backend, _, model = spec.partition(":")
        if backend not in BACKENDS:
            raise UsageError(f"--compare: unknown backend '{backend}'",
                             f"Backends: {', '.join(BACKENDS)}; or give KEY=VALUE pairs.")
        return {"backend": backend, "model": model}
    overrides: dict[str, Any] = {}
    for pair in spec.split(","):
        name, eq, value = pair.partition("=")
        name = name.strip()
        if not eq or name not in SCHEMA:
            raise UsageError(f"--compare: '{pair}' is not KEY=VALUE with a known key",
                             "Run 'caro config show' to list the keys.")
        try:
            overrides[name] = _coerce(name, SCHEMA[name], value.strip(), "env")
        except ValueError as exc:
            raise UsageError(f"--compare: {name} {exc}", "Run 'caro config show' to see the allowed values.") from None
    return overrides


def parse_judge(spec: str, settings: Settings) -> tuple[Settings, str]:
    """`--judge BACKEND[:MODEL]` -> the judge's settings (no fallback) and its label."""
    from caro.config import BACKENDS

    backend, _, model = spec.strip().partition(":")
    if backend not in BACKENDS or backend == "auto":
        raise UsageError(f"--judge: unknown backend '{backend}'",
                         f"Name one backend: {', '.join(b for b in BACKENDS if b != 'auto')}, optionally :MODEL.")
    judged = settings.with_values(backend=backend, model=model, fallback=False)
    return judged, backend + (f":{model}" if model else "")


def _describe(settings: Settings) -> dict[str, Any]:
    return {"backend": settings.backend, "model": settings["model"] or None, "safety": settings.safety}


def _label(config: dict[str, Any]) -> str:
    return str(config["backend"]) + (f":{config['model']}" if config["model"] else "")


def _check_backend(settings: Settings) -> None:
    """Fail early, once, when the chosen backend cannot answer (rather than scoring every case a miss)."""
    from caro import backends
    from caro.errors import NoBackendError

    if settings.backend == "auto":
        return
    status = backends.create(settings.backend, settings).availability()
    if not status.ok:
        label = backends.DISPLAY_NAMES[settings.backend]
        raise NoBackendError(f"{label} is not available: {status.reason}",
                             status.hint or "Start it, or choose another backend with -b.")


def _open_sandbox(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from caro.evaluation.sandbox import Limits, Sandbox, SandboxUnavailable

    limits = Limits(time_s=args.time_limit, memory_mb=args.memory_limit, output_kb=args.output_limit)
    info: dict[str, Any] = {"available": False, "limits": {"time_s": limits.time_s, "memory_mb": limits.memory_mb,
                                                           "output_kb": limits.output_kb, "disk_mb": limits.disk_mb}}
    if args.no_sandbox:
        info["note"] = "execution turned off (--no-sandbox): only normalised and exact match decided"
        return None, info
    try:
        sandbox = Sandbox(limits)
    except SandboxUnavailable as exc:
        info["note"] = (f"nothing was executed: {exc}. Only normalised and exact match decided, which "
                        "understates accuracy for commands that are equivalent but spelled differently")
        return None, info
    info["available"] = True
    info["tool"] = "bubblewrap"
    return sandbox, info


def _write(path: str, text: str) -> None:
    try:
        Path(path).expanduser().write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", "Choose a writable path.") from None


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro.evaluation import dataset, harness, report
    from caro.evaluation.progress import ProgressBar
    from caro.evaluation.scoring import Scorer

    for option, value, least in (("--limit", args.limit, 1), ("--worst", args.worst, 0),
                                 ("--time-limit", args.time_limit, 0.1), ("--memory-limit", args.memory_limit, 64),
                                 ("--output-limit", args.output_limit, 1)):
        if value is not None and value < least:
            raise UsageError(f"{option} must be at least {least:g}", "Run 'caro eval --help' for the defaults.")
    for path in (args.json_path, args.html_path):
        # Find an unwritable output before a long run rather than after it.
        folder = Path(path).expanduser().resolve().parent if path else None
        if folder is not None and not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise UsageError(f"cannot write {path}: {folder} is not a writable folder", "Choose a writable path.")
    cases = dataset.load(Path(args.dataset).expanduser())
    if args.category:
        cases = [c for c in cases if c.category in args.category]
        if not cases:
            raise UsageError(f"no case has category {', '.join(args.category)}",
                             "Check the names in the set's 'category' fields.")
    if args.limit:
        cases = cases[: args.limit]

    # The configuration under test answers alone: a fallback would measure another backend.
    configs = [settings.with_values(fallback=False)]
    if args.compare:
        configs.append(configs[0].with_values(**parse_compare(args.compare)))
    for config in configs:
        _check_backend(config)
    judge = None
    if args.judge is not None:
        from caro.evaluation.judge import Judge

        judge_settings, judge_label = parse_judge(args.judge, configs[0])
        _check_backend(judge_settings)
        judge = Judge(judge_settings, judge_label)

    sandbox, sandbox_info = _open_sandbox(args)
    if not sandbox_info["available"] and settings.output == "plain":
        print(f"caro eval: {sandbox_info['note']}", file=sys.stderr)
    scorer = Scorer(sandbox, mode=settings.safety)
    runs: list[harness.Run] = []
    try:
        for config in configs:
            described = _describe(config)
            label = _label(described)
            if runs and label == runs[0].label:
                label += f" ({args.compare})"
            bar = ProgressBar(len(cases), label, enabled=False if args.no_progress else None)

            def advance(done: int, result: harness.CaseResult, bar: ProgressBar = bar) -> None:
                bar.update(done, result.score.correct)

            try:
                runs.append(harness.run(cases, config, scorer, label=label, config=described,
                                        sandbox_info=sandbox_info, on_case=advance, judge=judge))
            finally:
                bar.close()
    finally:
        if sandbox is not None:
            sandbox.close()

    doc = report.document(runs, args.dataset, worst=args.worst)
    if args.json_path:
        _write(args.json_path, report.to_json(doc))
    if args.html_path:
        _write(args.html_path, report.to_html(doc))
    if settings.output == "json":
        sys.stdout.write(report.to_json(doc))
    elif settings.output == "yaml":
        from caro.result import to_yaml

        sys.stdout.write(to_yaml(doc))
    else:
        sys.stdout.write(report.terminal(doc))
    return 0
