"""Explain a shell command part by part, offline: each program, flag, argument, redirection and operator
in plain words, what it reads and what it changes, and the safety engine's verdict with its reasons.

The words come from a built-in table of common programs and their flags (data/explain_programs.json,
read by `caro.terminal.explain_programs`); the structure comes from caro's one shell parser, tree-sitter-bash
(`caro.shell_syntax`, the same parse the safety engine uses): pipelines, lists, redirections,
here-documents, command, process and arithmetic substitution, loops, `if`, `case`, `[[ ]]`, functions,
and wrappers that run another command (sudo, env, timeout, xargs, find -exec, sh -c ...). A model's own
summary can be added by the caller (`model_summary`).
"""

from __future__ import annotations

from caro import shell_syntax
from caro.terminal.explain_programs import SimpleCommand, describe_operand, programs
from caro.terminal.ui import RISK_COLOURS

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from caro.safety import Verdict

__all__ = ["Explanation", "Part", "explain", "programs", "render"]

MAX_DEPTH = 120
_SYNTAX_NOTE = "part of it is not valid shell syntax"  # statements nested deeper than this are not broken down further


class Part:
    """One piece of the command and what it means. `depth` > 0 for a command run by another one."""

    __slots__ = ("depth", "meaning", "role", "text")

    def __init__(self, text: str, role: str, meaning: str, depth: int = 0) -> None:
        self.text = text
        # program | subcommand | flag | value | argument | assignment | redirect | operator | keyword
        self.role = role
        self.meaning = meaning
        self.depth = depth

    def __repr__(self) -> str:
        return f"Part({self.text!r}, {self.role!r}, {self.meaning!r}, {self.depth})"

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "role": self.role, "meaning": self.meaning, "depth": self.depth}


