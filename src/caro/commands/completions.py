"""`caro completions bash|zsh|fish`: tab completion generated from caro's own argument parsers, so every
subcommand, option and option value (backend names, shells, safety modes...) stays in step with the CLI.

    bash:  eval "$(caro completions bash)"     (or save it in ~/.local/share/bash-completion/completions/caro)
    zsh:   eval "$(caro completions zsh)"      after compinit (or save it as _caro in a folder on $fpath)
    fish:  caro completions fish > ${XDG_CONFIG_HOME:-~/.config}/fish/completions/caro.fish
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from caro.config import Settings
from caro.shell import COMPLETION_SHELLS

HELP = "print tab completions for bash, zsh or fish"

_FILE_METAVARS = ("PATH", "FILE", "DIR", "GGUF", "CONFIG", "OUT", "DATASET")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("completion_shell", metavar="SHELL", choices=COMPLETION_SHELLS,
                        help=f"one of {', '.join(COMPLETION_SHELLS)}")


@dataclass
class Option:
    names: list[str]
    help: str
    choices: list[str] = field(default_factory=list)
    takes_value: bool = False
    files: bool = False

    @property
    def short(self) -> list[str]:
        return [n for n in self.names if not n.startswith("--")]

    @property
    def long(self) -> list[str]:
        return [n for n in self.names if n.startswith("--")]


@dataclass
class Command:
    name: str  # "" for caro itself
    help: str
    options: list[Option] = field(default_factory=list)
    positionals: list[str] = field(default_factory=list)  # the values the first positional takes


def _help_text(action: argparse.Action) -> str:
    text = action.help or ""
    if "%(" in text:
        try:
            text = text % {"default": action.default, "prog": "caro", "choices": ", ".join(map(str, action.choices or []))}
        except (KeyError, TypeError, ValueError):
            pass
    return " ".join(text.split())


def describe(parser: argparse.ArgumentParser, name: str, help_text: str) -> Command:
    """The options and first-positional values of one argparse parser."""
    command = Command(name, help_text)
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            command.positionals.extend(str(c) for c in action.choices)
            continue
        if not action.option_strings:
            if action.choices and not command.positionals:
                command.positionals.extend(str(c) for c in action.choices)
            continue
        takes_value = action.nargs != 0
        metavar = str(action.metavar or action.dest).upper()
        command.options.append(
            Option(
                names=list(action.option_strings),
                help=_help_text(action),
                choices=[str(c) for c in action.choices or []],
                takes_value=takes_value,
                files=takes_value and not action.choices and any(m in metavar for m in _FILE_METAVARS),
            )
        )
    return command


def collect() -> list[Command]:
    """caro and every subcommand, from the CLI's parser builders."""
    from caro import cli
    from caro.commands import SUBCOMMANDS, SUMMARIES

    commands = [describe(cli.build_parser(), "", "turn a request into a shell command")]
    for name in SUBCOMMANDS:
        summary = SUMMARIES.get(name, "")
        try:
            parser, module = cli.build_subparser(name)
        except Exception:  # a subcommand whose module is missing or broken still completes by name
            commands.append(Command(name, summary))
            continue
        commands.append(describe(parser, name, summary or str(getattr(module, "HELP", ""))))
    return commands


# ---------------------------------------------------------------------------------------------------- bash


def _words(values: list[str]) -> str:
    return " ".join(values)


