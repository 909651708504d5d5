"""Explain a shell command part by part, offline: each program, flag, argument, redirection and operator
in plain words, what it reads and what it changes, and the safety engine's verdict with its reasons.

The words come from a built-in table of common programs and their flags (data/explain_programs.json);
the structure comes from a real shell parser (bashlex): pipelines, lists, redirections, command and
process substitution, loops, and wrappers that run another command (sudo, env, timeout, xargs,
find -exec, sh -c ...). A model's own summary can be added by the caller (`model_summary`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caro.ui import RISK_COLOURS

if TYPE_CHECKING:
    from caro.safety import Verdict

Entry = dict[str, Any]


@dataclass
class Part:
    """One piece of the command and what it means. `depth` > 0 for a command run by another one."""

    text: str
    role: str  # program | subcommand | flag | value | argument | assignment | redirect | operator | keyword
    meaning: str
    depth: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "role": self.role, "meaning": self.meaning, "depth": self.depth}


@dataclass
class Explanation:
    command: str
    parts: list[Part] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    model_summary: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "parts": [p.as_dict() for p in self.parts],
            "programs": list(self.programs),
            "reads": list(self.reads),
            "changes": list(self.changes),
            "notes": list(self.notes),
            "safety": self.verdict.as_dict() if self.verdict else None,
            "model_summary": self.model_summary,
        }


@lru_cache(maxsize=1)
def programs() -> dict[str, Entry]:
    """The built-in descriptions: program name -> entry (summary, flags, args, reads, changes...)."""
    text = (Path(__file__).parent / "data" / "explain_programs.json").read_text(encoding="utf-8")
    data: dict[str, Entry] = json.loads(text)
    data.pop("_comment", None)
    for alias, target in list(data.pop("_aliases", {}).items()):
        data[alias] = data[target]
    return data


@dataclass(frozen=True)
class FlagSpec:
    meaning: str
    takes_value: bool
    metavar: str


def _flag_table(entry: Entry) -> dict[str, FlagSpec]:
    """'-n NUM': 'text' -> {'-n': FlagSpec(text, True, 'NUM')}; 'a, --all' style keys list synonyms."""
    table: dict[str, FlagSpec] = {}
    for key, meaning in entry.get("flags", {}).items():
        names_part, _, metavar = key.partition(" ")
        for name in names_part.split("|"):
            name, _eq, inline = name.partition("=")
            var = metavar or inline
            table[name] = FlagSpec(meaning, bool(var), var)
    return table


_OPERATORS = {
    "|": "pipe: the output of the command on the left becomes the input of the command on the right",
    "|&": "pipe output and errors into the next command",
    "&&": "and then: run what follows only if the command before succeeded",
    "||": "or else: run what follows only if the command before failed",
    ";": "then: run what follows after the command before finishes, whatever its result",
    "&": "run the command before in the background, without waiting for it",
    "\n": "then (a new line)",
}

_KEYWORDS = {
    "for": "loop: repeat the body once for each item",
    "in": "the items the loop goes through",
    "do": "start of the loop body",
    "done": "end of the loop body",
    "while": "loop while the condition command succeeds",
    "until": "loop until the condition command succeeds",
    "if": "run the next commands only if the condition command succeeds",
    "then": "what to run when the condition holds",
    "elif": "otherwise, test another condition",
    "else": "what to run otherwise",
    "fi": "end of the if",
    "{": "group commands in the current shell",
    "}": "end of the group",
    "(": "run the grouped commands in a subshell (changes inside do not leak out)",
    ")": "end of the subshell",
    "!": "negate the result of the command",
    "case": "choose commands by matching a word against patterns",
    "esac": "end of the case",
    "function": "define a shell function",
}


def _looks_like_path(word: str) -> bool:
    return word.startswith(("/", "./", "../", "~")) or "/" in word or bool(re.search(r"\.\w{1,5}$", word))


def _describe_operand(word: str) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*://", word):
        return "a web address (URL)"
    if any(ch in word for ch in "*?[") and not word.startswith("-"):
        return f"a wildcard pattern: the shell replaces it with the matching file names ({word})"
    if word == "{}":
        return "the file found (find puts each path here)"
    if word in (".", "./"):
        return "the current directory"
    if word == "..":
        return "the parent directory"
    if word in ("~", "$HOME"):
        return "your home directory"
    if word == "-":
        return "standard input (or output), by convention"
    if "$(" in word or "`" in word:
        return "command substitution: the output of the command inside, put in place"
    if word.startswith(("<(", ">(")):
        return "process substitution: the inner command's output (or input), used like a file"
    if word.startswith("$"):
        return "the value of a shell variable"
    if _looks_like_path(word):
        return f"a file or directory path: {word}"
    return "an argument"


def _select(selector: str, operands: list[str]) -> list[str]:
    if selector == "operands":
        return list(operands)
    if selector == "first":
        return operands[:1]
    if selector == "rest":
        return operands[1:]
    if selector == "last":
        return operands[-1:]
    if selector == "all_but_last":
        return operands[:-1]
    if selector.startswith("text:"):
        return [selector[5:]]
    return []


class _Walker:
    """Walks bashlex's tree and records parts, reads and changes."""

    def __init__(self, result: Explanation) -> None:
        self.out = result
        self.db = programs()

    def add(self, text: str, role: str, meaning: str, depth: int) -> None:
        self.out.parts.append(Part(text, role, meaning, depth))

    def note_read(self, what: str) -> None:
        if what and what not in self.out.reads:
            self.out.reads.append(what)

    def note_change(self, what: str) -> None:
        if what and what not in self.out.changes:
            self.out.changes.append(what)

    # ---------------------------------------------------------------------------------------- tree nodes

    def node(self, n: Any, depth: int) -> None:
        kind = n.kind
        if kind in ("list", "pipeline"):
            for part in n.parts:
                self.node(part, depth)
        elif kind == "compound":
            for part in n.list:
                self.node(part, depth)
            for redirect in getattr(n, "redirects", []):
                self.redirect(redirect, depth)
        elif kind in ("for", "while", "until", "if", "case"):
            parts = list(n.parts)
            for index, part in enumerate(parts):
                if kind == "for" and index == 1 and part.kind == "word":
                    self.add(part.word, "argument", f"the loop variable: ${part.word} holds each item in turn", depth)
                    continue
                self.node(part, depth)
        elif kind == "function":
            self.add(n.name.word, "keyword", "define a shell function with this name", depth)
            self.node(n.body, depth + 1)
        elif kind == "operator":
            if n.op in (";", "\n") and depth == 0 and self.out.parts and self.out.parts[-1].role == "keyword":
                return
            self.add(n.op, "operator", _OPERATORS.get(n.op, "shell operator"), depth)
        elif kind == "pipe":
            self.add(n.pipe, "operator", _OPERATORS.get(n.pipe, "pipe"), depth)
        elif kind == "reservedword":
            if n.word in _KEYWORDS:
                self.add(n.word, "keyword", _KEYWORDS[n.word], depth)
        elif kind == "command":
            self.command(n, depth)
        elif kind == "word":
            self.add(n.word, "argument", _describe_operand(n.word), depth)
            for sub in getattr(n, "parts", []):
                if sub.kind in ("commandsubstitution", "processsubstitution"):
                    self.node(sub.command, depth + 1)

    def command(self, n: Any, depth: int) -> None:
        words: list[Any] = []
        redirects: list[Any] = []
        for part in n.parts:
            if part.kind == "assignment":
                name, _, value = part.word.partition("=")
                scope = "for this command only" if any(p.kind == "word" for p in n.parts) else "in the shell"
                self.add(part.word, "assignment", f"set variable {name} to '{value}' {scope}", depth)
            elif part.kind == "word":
                words.append(part)
            elif part.kind == "redirect":
                redirects.append(part)
            else:
                self.node(part, depth)
        if words:
            self.simple([w.word for w in words], depth)
            # The commands inside $(...) and <(...) run too: explain them one level deeper.
            for w in words:
                for sub in getattr(w, "parts", []):
                    if sub.kind in ("commandsubstitution", "processsubstitution"):
                        self.node(sub.command, depth + 1)
        for redirect in redirects:
            self.redirect(redirect, depth)

    def redirect(self, r: Any, depth: int) -> None:
        kind = r.type
        source = r.input if isinstance(getattr(r, "input", None), int) else None
        target = r.output
        target_text = target.word if hasattr(target, "word") else str(target)
        text = f"{source if source is not None else ''}{kind}{target_text}"
        if kind == "<<" or kind == "<<-":
            self.add(text, "redirect", f"here-document: the lines up to '{target_text}' are given as input", depth)
            return
        if kind == "<<<":
            self.add(text, "redirect", "here-string: the text is given as input", depth)
            return
        if kind == "<":
            self.add(text, "redirect", f"read input from {target_text}", depth)
            self.note_read(target_text)
            return
        if kind in (">&", "<&") and isinstance(target, int):
            what = "errors (stream 2)" if source == 2 else f"stream {source if source is not None else 1}"
            dest = "the output (stream 1)" if target == 1 else ("errors (stream 2)" if target == 2 else f"stream {target}")
            self.add(text, "redirect", f"send {what} to the same place as {dest}", depth)
            return
        stream = {2: "errors", None: "output", 1: "output"}.get(source, f"stream {source}")
        if kind in ("&>", ">&"):
            stream = "output and errors"
        if target_text == "/dev/null":
            self.add(text, "redirect", f"discard the {stream}", depth)
            return
        if kind == ">>" or kind == "&>>":
            self.add(text, "redirect", f"append the {stream} to {target_text} (creates it if missing)", depth)
            self.note_change(f"{target_text} (appended to)")
            return
        self.add(text, "redirect", f"write the {stream} to {target_text}, replacing what it held", depth)
        self.note_change(f"{target_text} (overwritten)")

    # ---------------------------------------------------------------------------------- simple commands

    def simple(self, words: list[str], depth: int) -> None:
        program = words[0]
        name = os.path.basename(program)
        entry = self.db.get(name)
        if name not in self.out.programs:
            self.out.programs.append(name)
        if entry is None:
            self.add(program, "program", f"a program caro has no description of (see 'man {name}' or '{name} --help')", depth)
            self.operands_only(words[1:], depth)
            return
        self.add(program, "program", entry["summary"], depth)
        args = words[1:]
        sub = entry.get("subcommands", {})
        flags = _flag_table(entry)
        operands: list[str] = []
        nested: list[str] | None = None
        i = 0
        options_done = False
        positional_roles = list(entry.get("args", []))
        skip = int(entry.get("wrapper_skip", 0))
        while i < len(args):
            word = args[i]
            # A wrapper runs the rest of the line as a command of its own once its own options end.
            if entry.get("wrapper") and (options_done or not word.startswith("-")) and not (
                entry.get("wrapper_assignments") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word)
            ):
                if skip:
                    self.add(word, "argument", positional_roles[0].split(": ", 1)[-1] if positional_roles else "an argument", depth)
                    positional_roles = positional_roles[1:]
                    skip -= 1
                    i += 1
                    continue
                nested = args[i:]
                break
            if entry.get("wrapper_assignments") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
                var, _, value = word.partition("=")
                self.add(word, "assignment", f"set environment variable {var} to '{value}' for the command", depth)
                i += 1
                continue
            if not options_done and word == "--":
                self.add(word, "flag", "end of options: everything after is an argument", depth)
                options_done = True
                i += 1
                continue
            if not operands and sub and word in sub and not options_done:
                detail = sub[word]
                sub_entry: Entry = detail if isinstance(detail, dict) else {"summary": detail}
                self.add(word, "subcommand", sub_entry["summary"], depth)
                flags = {**flags, **_flag_table(sub_entry)}
                entry = {**entry, **{k: v for k, v in sub_entry.items() if k != "summary"}}
                if "args" in sub_entry:
                    positional_roles = list(sub_entry["args"])
                sub = sub_entry.get("subcommands", {})
                i += 1
                continue
            if word in entry.get("exec_flags", []) and not options_done:
                end = i + 1
                while end < len(args) and args[end] not in (";", "\\;", "+"):
                    end += 1
                self.add(word, "flag", flags[word].meaning if word in flags else "run a command", depth)
                if end > i + 1:
                    self.simple(args[i + 1 : end], depth + 1)
                if end < len(args):
                    self.add(args[end], "argument", "end of the command given to " + word, depth)
                i = end + 1
                continue
            if (not options_done and word.startswith("-") and len(word) > 1 and not re.match(r"^-\d+(\.\d+)?$", word)) or word in flags:
                i = self.flag(word, args, i, flags, entry, name, depth)
                if word in entry.get("final_flags", []):
                    # What follows `python -m MODULE` or `-c CODE` belongs to that module or code.
                    for rest in args[i:]:
                        self.add(rest, "argument", f"an argument passed on to it ({_describe_operand(rest)})", depth)
                    i = len(args)
                continue
            if sub and not operands and not options_done and entry.get("subcommand_required"):
                self.add(word, "subcommand", f"a {name} subcommand caro has no description of", depth)
                sub = {}
                i += 1
                continue
            role = positional_roles[0] if positional_roles else ""
            if role:
                label = role.split(": ", 1)[-1]
                if not role.split(": ", 1)[0].endswith("..."):
                    positional_roles = positional_roles[1:]
                self.add(word, "argument", f"{label} — {_describe_operand(word)}" if _looks_like_path(word) and "file" not in label and "path" not in label else label, depth)
            else:
                self.add(word, "argument", _describe_operand(word), depth)
            operands.append(word)
            i += 1
        self.effects(entry, operands, name)
        if nested:
            if entry.get("nested_note"):
                self.out.notes.append(entry["nested_note"])
            self.simple(nested, depth + 1)

    def flag(self, word: str, args: list[str], i: int, flags: dict[str, FlagSpec], entry: Entry, name: str, depth: int) -> int:
        script_flag = entry.get("script_flag")
        if word.startswith("--") or word in flags:
            key, eq, _inline = word.partition("=")
            spec = flags.get(key)
            if spec is None:
                self.add(word, "flag", f"an option of {name} (see '{name} --help')", depth)
                return i + 1
            self.add(word, "flag", spec.meaning, depth)
            self.flag_effect(key, entry)
            if spec.takes_value and not eq and i + 1 < len(args):
                value = args[i + 1]
                if script_flag and key == script_flag:
                    self.add(value, "value", "the script to run:", depth)
                    self.nested_script(value, depth + 1)
                else:
                    self.add(value, "value", f"{spec.metavar} for {key}", depth)
                return i + 2
            return i + 1
        # Bundled short options: -la is -l -a; a value-taking letter takes the rest of the word or the next one.
        letters = word[1:]
        for pos, letter in enumerate(letters):
            spec = flags.get(f"-{letter}")
            if spec is None:
                self.add(f"-{letter}", "flag", f"an option of {name} (see '{name} --help')", depth)
                continue
            self.add(f"-{letter}", "flag", spec.meaning, depth)
            self.flag_effect(f"-{letter}", entry)
            if spec.takes_value:
                rest = letters[pos + 1 :]
                if rest:
                    self.add(rest, "value", f"{spec.metavar} for -{letter}", depth)
                    return i + 1
                if i + 1 < len(args):
                    value = args[i + 1]
                    if script_flag and f"-{letter}" == script_flag:
                        self.add(value, "value", "the script to run:", depth)
                        self.nested_script(value, depth + 1)
                    else:
                        self.add(value, "value", f"{spec.metavar} for -{letter}", depth)
                    return i + 2
        return i + 1

    def flag_effect(self, flag: str, entry: Entry) -> None:
        """Flags that change what a program touches: find -delete, sed -i, rsync --delete."""
        effect = entry.get("flag_changes", {}).get(flag)
        if effect:
            self.note_change(effect)

    def nested_script(self, script: str, depth: int) -> None:
        try:
            import bashlex

            trees = bashlex.parse(script)
        except Exception:  # bashlex raises several types for shell it cannot read
            self.out.notes.append(f"could not break down the inner script: {script}")
            return
        for tree in trees:
            self.node(tree, depth)

    def operands_only(self, words: list[str], depth: int) -> None:
        for word in words:
            role = "flag" if word.startswith("-") and len(word) > 1 else "argument"
            meaning = "an option (see the program's --help)" if role == "flag" else _describe_operand(word)
            self.add(word, role, meaning, depth)

    def effects(self, entry: Entry, operands: list[str], name: str) -> None:
        # Substitutions are explained as commands of their own; {} is find's placeholder.
        operands = [
            "each file found" if op == "{}" else op
            for op in operands
            if not op.startswith(("<(", ">(")) and "$(" not in op and "`" not in op
        ]
        reads = entry.get("reads", [])
        changes = entry.get("changes", [])
        for selector in [reads] if isinstance(reads, str) else reads:
            chosen = _select(selector, operands)
            if not chosen and entry.get("reads_default"):
                chosen = [entry["reads_default"]]
            for item in chosen:
                self.note_read(item)
        verb = entry.get("verb", "changed")
        for selector in [changes] if isinstance(changes, str) else changes:
            if selector.startswith("text:"):
                self.note_change(selector[5:])
                continue
            chosen = _select(selector, operands)
            if not chosen and entry.get("changes_default"):
                self.note_change(entry["changes_default"])
            for item in chosen:
                self.note_change(f"{item} ({verb})")