class Explanation:
    """The parts of a command, what it reads and changes, notes, and the safety verdict."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.parts: list[Part] = []
        self.programs: list[str] = []
        self.reads: list[str] = []
        self.changes: list[str] = []
        self.notes: list[str] = []
        self.verdict: Verdict | None = None
        self.model_summary = ""

    def add(self, text: str, role: str, meaning: str, depth: int) -> None:
        self.parts.append(Part(text, role, meaning, depth))

    def read(self, what: str) -> None:
        if what and what not in self.reads:
            self.reads.append(what)

    def change(self, what: str) -> None:
        if what and what not in self.changes:
            self.changes.append(what)

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


_OPERATORS = {
    "|": "pipe: the output of the command on the left becomes the input of the command on the right",
    "|&": "pipe output and errors into the next command",
    "&&": "and then: run what follows only if the command before succeeded",
    "||": "or else: run what follows only if the command before failed",
    ";": "then: run what follows after the command before finishes, whatever its result",
    "&": "run the command before in the background, without waiting for it",
    "\n": "then (a new line)",
    ";;": "end of this case branch",
    ";&": "end of this case branch: go on into the next one",
    ";;&": "end of this case branch: go on testing the next patterns",
}

_KEYWORDS = {
    "for": "loop: repeat the body once for each item",
    "select": "menu: ask the user to pick one of the items, then run the body",
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
    "[[": "test a condition: succeeds when it holds",
    "]]": "end of the test",
    "[": "test a condition (the [ command): succeeds when it holds",
    "]": "end of the test",
}

# A `;` or new line right after these, or right before those, only separates.
_OPENERS = {"do", "then", "else", "{", "in"}
_CLOSERS = {"do", "done", "then", "fi", "elif", "else", "esac", "}"}

# Words bash reserves: as the first word of a command they are a syntax error, never a program.
_RESERVED = {"then", "do", "done", "fi", "elif", "else", "esac", "in", "}", ";;"}

_TESTS = {
    "-e": "true if the path exists",
    "-f": "true if it is a regular file",
    "-d": "true if it is a directory",
    "-L": "true if it is a symbolic link",
    "-h": "true if it is a symbolic link",
    "-r": "true if you may read it",
    "-w": "true if you may write it",
    "-x": "true if you may run it",
    "-s": "true if the file is not empty",
    "-z": "true if the text is empty",
    "-n": "true if the text is not empty",
    "-v": "true if the variable is set",
    "=": "true if the two sides are equal",
    "==": "true if the left side matches the pattern on the right",
    "!=": "true if the left side does not match",
    "=~": "true if the left side matches the regular expression on the right",
    "-eq": "true if the numbers are equal",
    "-ne": "true if the numbers differ",
    "-lt": "true if the left number is smaller",
    "-le": "true if the left number is smaller or equal",
    "-gt": "true if the left number is larger",
    "-ge": "true if the left number is larger or equal",
    "-nt": "true if the left file is newer",
    "-ot": "true if the left file is older",
    "<": "true if the left text sorts first",
    ">": "true if the left text sorts last",
    "&&": "and: both conditions must hold",
    "||": "or: either condition may hold",
    "-a": "and: both conditions must hold",
    "-o": "or: either condition may hold",
    "!": "negate the condition",
}

_REDIRECTS = {"file_redirect", "heredoc_redirect", "herestring_redirect"}
_SUBSTITUTIONS = {"command_substitution", "process_substitution"}
_WORDS = {"word", "string", "raw_string", "concatenation", "simple_expansion", "expansion", "number",
          "ansi_c_string", "translated_string", "command_substitution", "process_substitution",
          "arithmetic_expansion", "brace_expression", "extglob_pattern", "regex", "special_variable_name"}


class _Walker:
    """Walks one tree-sitter tree (of `source`) and records parts, reads and changes in `out`."""

    def __init__(self, out: Explanation, source: bytes, commands: SimpleCommand) -> None:
        self.out = out
        self.src = source
        self.commands = commands
        self.level = 0

    def add(self, text: str, role: str, meaning: str, depth: int) -> None:
        self.out.add(text, role, meaning, depth)

    def text(self, node: Any) -> str:
        return shell_syntax.node_text(node, self.src)

    def value(self, node: Any) -> str:
        return shell_syntax.word_value(node, self.src)

    # ------------------------------------------------------------------------------------- statements

    def statement(self, node: Any, depth: int) -> None:
        self.level += 1
        try:
            if self.level > MAX_DEPTH:
                note = "the command is nested too deeply to break down completely"
                if note not in self.out.notes:
                    self.out.notes.append(note)
                return
            self._statement(node, depth)
        finally:
            self.level -= 1

    def _statement(self, node: Any, depth: int) -> None:
        kind = node.type
        handler = self._HANDLERS.get(kind)
        if handler is not None:
            handler(self, node, depth)
        elif kind in _WORDS:
            self.word(node, depth)
        elif kind in _REDIRECTS:
            self.redirect(node, depth)
        elif kind.endswith("_expression") or kind == "test_operator":
            self.condition(node, depth)
        elif kind not in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            self.generic(node, depth)

    def generic(self, node: Any, depth: int) -> None:
        """Children in order: statements are walked, operators and keywords explained."""
        for child in node.children:
            if child.is_named:
                self.statement(child, depth)
            else:
                self.token(child.type, depth, before=child.next_sibling)

    def token(self, token: str, depth: int, meaning: str | None = None, before: Any = None) -> None:
        if token in _OPERATORS:
            if token in (";", "\n") and self._between_keywords(before):
                return  # `for x in a; do`, `if c; then`: the separator next to a keyword says nothing
            self.add(token.replace("\n", "\\n"), "operator", meaning or _OPERATORS[token], depth)
        elif token in _KEYWORDS:
            self.add(token, "keyword", meaning or _KEYWORDS[token], depth)

    def _between_keywords(self, following: Any) -> bool:
        parts = self.out.parts
        if parts and parts[-1].role == "keyword" and parts[-1].text in _OPENERS:
            return True
        while following is not None and following.is_named and following.children:
            following = following.children[0]
        return following is not None and not following.is_named and following.type in _CLOSERS

    def list_(self, node: Any, depth: int) -> None:
        """`a && b || c ...` nests one level per operator: flattened, so long lists do not recurse."""
        chain = [node]
        while chain[-1].children and chain[-1].children[0].type == "list":
            chain.append(chain[-1].children[0])
        innermost = chain[-1]
        for current in reversed(chain):
            for child in current.children if current is innermost else current.children[1:]:
                if child.is_named:
                    self.statement(child, depth)
                else:
                    self.token(child.type, depth)

    def error(self, node: Any, depth: int) -> None:
        if not any(note.startswith(_SYNTAX_NOTE) for note in self.out.notes):
            self.out.notes.append(f"{_SYNTAX_NOTE} (near {self.text(node).strip()[:30]!r}); explained as well as caro can")
        if not node.children:  # text the parser could not place: an unclosed quote, a stray operator
            self.add(self.text(node).strip(), "argument", "text the shell cannot read as written", depth)
        self.generic(node, depth)

    def for_loop(self, node: Any, depth: int) -> None:
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "variable":
                name = self.text(child)
                self.add(name, "argument", f"the loop variable: ${name} holds each item in turn", depth)
            elif child.is_named:
                self.statement(child, depth)
            else:
                self.token(child.type, depth, before=child.next_sibling)

    def c_style_for(self, node: Any, depth: int) -> None:
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        header = self.src[node.start_byte:end].decode("utf-8", "surrogatepass").rstrip(" ;\n")
        self.add(header, "keyword", "loop: set up, then repeat the body while the middle condition holds, "
                 "running the last part after each round", depth)
        if body is not None:
            self.statement(body, depth)

    def compound(self, node: Any, depth: int) -> None:
        if node.children and node.children[0].type == "((":
            self.add(self.text(node), "keyword", "arithmetic: compute, and succeed when the result is not zero", depth)
            return
        self.generic(node, depth)

    def case(self, node: Any, depth: int) -> None:
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "value":
                self.add(self.value(child), "argument", f"the word matched: {describe_operand(self.value(child))}", depth)
                self.substitutions(child, depth + 1)
            elif child.is_named:
                self.statement(child, depth)
            elif child.type == "in":
                self.token("in", depth, "the patterns to match follow")
            else:
                self.token(child.type, depth)

    def case_item(self, node: Any, depth: int) -> None:
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "value":
                self.add(self.value(child), "argument", "a pattern: the commands after it run when the word matches", depth)
            elif child.type == "|":
                self.token("|", depth, "or: either pattern")
            elif child.is_named:
                self.statement(child, depth)
            elif child.type != ")":
                self.token(child.type, depth)

    def function(self, node: Any, depth: int) -> None:
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "name":
                self.add(self.text(child), "keyword", "define a shell function with this name", depth)
            elif field == "body":
                self.statement(child, depth + 1)
            elif child.type == "function":
                self.token("function", depth)

    def test(self, node: Any, depth: int) -> None:
        for child in node.children:
            if child.is_named:
                self.condition(child, depth)
            else:
                self.token(child.type, depth)

    def condition(self, node: Any, depth: int) -> None:
        """Inside [[ ]] and [ ]: tests, comparisons, `&&`, `||`, `!` and their operands."""
        kind = node.type
        if kind == "test_operator" or (not node.is_named and node.type in _TESTS):
            op = self.text(node)
            self.add(op, "operator" if op in ("&&", "||", "-a", "-o", "!") else "flag",
                     _TESTS.get(op, "a test"), depth)
        elif kind in ("regex", "extglob_pattern"):
            what = "a regular expression" if kind == "regex" else "a pattern"
            self.add(self.text(node), "argument", what, depth)
        elif kind in _WORDS:
            self.word(node, depth)
        else:
            for child in node.children:
                if child.type in ("(", ")"):
                    continue
                self.condition(child, depth)

    # --------------------------------------------------------------------------------------- commands

    def redirected(self, node: Any, depth: int) -> None:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c.type in _REDIRECTS]
        if body is not None and body.type == "command":
            self.command(body, depth, redirects)
            return
        if body is not None:
            self.statement(body, depth)
        for child in redirects:
            self.redirect(child, depth)

    def command(self, node: Any, depth: int, outer: list[Any] | None = None) -> None:
        words: list[Any] = []
        assignments: list[Any] = []
        redirects: list[Any] = []
        inner: list[Any] = []
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                assignments.append(child)
            elif kind in _REDIRECTS:
                redirects.append(child)
            elif kind == "command_name":
                words.append(child.named_children[0] if child.named_children else child)
            elif kind in _WORDS:
                words.append(child)
            elif child.is_named and kind != "comment":
                inner.append(child)  # `sudo (rm x)`: a subshell where a word was expected
        redirects += outer or []
        for red in redirects:  # `echo a > f b`: words after a redirection's target are arguments
            if red.type == "file_redirect":
                words += red.children_by_field_name("destination")[1:]
        for child in assignments:
            self.assignment(child, depth, "for this command only" if words else "in the shell")
        values = [self.value(w) for w in words]
        if values and values[0] in _RESERVED:
            self.out.notes.append(f"unexpected '{values[0]}': the command is not valid shell syntax")
            for value in values:
                self.add(value, "keyword" if value in _KEYWORDS else "argument",
                         _KEYWORDS.get(value, describe_operand(value)), depth)
        elif values:
            self.commands.explain(values, depth)
        for child in words:  # the commands inside $(...) and <(...) run too: one level deeper
            self.substitutions(child, depth + 1)
        for child in inner:
            self.statement(child, depth + 1)
        for child in redirects:
            self.redirect(child, depth)

    def declaration(self, node: Any, depth: int) -> None:
        """export, local, declare, readonly, typeset, unset: a builtin with its words."""
        words = [self.text(node.children[0])]
        for child in node.named_children:
            words.append(self.value(child) if child.type in _WORDS else self.text(child))
        self.commands.explain(words, depth)
        for child in node.named_children:
            self.substitutions(child, depth + 1)

    def assignment(self, node: Any, depth: int, scope: str = "in the shell") -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        shown = self.value(value) if value is not None else ""
        label = self.text(name) if name is not None else self.text(node)
        self.add(self.text(node), "assignment", f"set variable {label} to '{shown}' {scope}", depth)
        if value is not None:
            self.substitutions(value, depth + 1)

    def assignments(self, node: Any, depth: int) -> None:
        for child in node.named_children:
            self.statement(child, depth)

    def word(self, node: Any, depth: int) -> None:
        value = self.value(node)
        self.add(value, "argument", describe_operand(value), depth)
        self.substitutions(node, depth + 1)

    def substitutions(self, node: Any, depth: int) -> None:
        """Explain the commands that $(...), `...`, <(...) and >(...) inside `node` run."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in _SUBSTITUTIONS:
                for child in current.named_children:
                    self.statement(child, depth)
                continue
            stack.extend(reversed(current.children))

    # ------------------------------------------------------------------------------------ redirections

    def redirect(self, node: Any, depth: int) -> None:
        if node.type == "herestring_redirect":
            words = node.named_children
            self.add("<<<" + (self.value(words[-1]) if words else ""), "redirect",
                     "here-string: the text is given as input", depth)
            if words:
                self.substitutions(words[-1], depth + 1)
        elif node.type == "heredoc_redirect":
            self.heredoc(node, depth)
        else:
            self.file_redirect(node, depth)

    def heredoc(self, node: Any, depth: int) -> None:
        op = next((c.type for c in node.children if not c.is_named), "<<")
        start = next((c for c in node.named_children if c.type == "heredoc_start"), None)
        delimiter = self.value(start).strip("'\"") if start is not None else ""
        self.add(f"{op}{delimiter}", "redirect", f"here-document: the lines up to '{delimiter}' are given as input", depth)
        for child in node.named_children:
            if child.type in _REDIRECTS:
                self.redirect(child, depth)
            elif child.type == "heredoc_body":
                self.substitutions(child, depth + 1)  # unquoted delimiter: $(...) in the text runs
            elif child.type not in ("heredoc_start", "heredoc_end"):
                self.statement(child, depth)  # `cat <<EOF | grep x`: the rest of the line

    def file_redirect(self, node: Any, depth: int) -> None:
        fd_node = node.child_by_field_name("descriptor")
        fd = self.text(fd_node) if fd_node is not None else ""
        op = next((c.type for c in node.children if not c.is_named), ">")
        dests = node.children_by_field_name("destination")
        target = self.value(dests[0]) if dests else ""
        text = f"{fd}{op}{target}"
        if dests:
            self.substitutions(dests[0], depth + 1)
        source = int(fd) if fd.isdigit() else None
        if op in ("<", "<>"):
            self.add(text, "redirect", f"read input from {target}", depth)
            self.out.read(target)
            if op == "<>":
                self.out.change(f"{target} (opened for writing)")
            return
        if op in (">&", "<&") and (target.isdigit() or target == "-"):
            what = "errors (stream 2)" if source == 2 else f"stream {source if source is not None else 1}"
            if target == "-":
                self.add(text, "redirect", f"close {what}", depth)
                return
            dest = {"1": "the output (stream 1)", "2": "errors (stream 2)"}.get(target, f"stream {target}")
            self.add(text, "redirect", f"send {what} to the same place as {dest}", depth)
            return
        stream = {2: "errors", None: "output", 1: "output"}.get(source, f"stream {source}")
        if op in ("&>", ">&", "&>>"):
            stream = "output and errors"
        if target == "/dev/null":
            self.add(text, "redirect", f"discard the {stream}", depth)
            return
        if op in (">>", "&>>"):
            self.add(text, "redirect", f"append the {stream} to {target} (creates it if missing)", depth)
            self.out.change(f"{target} (appended to)")
            return
        self.add(text, "redirect", f"write the {stream} to {target}, replacing what it held", depth)
        self.out.change(f"{target} (overwritten)")

    _HANDLERS: dict[str, Callable[[_Walker, Any, int], None]] = {
        "list": list_,
        "ERROR": error,
        "for_statement": for_loop,
        "c_style_for_statement": c_style_for,
        "compound_statement": compound,
        "case_statement": case,
        "case_item": case_item,
        "function_definition": function,
        "test_command": test,
        "redirected_statement": redirected,
        "command": command,
        "declaration_command": declaration,
        "unset_command": declaration,
        "variable_assignment": assignment,
        "variable_assignments": assignments,
    }