def bash_script(commands: list[Command]) -> str:
    main, subs = commands[0], commands[1:]
    lines = [
        "# caro completion for bash. Load with: eval \"$(caro completions bash)\"",
        "_caro() {",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} sub=''",
        "    if [[ $COMP_CWORD -gt 1 ]]; then",
        "        case ${COMP_WORDS[1]} in",
        f"            {'|'.join(c.name for c in subs)}) sub=${{COMP_WORDS[1]}} ;;",
        "        esac",
        "    fi",
        "    local opts='' values='' files=''",
        "    case $sub in",
    ]
    for command in commands:
        label = command.name or "''"
        lines.append(f"        {label})")
        lines.append(f"            opts='{_words([n for o in command.options for n in o.names])}'")
        positional = [c.name for c in subs] if command is main else command.positionals
        lines.append(f"            values='{_words(positional)}'")
        lines.append("            case $prev in")
        for option in command.options:
            if option.choices:
                lines.append(f"                {'|'.join(option.names)}) COMPREPLY=($(compgen -W '{_words(option.choices)}' -- \"$cur\")); return ;;")
            elif option.files:
                lines.append(f"                {'|'.join(option.names)}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;")
            elif option.takes_value:
                lines.append(f"                {'|'.join(option.names)}) COMPREPLY=(); return ;;")
        lines.append("            esac")
        lines.append("            ;;")
    lines += [
        "    esac",
        "    if [[ $cur == -* ]]; then",
        "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))",
        "    elif [[ -z $sub && $COMP_CWORD -gt 1 ]]; then",
        "        COMPREPLY=()  # words of a request: nothing to complete",
        "    else",
        "        COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))",
        "    fi",
        "}",
        "complete -o bashdefault -o default -F _caro caro",
        "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------- zsh


def _zq(text: str) -> str:
    """Escape for a zsh _arguments/_describe spec inside single quotes."""
    return text.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def _zsh_option_specs(command: Command) -> list[str]:
    specs = []
    for option in command.options:
        help_text = _zq(option.help or option.names[-1])
        if option.choices:
            action = f":{_zq(option.names[-1].lstrip('-'))}:({' '.join(option.choices)})"
        elif option.files:
            action = ":file:_files"
        elif option.takes_value:
            action = ":value: "
        else:
            action = ""
        exclusive = f"({' '.join(option.names)})" if len(option.names) > 1 else ""
        names = "{" + ",".join(option.names) + "}" if len(option.names) > 1 else option.names[0]
        specs.append(f"'{exclusive}'{names}'[{help_text}]{action}'" if exclusive else f"'{names}[{help_text}]{action}'")
    return specs


def zsh_script(commands: list[Command]) -> str:
    main, subs = commands[0], commands[1:]
    lines = [
        "#compdef caro",
        "# caro completion for zsh. Load with: eval \"$(caro completions zsh)\" after compinit,",
        "# or save it as _caro in a folder on $fpath.",
        "_caro() {",
        "    local curcontext=$curcontext state line",
        "    local -a subcommands",
        "    subcommands=(",
    ]
    lines += [f"        '{_zq(c.name)}:{_zq(c.help)}'" for c in subs]
    lines += ["    )"]
    lines.append("    _arguments -C \\")
    for spec in _zsh_option_specs(main):
        lines.append(f"        {spec} \\")
    lines += ["        '1: :->first' \\", "        '*:: :->rest' && return", "    case $state in"]
    lines += ["        first) _describe -t commands 'caro command' subcommands ;;", "        rest)", "            case $line[1] in"]
    for command in subs:
        specs = _zsh_option_specs(command)
        if command.positionals:
            specs.append(f"'1:{_zq(command.name)} argument:({' '.join(command.positionals)})'")
        specs.append("'*:: :_files'")
        lines.append(f"                {command.name}) _arguments {' '.join(specs)} ;;")
    lines += [
        "            esac",
        "            ;;",
        "    esac",
        "}",
        "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then",
        "    _caro \"$@\"",
        "elif (( $+functions[compdef] )); then",
        "    compdef _caro caro",
        "fi",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- fish


def _fq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(commands: list[Command]) -> str:
    main, subs = commands[0], commands[1:]
    names = " ".join(c.name for c in subs)
    lines = [
        "# caro completion for fish. Save it with:",
        "#   caro completions fish > ${XDG_CONFIG_HOME:-~/.config}/fish/completions/caro.fish",
        "complete -c caro -e",
        f"complete -c caro -n 'not __fish_seen_subcommand_from {names}' -f",
    ]
    for command in subs:
        lines.append(
            f"complete -c caro -n '__fish_use_subcommand' -f -a {command.name} -d {_fq(command.help)}"
        )
    for command in commands:
        condition = "__fish_use_subcommand" if command is main else f"__fish_seen_subcommand_from {command.name}"
        for option in command.options:
            parts = [f"complete -c caro -n '{condition}'"]
            parts += [f"-s {n[1:]}" for n in option.short if len(n) == 2]
            parts += [f"-o {n[1:]}" for n in option.short if len(n) > 2]
            parts += [f"-l {n[2:]}" for n in option.long]
            if option.choices:
                parts.append(f"-x -a {_fq(' '.join(option.choices))}")
            elif option.files:
                parts.append("-r -F")
            elif option.takes_value:
                parts.append("-x")
            if option.help:
                parts.append(f"-d {_fq(option.help)}")
            lines.append(" ".join(parts))
        if command is not main and command.positionals:
            lines.append(f"complete -c caro -n '{condition}' -f -a {_fq(' '.join(command.positionals))}")
    lines.append("")
    return "\n".join(lines)


def script(shell: str) -> str:
    commands = collect()
    return {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](commands)


def run(args: argparse.Namespace, settings: Settings) -> int:
    sys.stdout.write(script(args.completion_shell))
    return 0