def explain(
    command: str,
    *,
    shell: str = "bash",
    mode: str = "moderate",
    check: Callable[[str], Verdict] | None = None,
) -> Explanation:
    """Break `command` into parts and judge it. Works offline; never raises for odd shell syntax."""
    result = Explanation(command=command.strip())
    text = result.command
    if text:
        try:
            import bashlex

            trees = bashlex.parse(text)
        except Exception as exc:  # bashlex raises ParsingError, NotImplementedError, IndexError...
            result.notes.append(f"the shell parser could not read it ({type(exc).__name__}); split by words instead")
            walker = _Walker(result)
            import shlex

            try:
                words = shlex.split(text)
            except ValueError:
                words = text.split()
            if words:
                walker.simple(words, 0)
        else:
            walker = _Walker(result)
            for tree in trees:
                walker.node(tree, 0)
    if shell in ("powershell", "cmd"):
        result.notes.append(f"explained as POSIX shell syntax; {shell} may read it differently")
    if check is not None:
        result.verdict = check(text)
    else:
        from caro.safety import assess

        result.verdict = assess(text, mode=mode, shell=shell)
    return result


_ROLE_COLOURS = {"program": "1;36", "subcommand": "36", "flag": "33", "value": "35", "redirect": "34", "operator": "1;34"}


