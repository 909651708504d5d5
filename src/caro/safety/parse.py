"""Parse a command line into every simple command it will run, with tree-sitter-bash.

tree-sitter-bash is a maintained, complete bash grammar compiled to C: it parses 10 kB in a few
milliseconds, loads in about 2 ms, and recovers from syntax errors with a partial tree instead of giving
up (see docs/safety.md for the comparison with bashlex). Where the tree has errors, a shlex tokenisation
of the same text is judged too, so `rm -rf /` inside broken syntax is still seen.
"""

from __future__ import annotations

from caro import patterns as rx
from caro import shell_syntax
from caro.safety import wrappers
from caro.safety.model import CRITICAL, MODERATE, Command, Finding, LazyPattern, Redirect, Script

TYPE_CHECKING = False  # typing only for the type checker: it is not on the start path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_NESTING = 12  # bash -c inside eval inside $(…) …: deeper than this is not followed
MAX_TREE_DEPTH = 150

_WORDISH = {"word", "string", "raw_string", "concatenation", "simple_expansion", "expansion", "number",
            "ansi_c_string", "translated_string", "command_substitution", "process_substitution",
            "arithmetic_expansion", "brace_expression", "string_content", "special_variable_name"}
_ESC = LazyPattern(r"\\(.)", rx.DOTALL)
_DQ_ESC = LazyPattern(r"\\([$`\"\\\n])")
_ANSI_C = LazyPattern(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", rx.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f",
                   "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _first_group(match: rx.Match[str]) -> str:
    """What the template r"\\1" gives, without the `re` import a template costs."""
    return match.group(1)


def _ansi_c(body: str) -> str:
    def repl(m: rx.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "xuU":
            return chr(min(int(code[1:], 16), 0x10FFFF))
        if code[0] in "01234567":
            return chr(int(code, 8) & 0xFF)
        if code[0] == "c":
            return chr(ord(code[1]) & 0x1F)
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    return _ANSI_C.sub(repl, body)


_SOURCES = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "yash", "source", "."})
_LEAVES = {"word", "raw_string", "number", "ansi_c_string", "variable_name", "string_content"}
_STRAY_KEYWORDS = {"then", "do", "done", "fi", "else", "elif", "esac", "in", "}", "{", "!", ";;"}


