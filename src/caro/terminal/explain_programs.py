"""One simple command against caro's table of programs (data/explain_programs.json): the program, its
subcommands, flags and their values, its operands, and what it reads and changes.

An entry in the table says what a program reads and changes with selectors over its operands
(`operands`, `first`, `rest`, `last`, `all_but_last`), over flag values (`value:-f`: the value given to
`-f` or any of its synonyms), over `key=value` operands (`key:of`, for dd), or in words (`text:...`).
Programs whose effect depends on a mode (tar -c/-x/-t, unzip -l/-d, cp -t, rsync -n, sed -i, gzip -c)
list `modes`: the first whose `when` groups all match a flag on the line replaces those keys.
"""

from __future__ import annotations

import os

from caro import jsontext
from caro.memo import memo
from caro.patterns import LazyPattern

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from caro.terminal.explain import Explanation

    Entry = dict[str, Any]

_ASSIGNMENT = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_]*=")
_NUMBER = LazyPattern(r"^-\d+(\.\d+)?$")
_EXTENSION = LazyPattern(r"\.\w{1,5}$")
_URL = LazyPattern(r"^[a-z][a-z0-9+.-]*://")


@memo(1)
def programs() -> dict[str, Entry]:
    """The built-in descriptions: program name -> entry (summary, flags, args, reads, changes...)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "explain_programs.json")
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Entry] = jsontext.loads(handle.read())
    data.pop("_comment", None)
    for alias, target in list(data.pop("_aliases", {}).items()):
        data[alias] = data[target]
    return data


class FlagSpec:
    """One flag: what it means, whether it takes a value, and the name its synonyms share (`key`)."""

    __slots__ = ("key", "meaning", "metavar", "takes_value")

    def __init__(self, key: str, meaning: str, metavar: str) -> None:
        self.key = key
        self.meaning = meaning
        self.takes_value = bool(metavar)
        self.metavar = metavar


def flag_table(entry: Entry) -> dict[str, FlagSpec]:
    """'-n|--lines NUM': 'text' -> {'-n': spec, '--lines': spec}, both with key '-n' and metavar NUM."""
    table: dict[str, FlagSpec] = {}
    for key, meaning in entry.get("flags", {}).items():
        names_part, _, metavar = key.partition(" ")
        names = names_part.split("|")
        canonical = names[0].partition("=")[0]
        for name in names:
            name, _eq, inline = name.partition("=")
            table[name] = FlagSpec(canonical, meaning, metavar or inline)
    return table


def looks_like_path(word: str) -> bool:
    return word.startswith(("/", "./", "../", "~")) or "/" in word or bool(_EXTENSION.search(word))


def describe_operand(word: str) -> str:
    """What an argument is, from its spelling alone."""
    if _URL.match(word):
        return "a web address (URL)"
    if word.startswith("$((") and word.endswith("))"):
        return "arithmetic: the shell computes the number and puts it in place"
    if any(ch in word for ch in "*?[") and not word.startswith("-") and "$(" not in word:
        return f"a wildcard pattern: the shell replaces it with the matching file names ({word})"
    fixed = {
        "{}": "the file found (find puts each path here)",
        ".": "the current directory",
        "./": "the current directory",
        "..": "the parent directory",
        "~": "your home directory",
        "$HOME": "your home directory",
        "-": "standard input (or output), by convention",
    }
    if word in fixed:
        return fixed[word]
    if "$(" in word or "`" in word:
        return "command substitution: the output of the command inside, put in place"
    if word.startswith(("<(", ">(")):
        return "process substitution: the inner command's output (or input), used like a file"
    if word.startswith("$"):
        return "the value of a shell variable"
    if looks_like_path(word):
        return f"a file or directory path: {word}"
    return "an argument"


def _select(selector: str, operands: list[str], values: dict[str, list[str]]) -> list[str]:
    """The operands (or flag values) a reads/changes selector names."""
    picks = {
        "operands": operands,
        "first": operands[:1],
        "rest": operands[1:],
        "last": operands[-1:],
        "all_but_last": operands[:-1],
    }
    if selector in picks:
        return list(picks[selector])
    kind, _, arg = selector.partition(":")
    if kind == "text":
        return [arg]
    if kind == "value":
        return list(values.get(arg, []))
    if kind == "key":
        return [op.split("=", 1)[1] for op in operands if op.startswith(arg + "=")]
    return []


def _as_list(selectors: str | list[str]) -> list[str]:
    return [selectors] if isinstance(selectors, str) else list(selectors)


def _substituted(word: str) -> bool:
    return word.startswith(("<(", ">(")) or "$(" in word or "`" in word


class SimpleCommand:
    """Explains one simple command (its words already unquoted) into `out`, one word at a time.

    `run_script(text, depth)` explains code carried in a string (`bash -c '...'`) with the shell parser.
    """

    def __init__(self, out: Explanation, run_script: Callable[[str, int], None]) -> None:
        self.out = out
        self.run_script = run_script

    def explain(self, words: list[str], depth: int) -> None:
        program = words[0]
        name = os.path.basename(program)
        entry = programs().get(name)
        if name not in self.out.programs:
            self.out.programs.append(name)
        if entry is None:
            self.out.add(program, "program",
                         f"a program caro has no description of (see 'man {name}' or '{name} --help')", depth)
            self._operands_only(words[1:], depth)
            return
        self.out.add(program, "program", entry["summary"], depth)
        _Words(self, name, entry, words[1:], depth).run()

    def _operands_only(self, words: list[str], depth: int) -> None:
        for word in words:
            if word.startswith("-") and len(word) > 1:
                self.out.add(word, "flag", "an option (see the program's --help)", depth)
            else:
                self.out.add(word, "argument", describe_operand(word), depth)


class _Words:
    """The state of one pass over a known program's arguments."""

    def __init__(self, owner: SimpleCommand, name: str, entry: Entry, args: list[str], depth: int) -> None:
        self.owner = owner
        self.out = owner.out
        self.name = name
        self.entry = entry
        self.args = args
        self.depth = depth
        self.flags = flag_table(entry)
        self.subcommands: dict[str, Any] = entry.get("subcommands", {})
        self.roles: list[str] = list(entry.get("args", []))
        self.skip = int(entry.get("wrapper_skip", 0))
        self.operands: list[str] = []
        self.used: set[str] = set()  # flag keys seen
        self.values: dict[str, list[str]] = {}  # flag key -> values given
        self.flag_effects: list[str] = []
        self.options_done = False
        self.nested: list[str] | None = None
        self.i = 0

    def add(self, text: str, role: str, meaning: str, depth: int | None = None) -> None:
        self.out.add(text, role, meaning, self.depth if depth is None else depth)

    # ------------------------------------------------------------------------------------ the pass

    def run(self) -> None:
        steps = (self._wrapped_command, self._assignment, self._end_of_options, self._subcommand,
                 self._exec_flag, self._old_style_flags, self._flag, self._unknown_subcommand)
        while self.i < len(self.args) and self.nested is None:
            word = self.args[self.i]
            if not any(step(word) for step in steps):
                self._operand(word)
        self._effects()
        if self.nested:
            if self.entry.get("nested_note"):
                self.out.notes.append(self.entry["nested_note"])
            self.owner.explain(self.nested, self.depth + 1)

    def _wrapped_command(self, word: str) -> bool:
        """A wrapper (sudo, env, timeout, xargs) runs the rest of the line once its own options end."""
        entry = self.entry
        if not entry.get("wrapper") or not (self.options_done or not word.startswith("-")):
            return False
        if entry.get("wrapper_assignments") and _ASSIGNMENT.match(word):
            return False
        if self.skip:  # `timeout 5s CMD`: the wrapper's own operands come first
            self.add(word, "argument", self.roles[0].split(": ", 1)[-1] if self.roles else "an argument")
            self.roles = self.roles[1:]
            self.skip -= 1
            self.i += 1
            return True
        self.nested = self.args[self.i:]
        return True

    def _assignment(self, word: str) -> bool:
        if not (self.entry.get("wrapper_assignments") and _ASSIGNMENT.match(word)):
            return False
        var, _, value = word.partition("=")
        self.add(word, "assignment", f"set environment variable {var} to '{value}' for the command")
        self.i += 1
        return True

    def _end_of_options(self, word: str) -> bool:
        if self.options_done or word != "--":
            return False
        self.add(word, "flag", "end of options: everything after is an argument")
        self.options_done = True
        self.i += 1
        return True

    def _subcommand(self, word: str) -> bool:
        if self.operands or self.options_done or word not in self.subcommands:
            return False
        detail = self.subcommands[word]
        sub: Entry = detail if isinstance(detail, dict) else {"summary": detail}
        self.add(word, "subcommand", sub["summary"])
        self.flags = {**self.flags, **flag_table(sub)}
        self.entry = {**self.entry, **{k: v for k, v in sub.items() if k != "summary"}}
        if "args" in sub:
            self.roles = list(sub["args"])
        self.subcommands = sub.get("subcommands", {})
        self.i += 1
        return True

    def _exec_flag(self, word: str) -> bool:
        """find -exec CMD {} \\; : the command between the flag and `;` or `+` runs for each file."""
        if self.options_done or word not in self.entry.get("exec_flags", []):
            return False
        args, i = self.args, self.i
        end = i + 1
        while end < len(args) and args[end] not in (";", "\\;", "+"):
            end += 1
        self.add(word, "flag", self.flags[word].meaning if word in self.flags else "run a command")
        if end > i + 1:
            self.owner.explain(args[i + 1:end], self.depth + 1)
        if end < len(args):
            self.add(args[end], "argument", "end of the command given to " + word)
        self.i = end + 1
        return True

    def _old_style_flags(self, word: str) -> bool:
        """`tar xzvf a.tar`: the first word, without a dash, bundles single-letter flags."""
        if (self.i or self.operands or not self.entry.get("old_style_flags") or word.startswith("-")
                or not word.isalpha() or not all(f"-{c}" in self.flags for c in word)):
            return False
        self._bundle(word, word, dash="")
        return True

    def _flag(self, word: str) -> bool:
        is_option = (not self.options_done and word.startswith("-") and len(word) > 1
                     and not _NUMBER.match(word))
        if not is_option and (self.options_done or word not in self.flags):
            return False  # after `--`, `-f` is a file name
        if word.startswith("--") or word in self.flags:
            self._named_flag(word)
        else:
            self._bundle(word, word[1:], dash="-")
        if word in self.entry.get("final_flags", []):
            # What follows `python -m MODULE` or `-c CODE` belongs to that module or code.
            for rest in self.args[self.i:]:
                self.add(rest, "argument", f"an argument passed on to it ({describe_operand(rest)})")
            self.i = len(self.args)
        return True

    def _unknown_subcommand(self, word: str) -> bool:
        if not (self.subcommands and not self.operands and not self.options_done
                and self.entry.get("subcommand_required")):
            return False
        self.add(word, "subcommand", f"a {self.name} subcommand caro has no description of")
        self.subcommands = {}
        self.i += 1
        return True

    def _operand(self, word: str) -> None:
        role = self.roles[0] if self.roles else ""
        if role:
            head, _, label = role.partition(": ")
            label = label or head
            if not head.endswith("..."):
                self.roles = self.roles[1:]
            expanded = "$" in word or "`" in word
            if expanded or (looks_like_path(word) and "file" not in label and "path" not in label):
                label = f"{label} — {describe_operand(word)}"
            self.add(word, "argument", label)
        else:
            self.add(word, "argument", describe_operand(word))
        self.operands.append(word)
        self.i += 1

    # ------------------------------------------------------------------------------------- flags

    def _named_flag(self, word: str) -> None:
        """A long option or a flag the table names whole (`--force`, `--file=a.tar`, `-exec`, `aux`)."""
        key, eq, inline = word.partition("=")
        spec = self.flags.get(key)
        if spec is None:
            self.add(word, "flag", f"an option of {self.name} (see '{self.name} --help')")
            self.i += 1
            return
        self._seen(spec, word)
        if spec.takes_value and eq:
            self._record_value(spec, inline)
        elif spec.takes_value and self.i + 1 < len(self.args):
            self._take_value(spec, key, self.args[self.i + 1])
            self.i += 2
            return
        self.i += 1

    def _bundle(self, word: str, letters: str, dash: str) -> None:
        """-la is -l -a; a value-taking letter takes the rest of the word or the next one."""
        for pos, letter in enumerate(letters):
            spec = self.flags.get(f"-{letter}")
            shown = f"{dash}{letter}"
            if spec is None:
                self.add(shown, "flag", f"an option of {self.name} (see '{self.name} --help')")
                continue
            self._seen(spec, shown)
            if not spec.takes_value:
                continue
            rest = letters[pos + 1:]
            if rest:
                self.add(rest, "value", f"{spec.metavar} for -{letter}")
                self._record_value(spec, rest)
                break
            if self.i + 1 < len(self.args):
                self._take_value(spec, f"-{letter}", self.args[self.i + 1])
                self.i += 2
                return
        self.i += 1

    def _seen(self, spec: FlagSpec, shown: str) -> None:
        self.add(shown, "flag", spec.meaning)
        self.used.add(spec.key)
        effect = self.entry.get("flag_changes", {}).get(spec.key)
        if effect:  # flags that change what a program touches: find -delete, rsync --delete
            self.flag_effects.append(effect)

    def _take_value(self, spec: FlagSpec, shown_flag: str, value: str) -> None:
        script_flag = self.entry.get("script_flag")
        if script_flag and spec.key == script_flag:
            self.add(value, "value", "the script to run:")
            self.owner.run_script(value, self.depth + 1)
        else:
            self.add(value, "value", f"{spec.metavar} for {shown_flag}")
        self._record_value(spec, value)

    def _record_value(self, spec: FlagSpec, value: str) -> None:
        self.values.setdefault(spec.key, []).append(value)

    # ------------------------------------------------------------------------------------ effects

    def _mode(self) -> Entry:
        """The entry with the first matching mode's keys in place (tar -x reads the archive...).
        A mode that names `reads` or `changes` also replaces the default and verb that go with it."""
        for mode in self.entry.get("modes", []):
            if all(any(flag in self.used for flag in group.split("|")) for group in mode["when"]):
                tied = {"reads": ("reads_default",), "changes": ("changes_default", "verb")}
                dropped = {key for name, keys in tied.items() if name in mode for key in keys}
                base = {k: v for k, v in self.entry.items() if k not in dropped}
                return {**base, **{k: v for k, v in mode.items() if k != "when"}}
        return self.entry

    def _effects(self) -> None:
        entry = self._mode()
        # Substitutions are explained as commands of their own; {} is find's placeholder.
        operands = ["each file found" if op == "{}" else op for op in self.operands if not _substituted(op)]
        for selector in _as_list(entry.get("reads", [])):
            chosen = _select(selector, operands, self.values)
            if not chosen and entry.get("reads_default"):
                chosen = [entry["reads_default"]]
            for item in chosen:
                self.out.read("standard input" if item == "-" else item)
        verb = entry.get("verb", "changed")
        for selector in _as_list(entry.get("changes", [])):
            chosen = _select(selector, operands, self.values)
            if not chosen and entry.get("changes_default"):
                self.out.change(entry["changes_default"])
            for item in chosen:
                if item != "-":  # `-` as the file to write is standard output
                    self.out.change(item if selector.startswith("text:") else f"{item} ({verb})")
        if entry.get("dry_run"):
            self.out.notes.append(f"{self.name} only shows what it would do here: nothing is changed")
            return
        for effect in self.flag_effects:
            self.out.change(effect)
