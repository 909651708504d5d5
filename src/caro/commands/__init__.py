"""Subcommands, each in its own module, imported only when invoked.

A subcommand module exposes HELP (one line), add_arguments(parser) and run(args, settings) -> exit code.
"""

from __future__ import annotations

SUBCOMMANDS: dict[str, str] = {
    "check": "caro.commands.check",
    "config": "caro.commands.config",
    "doctor": "caro.commands.doctor",
    "explain": "caro.commands.explain",
    "models": "caro.commands.models",
    "dataset": "caro.commands.dataset",
    "finetune": "caro.commands.finetune",
    "export": "caro.commands.export",
    "lmstudio": "caro.commands.lmstudio",
    "eval": "caro.commands.eval",
    "init": "caro.commands.init",
    "completions": "caro.commands.completions",
}