class _Walker:
    """Walks one tree-sitter tree, adding every command found to `script`."""

    _HANDLERS: dict[str, Callable[[_Walker, Any, list[Command]], list[Command]]] = {}  # node type -> method (below)

    def __init__(self, source: bytes, script: Script, via: tuple[str, ...], env: dict[str, str], nest: int) -> None:
        self.src = source
        self.script = script
        self.via = via
        self.env = env
        self.nest = nest
        self.depth = 0
        self.pending_stdin: str | None = None  # here-doc text for the command about to be built
        self.tail: list[Command] = []  # commands of the last part of the latest list or pipeline

    # ----- text and words -------------------------------------------------------------------------
    def text(self, node: Any) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def value(self, node: Any) -> str:
        """The word as the shell passes it to the program: quotes removed, known variables expanded."""
        kind = node.type
        if kind == "word":
            word = self.text(node)
            return _ESC.sub(_first_group, word) if "\\" in word else word
        if kind == "raw_string":
            return self.text(node)[1:-1]
        if kind == "string":
            parts = []
            for child in node.children:
                if child.type == '"':
                    continue
                if child.type == "string_content":
                    content = self.text(child)
                    parts.append(_DQ_ESC.sub(_first_group, content) if "\\" in content else content)
                else:
                    parts.append(self.value(child))
            return "".join(parts)
        if kind == "ansi_c_string":
            return _ansi_c(self.text(node)[2:-1])
        if kind == "translated_string":
            return "".join(self.value(c) for c in node.named_children)
        if kind == "concatenation":
            return "".join(self.value(c) for c in node.children)
        if kind in ("simple_expansion", "expansion"):
            names = [c for c in node.named_children if c.type == "variable_name"]
            if self.text(node).startswith("${!"):
                return self.text(node)  # indirection: the value of a variable named by another, never known here
            if len(names) == 1 and len(node.named_children) == 1:
                known = self.env.get(self.text(names[0]))
                if known is not None:
                    return known
        return self.text(node)

    def unresolved(self, node: Any) -> bool:
        """True when the word's value depends on an expansion caro cannot know."""
        if node.type in ("command_substitution", "process_substitution", "arithmetic_expansion"):
            return True
        if node.type in ("simple_expansion", "expansion"):
            return self.value(node) == self.text(node)
        return any(self.unresolved(c) for c in node.named_children)

    # ----- substitutions --------------------------------------------------------------------------
    def substitutions(self, node: Any) -> list[Command]:
        """Commands run by $(…), `…`, <(…) and >(…) anywhere inside `node`."""
        if node.type in _LEAVES:
            return []
        found: list[Command] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in ("command_substitution", "process_substitution"):
                label = "<(…)" if current.type == "process_substitution" else "$(…)"
                inner = _Walker(self.src, self.script, (*self.via, label), self.env, self.nest + 1)
                inner.depth = self.depth
                for child in current.named_children:
                    found += inner.statement(child, [])
                continue
            stack.extend(reversed(current.children))
        return found

    # ----- statements -----------------------------------------------------------------------------
    def statement(self, node: Any, upstream: list[Command]) -> list[Command]:
        """Walk a statement; return the commands it runs (for pipeline plumbing)."""
        self.depth += 1
        try:
            if self.depth > MAX_TREE_DEPTH or self.nest > MAX_NESTING:
                self.script.too_deep = True
                self.script.problems.append("the command is nested too deeply to follow completely")
                self.script.findings.append(Finding(MODERATE, "The command is nested too deeply for caro to follow all of it."))
                return []
            return self._statement(node, upstream)
        finally:
            self.depth -= 1

    def _statement(self, node: Any, upstream: list[Command]) -> list[Command]:
        kind = node.type
        handler = self._HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, upstream)
        if kind in ("while_statement", "c_style_for_statement"):
            self.endless_spawner(node, upstream)
        if kind in ("comment", "heredoc_body", "heredoc_end", "heredoc_start"):
            return []
        if kind in _WORDISH or kind in ("test_command", "binary_expression", "unary_expression"):
            return self.substitutions(node)
        if kind == "ERROR":
            self.script.problems.append(f"caro could not parse part of it: {self.text(node)[:40]!r}")
        out = []
        for child in node.named_children:
            out += self.statement(child, upstream)
        return out

    def pipeline(self, node: Any, upstream: list[Command]) -> list[Command]:
        out: list[Command] = []
        feed = list(upstream)
        last: list[Command] = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            last = self.statement(child, feed)
            out += last
            feed = wrappers.trim_upstream(feed + last)
        self.tail = last
        return out

    def command_list(self, node: Any, upstream: list[Command]) -> list[Command]:
        # `a && b && c …` nests to the left, one level per operator: flatten it instead of recursing
        items: list[Any] = []
        current = node
        while True:
            named = [c for c in current.named_children if c.type != "comment"]
            if named and named[0].type == "list":
                items[:0] = named[1:]
                current = named[0]
                continue
            items[:0] = named
            break
        out: list[Command] = []
        last: list[Command] = []
        for child in items:
            last = self.statement(child, upstream)
            out += last
        self.tail = last
        return out

    def redirected(self, node: Any, upstream: list[Command]) -> list[Command]:
        body = node.child_by_field_name("body")
        if body is None:  # `> /etc/shadow` alone still truncates the file
            bare = Command(argv=[], text=self.text(node), via=self.via, upstream=list(upstream))
            self.script.commands.append(bare)
            cmds = [bare]
        else:
            if body.type == "command":
                self.pending_stdin = self.stdin_of(node)
            cmds = self.statement(body, upstream)
            self.pending_stdin = None
        # `a && b > f` and `a | b > f`: the redirection belongs to b alone
        targets = self.tail if body is not None and body.type in ("list", "pipeline") else cmds
        for child in node.children:
            if child is not body:
                cmds += self.redirect(child, targets)
        return cmds

    def assignment(self, node: Any, upstream: list[Command]) -> list[Command]:
        self.assign(node)
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is not None:
            setting = f"{self.text(name)}={self.value(value) if value is not None else ''}"
            self.add(Command(argv=["=", setting], text=self.text(node), via=self.via))
        return self.substitutions(node)

    def assignment_record(self, node: Any) -> list[Command]:
        """`GIT_SSH_COMMAND='rm -rf ~' git pull`: a prefix setting, kept so its value can be read as a command."""
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None or value is None or " " not in self.text(value):
            return []
        return self.add(Command(argv=["=", f"{self.text(name)}={self.value(value)}"], text=self.text(node), via=self.via))

    def declaration(self, node: Any, upstream: list[Command]) -> list[Command]:
        words = [self.text(c) for c in node.children]
        for child in node.named_children:
            if child.type == "variable_assignment":
                self.assign(child)
        argv = [words[0], *[self.value(c) if c.type in _WORDISH else self.text(c) for c in node.children[1:]]]
        cmd = Command(argv=argv, text=self.text(node), via=self.via, upstream=upstream)
        return [*self.substitutions(node), *self.add(cmd)]

    def for_loop(self, node: Any, upstream: list[Command]) -> list[Command]:
        """Walk the body once per literal value, so `for d in /; do rm -rf $d; done` is judged with d=/."""
        var = node.child_by_field_name("variable")
        values = node.children_by_field_name("value")
        body = node.child_by_field_name("body")
        out: list[Command] = []
        for value in values:
            out += self.substitutions(value)
        if body is None:
            return out
        name = self.text(var) if var is not None else ""
        if body is not None and any(c.type == "&" for c in body.children):
            count = rx.search(r"\bseq\s+(?:-?\d+\s+)*?(\d+)\s*\)|\{\d+\.\.(\d+)\}", " ".join(self.text(v) for v in values))
            if count is not None and int(count.group(1) or count.group(2)) >= 1000:
                self.script.findings.append(Finding(CRITICAL, f"{self.text(node)[:60]}: starts thousands of background "
                                                              "processes at once, which can freeze the machine."))
        literal = [self.value(v) for v in values if not self.unresolved(v)]
        rounds = literal[:4] if name and values and len(literal) == len(values) else [None]
        for value in rounds:
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
            out += self.statement(body, upstream)
        self.env.pop(name, None)
        return out

    def endless_spawner(self, node: Any, upstream: list[Command]) -> None:
        """`while :; do sleep 9 & done`: a loop that never ends and starts a background job each round."""
        body = next((c for c in node.children if c.type == "do_group"), None)
        if body is None or not any(c.type == "&" for c in body.children):
            return
        words = [self.text(c) for c in node.children if c.is_named and c.type != "do_group"]
        keyword = node.children[0].type if node.children else ""
        condition = " ".join(words).strip()
        endless = (node.type == "c_style_for_statement" and not condition) or (
            keyword == "while" and (rx.fullmatch(r":|true|\[\[? ?1 ?\]?\]|\(\(\s*1\s*\)\)|sleep [\d.]+|read(?: \w+)?", condition)
                                    is not None) and (not condition.startswith("read") or any(u.name == "yes" for u in upstream))
        ) or (keyword == "until" and condition == "false")
        if endless:
            self.script.findings.append(Finding(CRITICAL, f"{self.text(node)[:60]}: a loop without end that starts a "
                                                          "new background process every round: a fork bomb."))

    def assign(self, node: Any) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is not None and name.type == "variable_name":
            if value is None:
                self.env[self.text(name)] = ""
            elif not self.unresolved(value):
                self.env[self.text(name)] = self.value(value)
            else:
                self.env.pop(self.text(name), None)

    def stdin_of(self, node: Any) -> str | None:
        """The here-doc or here-string text among a statement's redirections."""
        for child in node.children:
            if child.type == "heredoc_redirect":
                body = next((c for c in child.named_children if c.type == "heredoc_body"), None)
                if body is not None:
                    return self.text(body)
            elif child.type == "herestring_redirect" and child.named_children:
                return self.value(child.named_children[-1])
        return None

    def function(self, node: Any, upstream: list[Command]) -> list[Command]:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        name = self.value(name_node) if name_node is not None else ""
        cmds = self.statement(body, upstream) if body is not None else []
        if name and any(c.name == name.lower() for c in cmds):
            body_text = self.text(body) if body is not None else ""
            if "&" in body_text or "|" in body_text:
                self.script.findings.append(Finding(
                    CRITICAL, f"{name}() starts copies of itself without end: a fork bomb, which freezes the machine."))
            else:
                self.script.findings.append(Finding(MODERATE, f"{name}() calls itself without end."))
        return cmds

    def command(self, node: Any, upstream: list[Command]) -> list[Command]:
        argv: list[str] = []
        subst: dict[int, list[Command]] = {}
        inner: list[Command] = []
        redirect_nodes = []
        dynamic = False
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                inner += self.substitutions(child)
                inner += self.assignment_record(child)
                continue
            if kind in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                redirect_nodes.append(child)
                continue
            if kind == "command_name":
                word = child.named_children[0] if child.named_children else child
                dynamic = self.unresolved(word)
                found = self.substitutions(word)
                if found:
                    subst[0] = found
                    inner += found
                argv.append(self.value(word))
                continue
            if not child.is_named or kind == "comment":
                continue
            if kind not in _WORDISH:  # `sudo (rm -rf /)`: tree-sitter keeps a subshell here; judge what is in it
                inner += self.statement(child, upstream)
            found = self.substitutions(child)
            if found:
                subst[len(argv)] = found
                inner += found
            value = self.value(child)
            if kind in ("simple_expansion", "expansion") and value != self.text(child):
                argv.extend(self.split_words(value))  # an unquoted variable splits into words: a='-rf /'; rm $a
            else:
                argv.append(value)
        if not argv:
            if redirect_nodes:  # `> /etc/shadow` alone still truncates the file
                bare = Command(argv=[], text=self.text(node), via=self.via, upstream=list(upstream))
                self.script.commands.append(bare)
                for child in redirect_nodes:
                    inner += self.redirect(child, [bare])
            return inner
        if argv and not dynamic and len(self.split_words(argv[0])) > 1 and node.child_by_field_name("name") is not None:
            name_word = node.child_by_field_name("name")
            if name_word is not None and name_word.named_children and name_word.named_children[0].type in (
                    "simple_expansion", "expansion"):
                argv = self.split_words(argv[0]) + argv[1:]  # c='rm -rf ~'; $c runs the words of c
        cmd = Command(argv=argv, text=self.text(node), via=self.via, upstream=list(upstream), subst=subst,
                      dynamic=dynamic, cwd=self.env.get("\0cwd"), stdin_text=self.stdin_of(node) or self.pending_stdin)
        if subst:
            cmd.resolved = {argv[i]: worst for i, found in subst.items() if 0 < i < len(argv) and (worst := _worst_value(found))}
        self.pending_stdin = None
        if argv[0] in _STRAY_KEYWORDS and node.child_by_field_name("name") is not None:
            # tree-sitter reads a misplaced `then`/`do`/`fi` as a command name; bash calls it a syntax error
            self.script.problems.append(f"unexpected '{argv[0]}': the command is not valid shell syntax")
        inner += self.remember(cmd) + self.text_it_runs(cmd)
        made = self.add(cmd)
        for child in redirect_nodes:
            made += self.redirect(child, [cmd])
        return [*inner, *made]

    def split_words(self, value: str) -> list[str]:
        """Word splitting of an unquoted expansion, by $IFS when the line sets it (`IFS=,; c='rm,-rf,/'; $c`)."""
        ifs = self.env.get("IFS")
        if ifs:
            return [w for w in rx.split("[" + rx.escape(ifs) + "]+", value) if w]
        return value.split()

    def remember(self, cmd: Command) -> list[Command]:
        """What this command tells the rest of the line: an alias it defines or uses, a `cd`."""
        argv = cmd.argv
        inner: list[Command] = []
        alias = self.env.get("\0alias:" + argv[0])
        if alias is not None and self.nest < MAX_NESTING:
            inner += self.nested(" ".join([alias, *argv[1:]]), f"alias {argv[0]}", "bash", cmd)
        if argv[0] == "alias":
            for word in argv[1:]:
                if "=" in word:
                    self.env["\0alias:" + word.split("=", 1)[0]] = word.split("=", 1)[1]
        if argv[0] in ("cd", "pushd") and len(argv) <= 2:
            target = argv[1] if len(argv) == 2 else "~"
            if target != "-":
                self.env["\0cwd"] = target  # unresolved `$DIR` stays as text: paths.scope() knows $HOME
        return inner

    def text_it_runs(self, cmd: Command) -> list[Command]:
        """Literal text a command runs as code: `$(echo rm -rf /)` as its name, `bash <(echo …)`."""
        argv, subst = cmd.argv, cmd.subst
        inner: list[Command] = []
        if argv[0] in _SOURCES:
            for i, word in enumerate(argv[1:], 1):
                if word.startswith("<(") and subst.get(i):
                    printed = wrappers.literal_stdin(Command(argv=["sh"], text="", upstream=subst[i][-1:]))
                    if printed:
                        inner += self.nested(printed, "<(…) output", "bash", cmd)
        if cmd.dynamic and subst.get(0):
            # `$(echo rm -rf /)` or `$(echo … | base64 -d)` as a command runs the words printed
            printed = wrappers.literal_stdin(Command(argv=["sh"], text="", upstream=subst[0][-1:]))
            if printed:
                inner += self.nested(" ".join([printed, *argv[1:]]), "$(…) output", "bash", cmd)
        return inner

    def redirect(self, node: Any, cmds: list[Command]) -> list[Command]:
        """Record a redirection on the commands it applies to; return commands it runs itself."""
        kind = node.type
        extra: list[Command] = []
        if kind == "file_redirect":
            dest = node.child_by_field_name("destination")
            ops = [c for c in node.children if not c.is_named]
            op = self.text(ops[0]) if ops else ""
            if dest is not None and dest.type != "number" and self.text(dest) != "-":
                target = self.value(dest)
                red = Redirect(op, target, self.text(node))
                self.script.redirects.append(red)
                for cmd in cmds:
                    cmd.redirects.append(red)
            if dest is not None:
                found = self.substitutions(dest)
                if op.startswith("<") and dest.type == "process_substitution":
                    for cmd in cmds:
                        cmd.upstream = cmd.upstream + found  # `sh < <(curl …)`: what it prints is sh's input
                extra += found
        elif kind == "herestring_redirect":
            words = [c for c in node.named_children]
            if words:
                for cmd in cmds:
                    cmd.stdin_text = self.value(words[-1])
                extra += self.substitutions(words[-1])
        elif kind == "heredoc_redirect":
            body = next((c for c in node.named_children if c.type == "heredoc_body"), None)
            if body is not None:
                text = self.text(body)
                for cmd in cmds:
                    cmd.stdin_text = text
                extra += self.substitutions(body)
            for child in node.named_children:
                if child.type in ("pipeline", "command", "list", "redirected_statement"):
                    extra += self.statement(child, list(cmds))
                elif child.type in ("file_redirect", "herestring_redirect"):
                    extra += self.redirect(child, cmds)
        return extra

    # ----- wrappers -------------------------------------------------------------------------------
    def add(self, cmd: Command) -> list[Command]:
        """Record a command and everything it runs through wrappers; return them all."""
        self.script.commands.append(cmd)
        self.script.known.add(id(cmd))
        made = [cmd]
        inners = wrappers.unwrap(cmd, self.nested)
        cmd.wrapped = any(not inner.guessed for inner in inners)  # a guess leaves the program judged as itself
        for inner in inners:
            if id(inner) in self.script.known:
                made.append(inner)  # parsed from a string: already recorded with what it runs
            elif inner.argv:
                made += self.add(inner)
        return made

    def nested(self, code: str, label: str, shell: str, parent: Command) -> list[Command]:
        """Parse code carried in a string (bash -c '…', eval, ssh host '…') as a script of its own."""
        if self.nest >= MAX_NESTING:
            self.script.problems.append("commands nested too deeply inside strings are not followed")
            self.script.findings.append(Finding(MODERATE, "Commands are nested too deeply inside strings for caro to follow."))
            return []
        via = (*parent.via, label)
        if shell in ("powershell", "cmd"):
            from caro.safety import windows

            return windows.parse_into(code, shell, self.script, via, parent, self.nest + 1)
        before = len(self.script.commands)
        parse_into(code, self.script, via, dict(self.env), self.nest + 1, upstream=parent.upstream)
        return self.script.commands[before:]


