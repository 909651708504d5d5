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

# One line each for `caro --help`, kept here so the main help does not import every module.
SUMMARIES: dict[str, str] = {
    "check": "judge a command with the safety engine, generating nothing",
    "config": "show the effective settings, the config path, or write a commented config file",
    "doctor": "check the environment and every backend, with the fix for each problem",
    "explain": "break a command into its parts and explain what it does",
    "models": "list GGUF models caro can find, or download one",
    "dataset": "validate or convert fine-tuning data",
    "finetune": "fine-tune a model on your commands (extra 'train')",
    "export": "export a fine-tuned model to GGUF (F16, Q8_0, Q4_K_M)",
    "lmstudio": "import a GGUF into LM Studio",
    "eval": "measure command accuracy on a dataset",
    "init": "print the shell integration snippet (key binding) for bash, zsh, fish or powershell",
    "completions": "print shell completions for bash, zsh or fish",
}

# The common options each subcommand uses, listed in its --help; the others are accepted (so global options
# work before and after any command name) but do nothing there and are not listed. Absent: all are listed.
OPTIONS_USED: dict[str, tuple[str, ...]] = {
    "check": ("shell", "safety", "output", "config", "verbose"),
    "config": ("backend", "model", "url", "shell", "platform", "safety", "output", "timeout", "config", "verbose"),
    "doctor": ("backend", "model", "url", "output", "timeout", "config", "verbose"),
    "models": ("output", "config", "verbose"),
    "init": ("config",),
    "completions": ("config",),
}

# Subcommands that still run when the config file cannot be used (they help find and fix it); they
# receive the error in settings.problem.
TOLERANT = frozenset({"config", "doctor"})
