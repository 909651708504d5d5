"""`caro doctor`: check the environment and every backend now (no cache) and say what to fix.

First the environment: Python and caro versions, OS and shell, the config file and whether it parsed
(a malformed file is reported with its line, not raised: doctor is one of the tools that helps fix it),
the CARO_* variables in effect, the optional parts installed, the sandbox `caro eval` uses, and the shell
integration. Then for each model server: reachable or not, identity and version where known, the models and which is
loaded, how long the check took, and the fix for each problem. Also whether the embedded backend's extra
and a model file are present, and whether the built-in catalog is there. Exit code 0 when the chain
could answer a request now, 3 when no backend could; with --only, 0 when every named backend is ready;
2 when the config file cannot be used (every request would stop on it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from caro.config import Settings

HELP = """Check the environment (Python, caro, OS, shell, config file, CARO_* variables, extras, the sandbox
for 'caro eval', the shell integration) and every backend: LM Studio, Ollama, any OpenAI-compatible
server, the embedded model and the built-in catalog."""

# The modules that tell whether an optional part (extra) is installed.
EXTRAS = {"embedded": ("llama_cpp",), "train": ("torch", "transformers", "peft", "trl", "datasets", "jinja2")}


def environment(settings: Settings) -> dict[str, Any]:
    """What a user needs to know about where caro runs, each with a fix where something is missing."""
    import importlib.util
    import os
    import platform

    import caro
    from caro import __version__, context, shell
    from caro.errors import install_hint

    problem = settings.problem
    config = {"path": str(settings.path), "exists": settings.path.exists(), "parsed": problem is None,
              "problem": problem.message if problem else "", "hint": problem.hint if problem else ""}
    extras = {}
    for extra, modules in EXTRAS.items():
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        extras[extra] = {"installed": not missing, "missing": missing, "hint": install_hint(extra) if missing else ""}
    detected = context.detect_shell()
    integration: dict[str, Any] = {"shell": detected, "supported": detected in shell.INIT_SHELLS}
    if detected in shell.INIT_SHELLS:
        startup = shell.startup_file(detected)
        try:
            text = startup.read_text(encoding="utf-8") if startup.exists() else ""
        except OSError:
            text = ""
        integration.update(file=str(startup), installed=f"caro init {detected}" in text,
                           hint="" if f"caro init {detected}" in text else f"caro init {detected} --install")
    return {
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "caro": {"version": __version__, "location": os.path.dirname(os.path.abspath(caro.__file__))},
        "os": {"system": platform.system(), "release": platform.release(), "machine": platform.machine()},
        "shell": detected,
        "config": config,
        "environment": {k: v for k, v in sorted(os.environ.items()) if k.startswith("CARO_")},
        "extras": extras,
        "sandbox": _sandbox(),
        "integration": integration,
    }


def _sandbox() -> dict[str, Any]:
    """Whether `caro eval` can run commands in its sandbox (bubblewrap)."""
    try:
        from caro.evaluation.sandbox import Sandbox, SandboxUnavailable
    except Exception as exc:  # a partial install: report it
        return {"available": False, "reason": f"cannot load the sandbox ({exc})", "hint": ""}
    try:
        Sandbox()
    except SandboxUnavailable as exc:
        return {"available": False, "reason": str(exc),
                "hint": "Install bubblewrap (apt-get install bubblewrap); without it 'caro eval' only compares "
                        "commands as text."}
    except Exception as exc:
        return {"available": False, "reason": f"{type(exc).__name__}: {exc}", "hint": ""}
    return {"available": True, "reason": "bubblewrap", "hint": ""}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", metavar="NAME", action="append", default=[],
                        help="check only this backend (lmstudio, ollama, openai, embedded, builtin); repeatable")


def _check(name: str, settings: Settings) -> dict[str, Any]:
    """One backend's report. Tolerant: a backend module that is missing or fails is reported, not raised."""
    from caro import backends
    from caro.errors import CaroError

    row: dict[str, Any] = {"backend": name, "label": backends.DISPLAY_NAMES.get(name, name)}
    started = time.perf_counter()
    try:
        backend: Any = backends.create(name, settings)
    except CaroError as exc:
        return {**row, "ok": False, "reason": exc.message, "hint": exc.hint, "check_ms": 0.0}
    except Exception as exc:  # a module not built yet, or a broken install: report, do not crash
        return {**row, "ok": False, "reason": f"cannot load this backend ({type(exc).__name__}: {exc})",
                "hint": "Reinstall caro from your clone: pip install --force-reinstall .", "check_ms": 0.0}
    try:
        try:
            status = backend.availability(use_cache=False)
        except TypeError:
            status = backend.availability()
        described = backend.describe()
    except CaroError as exc:
        return {**row, "ok": False, "reason": exc.message, "hint": exc.hint,
                "check_ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as exc:
        return {**row, "ok": False, "reason": f"check failed ({type(exc).__name__}: {exc})", "hint": "",
                "check_ms": round((time.perf_counter() - started) * 1000, 1)}
    detail = dict(status.detail)
    if status.ok and hasattr(backend, "api_version"):
        version = backend.api_version(status)
        if version:
            detail["version"] = version
    row.update(ok=status.ok, reason=status.reason, hint=status.hint, model=status.model,
               check_ms=round(status.elapsed_ms or (time.perf_counter() - started) * 1000, 1))
    for key in ("url", "identity", "version", "api", "models", "loaded", "note", "models_from"):
        if key in detail:
            row[key] = detail[key]
    row["config"] = {k: v for k, v in described.items() if k != "name"} if isinstance(described, dict) else {}
    if "url" not in row and isinstance(described, dict) and described.get("url"):
        row["url"] = described["url"]
    return row


def _names(settings: Settings, only: list[str]) -> list[str]:
    from caro import backends

    if only:
        unknown = [n for n in only if n not in backends.REGISTRY]
        if unknown:
            from caro.errors import UsageError

            raise UsageError(f"unknown backend '{unknown[0]}'", f"Choose from: {', '.join(backends.REGISTRY)}.")
        return only
    names = ["lmstudio", "ollama"]
    if settings["openai.url"] or settings.backend == "openai":
        names.append("openai")
    return [*names, "embedded", "builtin"]


def _models_line(row: dict[str, Any]) -> str:
    models = [m["id"] if isinstance(m, dict) else str(m) for m in row.get("models", [])]
    models = [m for m in models if "embed" not in m.lower()]
    if not models:
        return ""
    loaded = set(row.get("loaded") or [])
    shown = [f"{m} (loaded)" if m in loaded else m for m in models[:8]]
    more = f" and {len(models) - 8} more" if len(models) > 8 else ""
    return ", ".join(shown) + more


def run(args: argparse.Namespace, settings: Settings) -> int:
    from caro import backends

    rows = [_check(name, settings) for name in _names(settings, list(args.only))]
    plan = backends.plan(settings)
    by_name = {row["backend"]: row for row in rows}
    answering = next((name for name in plan if by_name.get(name, {}).get("ok")), None)
    if not args.only:
        # The plan may name a backend not checked above; check it so the verdict is honest.
        for name in plan:
            if name not in by_name:
                by_name[name] = _check(name, settings)
                rows.append(by_name[name])
        answering = next((name for name in plan if by_name[name].get("ok")), None)
    # With --only, success means every backend named is ready; otherwise that the chain could answer.
    code = (0 if all(row["ok"] for row in rows) else 3) if args.only else (0 if answering else 3)
    env = environment(settings)
    if settings.problem is not None:
        code = settings.problem.exit_code
    if settings.output != "plain":
        data = {"environment": env, "backends": rows, "plan": plan, "answering": answering,
                "backend_setting": settings.backend}
        if settings.output == "json":
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        else:
            from caro.result import to_yaml

            sys.stdout.write(to_yaml(data))
        return code
    _print_environment(env)
    _print_plain(rows, plan, answering, settings, verbose=bool(getattr(args, "verbose", False)))
    return code


def _print_environment(env: dict[str, Any]) -> None:
    from caro.terminal import ui

    out = sys.stdout

    def line(ok: bool | None, what: str, text: str, fix: str = "") -> None:
        mark = "  " if ok is None else (ui.paint("ok", "32", out) if ok else ui.paint("--", "31", out))
        print(f"[{mark}] {what:<12} {text}", file=out)
        if fix:
            print(f"     fix: {fix}", file=out)

    line(None, "caro", f"{env['caro']['version']} ({env['caro']['location']})")
    line(None, "Python", f"{env['python']['version']} ({env['python']['executable']})")
    system = env["os"]
    line(None, "OS", f"{system['system']} {system['release']} ({system['machine']}); shell {env['shell']}")
    config = env["config"]
    if not config["parsed"]:
        line(False, "config", config["problem"], config["hint"])
    else:
        line(True, "config", config["path"] + ("" if config["exists"] else " (not present: defaults)"))
    variables = env["environment"]
    line(None, "CARO_*", ", ".join(f"{k}={v}" for k, v in variables.items()) if variables else "none set")
    for extra, state in env["extras"].items():
        missing = f"not installed (missing {', '.join(state['missing'])})"
        line(state["installed"], f"extra {extra}", "installed" if state["installed"] else missing, state["hint"])
    sandbox = env["sandbox"]
    line(sandbox["available"], "eval sandbox", sandbox["reason"], sandbox["hint"])
    integration = env["integration"]
    if not integration["supported"]:
        line(None, "integration", f"none for shell {integration['shell']}")
    elif integration["installed"]:
        line(True, "integration", f"loaded from {integration['file']}")
    else:
        line(False, "integration", f"not in {integration['file']}", integration["hint"])
    print(file=out)


def _print_plain(rows: list[dict[str, Any]], plan: list[str], answering: str | None, settings: Settings,
                 *, verbose: bool) -> None:
    from caro import backends
    from caro.terminal import ui

    out = sys.stdout
    for row in rows:
        mark = ui.paint("ok", "32", out) if row["ok"] else ui.paint("--", "31", out)
        where = f"  {row['url']}" if row.get("url") else ""
        print(f"[{mark}] {row['label']}{where}  ({row['check_ms']:.0f} ms)", file=out)
        if row.get("identity") or row.get("version"):
            version = f" {row['version']}" if row.get("version") else ""
            api = f"; API {row['api']}" if row.get("api") and not row.get("version") else ""
            print(f"     server: {row.get('identity', '')}{version}{api}", file=out)
        if row["ok"]:
            if row.get("model"):
                print(f"     model: {row['model']}", file=out)
        else:
            print(f"     problem: {row['reason']}", file=out)
            if row.get("hint"):
                print(f"     fix: {row['hint']}", file=out)
        if row.get("ok") and row.get("reason"):
            print(f"     note: {row['reason']}", file=out)
        models = _models_line(row)
        if models:
            print(f"     models: {models}", file=out)
        if verbose and row.get("config"):
            print(f"     settings: {json.dumps(row['config'], default=str)}", file=out)
    chain = " -> ".join(backends.DISPLAY_NAMES.get(n, n) for n in plan)
    print(f"\nbackend = {settings.backend}: tries {chain}", file=out)
    if answering:
        print(f"a request now would be answered by: {backends.DISPLAY_NAMES.get(answering, answering)}", file=out)
    else:
        print("no backend could answer now: fix one of the problems above", file=out)