_LISTERS = {"find", "ls", "fd", "fdfind", "locate", "realpath", "readlink", "dirname", "echo", "printf", "pwd", "du",
            "git"}


_Walker._HANDLERS = {
    "command": _Walker.command, "pipeline": _Walker.pipeline, "list": _Walker.command_list,
    "redirected_statement": _Walker.redirected, "variable_assignment": _Walker.assignment,
    "declaration_command": _Walker.declaration, "unset_command": _Walker.declaration,
    "function_definition": _Walker.function, "for_statement": _Walker.for_loop,
}


def _worst_value(cmds: list[Command]) -> str | None:
    """The widest path a `$(…)` argument can stand for: what `echo` prints, the folders `find`/`ls` list,
    the parent `dirname` gives. None when caro cannot tell."""
    if not cmds:
        return None
    last = cmds[-1]
    if last.name not in _LISTERS:
        return None
    if last.name in ("echo", "printf"):
        printed = wrappers.literal_stdin(Command(argv=["sh"], text="", upstream=[last]))
        return printed.strip() if printed and printed.strip() else None
    if last.name == "pwd":
        return "."
    operands = [a for a in last.args if not a.startswith("-")]
    if last.name == "git":
        return "/" if "--show-toplevel" in last.args else None
    if last.name == "find":
        operands = [a for a in last.args[:next((i for i, a in enumerate(last.args) if a.startswith(("-", "(", "!"))),
                                                len(last.args))]] or ["."]
    path = last.resolved.get(operands[0], operands[0]) if operands else "."
    if last.name == "dirname":
        path = _parent(path)
    return path