def render(result: Explanation, *, colour: bool = False) -> str:
    """The explanation as indented lines for a terminal."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text

    lines = [paint(result.command, "1")]
    width = min(max((len(p.text) + 2 * p.depth for p in result.parts), default=0), 28)
    for part in result.parts:
        indent = "  " * (part.depth + 1)
        label = part.text if len(part.text) <= 28 else part.text[:25] + "..."
        pad = " " * max(width - len(label) - 2 * part.depth, 0)
        lines.append(f"{indent}{paint(label, _ROLE_COLOURS.get(part.role, ''))}{pad}  {part.meaning}")
    if result.model_summary:
        lines.append(f"in short: {result.model_summary}")
    lines.append("reads:    " + (", ".join(result.reads) if result.reads else "nothing named on the line"))
    lines.append("changes:  " + (", ".join(result.changes) if result.changes else "nothing caro knows of"))
    verdict = result.verdict
    if verdict is not None:
        state = "blocked" if verdict.blocked else ("asks for confirmation" if verdict.requires_confirmation else "runs without asking")
        lines.append(f"safety:   {paint(verdict.risk, RISK_COLOURS.get(verdict.risk, ''))} risk, {state}")
        for reason in verdict.reasons:
            lines.append(f"          - {reason}")
    for note in result.notes:
        lines.append(f"note:     {note}")
    return "\n".join(lines)