def _explain_script(out: Explanation, text: str, depth: int, commands: SimpleCommand) -> None:
    """Parse `text` with tree-sitter-bash and walk it; ImportError or TimeoutError when it cannot."""
    source = shell_syntax.encode(text)
    tree = shell_syntax.parse_bytes(source)
    walker = _Walker(out, source, commands)
    for child in tree.root_node.children:
        if child.is_named:
            walker.statement(child, depth)
        else:
            walker.token(child.type, depth)


def _by_words(text: str, commands: SimpleCommand) -> None:
    import shlex

    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if words:
        commands.explain(words, 0)


def _commands(out: Explanation) -> SimpleCommand:
    """The simple-command explainer for `out`; code in strings (`sh -c '...'`) is parsed again."""

    def run_script(script: str, depth: int) -> None:
        try:
            _explain_script(out, script, depth, commands)
        except (ImportError, TimeoutError):
            out.notes.append(f"could not break down the inner script: {script}")

    commands = SimpleCommand(out, run_script)
    return commands


def explain(
    command: str,
    *,
    shell: str = "bash",
    mode: str = "moderate",
    check: Callable[[str], Verdict] | None = None,
) -> Explanation:
    """Break `command` into parts and judge it. Works offline; never raises for odd shell syntax."""
    result = Explanation(command.strip())
    text = result.command
    if text:
        commands = _commands(result)
        try:
            _explain_script(result, text, 0, commands)
        except ImportError:
            result.notes.append("the shell parser (tree-sitter-bash) is not installed; split by words instead")
            _by_words(text, commands)
        except TimeoutError:
            result.notes.append("the command is too convoluted to parse in time; split by words instead")
            _by_words(text, commands)
        except RecursionError:
            result.notes.append("the command is nested too deeply to break down")
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