def _parent(path: str) -> str:
    """The folder above `path`, as written: `~` → /home, `/home/x` → /home, `/x` → /."""
    text = path.rstrip("/")
    if text in ("~", "$HOME", "${HOME}") or (text.startswith(("~/", "$HOME/")) and text.count("/") == 1):
        return "/home" if text in ("~", "$HOME", "${HOME}") else "~"
    if "/" not in text:
        return "."
    return text.rsplit("/", 1)[0] or "/"


def add_command(cmd: Command, script: Script, nest: int) -> list[Command]:
    """Record a command found by another tokeniser (PowerShell, cmd, the fallback), unwrapping it too."""
    return _Walker(b"", script, cmd.via, {}, nest).add(cmd)


def parse_into(text: str, script: Script, via: tuple[str, ...], env: dict[str, str], nest: int,
               upstream: list[Command] | None = None, *, fallback_on_error: bool = True) -> bool:
    """Parse POSIX shell `text`, adding what it runs to `script`. Returns False when it has syntax errors."""
    source = shell_syntax.encode(text)
    try:
        tree = shell_syntax.parse_bytes(source)  # parses an ASCII-masked copy (see shell_syntax)
    except TimeoutError:
        script.problems.append("the command is too convoluted for caro to parse in time; caro used a rough split")
        fallback(text, script, via)
        return False
    except ImportError:
        script.problems.append("the shell parser (tree-sitter-bash) is not installed; caro used a rough split")
        fallback(text, script, via)
        return False
    root = tree.root_node
    walker = _Walker(source, script, via, env, nest)
    if nest == 0:
        script.statements += sum(1 for c in root.named_children if c.type != "comment")
    for child in root.named_children:
        walker.statement(child, list(upstream or []))
    if root.has_error:
        if not any("could not parse" in p for p in script.problems):
            script.problems.append("caro could not parse all of it as shell syntax")
        if fallback_on_error:
            fallback(text, script, via)
        return False
    return True


