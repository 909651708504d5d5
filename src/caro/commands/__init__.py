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