_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&", "{", "}", "\n"}
_KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac",
             "function", "!", "{", "}", "[[", "]]"}


def fallback(text: str, script: Script, via: tuple[str, ...]) -> None:
    """A rough split into commands with shlex: used where the real parse failed, so nothing slips by."""
    import shlex  # only here: not loaded for a command that parses

    lexer = shlex.shlex(text.replace("\n", " ; "), posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    tokens: list[str] = []
    try:
        for token in lexer:
            tokens.append(token)
    except ValueError:  # unbalanced quotes: keep what was read, then split the rest on spaces
        rest = text[len(" ".join(tokens)):]
        tokens += rest.split()
    words: list[str] = []
    redirects: list[Redirect] = []
    pending: str | None = None

    def flush() -> None:
        while words and words[0] in _KEYWORDS:
            words.pop(0)
        if words:
            cmd = Command(argv=list(words), text=" ".join(words), via=via, redirects=list(redirects))
            add_command(cmd, script, MAX_NESTING - 2)
        words.clear()
        redirects.clear()

    for token in tokens:
        if pending is not None:
            if "<" in pending or ">" in pending:
                red = Redirect(pending, token, f"{pending} {token}")
                redirects.append(red)
                script.redirects.append(red)
            pending = None
            continue
        if token and set(token) <= set("<>&") and ("<" in token or ">" in token):
            if words and words[-1].isdigit():
                words.pop()
            pending = token
            continue
        if token and set(token) <= set(";&|()"):
            flush()
            continue
        words.append(token)
    flush()


# A line of plain words: letters, digits and `_ . / : @ , + = -`, separated by blanks. None of those
# characters means anything to a POSIX shell, so the line is one simple command whose words are exactly its
# blank-separated fields (`ls -la`, `docker ps -a`, `du -h --max-depth=1`, `tail -n 20 logs/app.log`).
_PLAIN = LazyPattern(r"[\w./][\w./:,+-]*(?:[ \t]+[\w./:@,+=-]+)*", rx.ASCII)
# The first word is a program name or path: no `=` (`A=1 cmd` is an assignment), and neither `@` nor a
# leading `-`, which tree-sitter-bash reads as errors. Some first words make a plain line something other
# than a simple command (`export A=1` is a declaration, `then x` an error):
_NOT_PLAIN_FIRST = frozenset({"export", "declare", "typeset", "local", "readonly", "unset", "function", "select",
                              "coproc", "time", "case", "for", "while", "until", "if", "then", "else", "elif",
                              "fi", "do", "done", "esac", "in"})


def plain_words(text: str) -> list[str] | None:
    """The words of `text` when it is a line of plain words (above), else None."""
    line = text.strip(" \t")
    if not _PLAIN.fullmatch(line):
        return None
    words = line.split()
    if words[0] in _NOT_PLAIN_FIRST:
        return None
    return words


def parse(text: str, shell: str = "bash", *, fallback_on_error: bool = True) -> Script:
    """Every simple command `text` runs, in shell `shell` (bash, zsh, sh, fish, powershell, cmd)."""
    script = Script()
    words = plain_words(text) if shell not in ("powershell", "cmd") else None
    if words is not None:
        # the tree would hold one command of these words: the everyday case skips loading the parser
        script.statements = 1
        _Walker(b"", script, (), {}, 0).add(Command(argv=words, text=text.strip(" \t")))
    elif shell in ("powershell", "cmd"):
        from caro.safety import windows

        windows.parse_into(text, shell, script, (), None, 0)
    else:
        parse_into(text, script, (), {}, 0, fallback_on_error=fallback_on_error)
        if script.too_deep and fallback_on_error:
            fallback(text, script, ())  # what lies deeper than caro follows is still split and judged
    _feed_stdin_code(script)
    return script


def _written_files(script: Script) -> dict[str, str]:
    """Files the line itself writes with literal text: `echo 'rm -rf /' > x.sh`."""
    written: dict[str, str] = {}
    for cmd in script.commands:
        for red in cmd.redirects:
            if ">" not in red.op:
                continue
            text = None
            if cmd.name in ("echo", "printf") and cmd.args:
                text = wrappers.literal_stdin(Command(argv=["sh"], text="", upstream=[cmd]))
            elif cmd.name == "cat" and cmd.stdin_text is not None and not cmd.args:
                text = cmd.stdin_text
            if text:
                key = red.target.removeprefix("./")
                written[key] = written.get(key, "") + "\n" + text if ">>" in red.op else text
    return written


def _runs_file(cmd: Command) -> str | None:
    """The script file a command executes: `bash x.sh`, `. x.sh`, `./x.sh`."""
    if cmd.name in wrappers.SHELLS or cmd.name in ("source", ".") or wrappers.is_interpreter(cmd.name):
        has_c, i = wrappers.shell_code_option(cmd) if cmd.name in wrappers.SHELLS else (False, 1)
        operands = [a for a in cmd.argv[i:] if not a.startswith("-")]
        return None if has_c or not operands else operands[0].removeprefix("./")
    if cmd.argv and cmd.argv[0].startswith("./"):
        return cmd.argv[0][2:]
    return None


def _feed_stdin_code(script: Script) -> None:
    """Parse text that a pipeline or here-doc feeds into a shell (`echo 'rm -rf /' | sh`), and scripts the
    same line writes and then runs (`echo 'rm -rf /' > x.sh; bash x.sh`)."""
    written = _written_files(script) if any(c.redirects for c in script.commands) else {}
    i = 0
    while i < len(script.commands) and i < 2000:
        cmd = script.commands[i]
        i += 1
        if written and not cmd.windows and len(cmd.via) <= MAX_NESTING:
            target = _runs_file(cmd)
            if target is not None and target in written:
                parse_into(written[target], script, (*cmd.via, f"{target}, written by this line"), {},
                           len(cmd.via) + 1)
        if cmd.windows or not wrappers.reads_stdin_code(cmd) or len(cmd.via) > MAX_NESTING:
            continue
        text = wrappers.literal_stdin(cmd)
        if text:
            label = f"fed to {cmd.name}"
            if cmd.name in wrappers.POWERSHELLS or cmd.name in ("iex", "invoke-expression"):
                from caro.safety import windows

                windows.parse_into(text, "powershell", script, (*cmd.via, label), cmd, 1)
            elif cmd.name in wrappers.SHELLS or cmd.name in ("source", ".", "at", "batch"):
                parse_into(text, script, (*cmd.via, label), {}, len(cmd.via) + 1)
