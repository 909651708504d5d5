"""PowerShell command lines, parsed with tree-sitter-powershell into the simple commands they run.

The grammar gives pipelines, commands with their parameters and arguments, script blocks, `&`/`.`
invocation, assignments and .NET calls. On top of it caro resolves what PowerShell resolves at run time when
the text says so: aliases (built-in ones and those the line sets with Set-Alias), command names built from
string literals (`& ('Remove-'+'Item')`), variables assigned earlier in the line, and the items a
`ForEach-Object { $_.Delete() }` block acts on. .NET calls that delete, write or run
(`[IO.Directory]::Delete`, `[IO.File]::WriteAllText`, `[Diagnostics.Process]::Start`,
`[scriptblock]::Create(…)`) become the commands they amount to. A command name that stays computed is
judged by effects.py at its worst.
"""

from __future__ import annotations

from caro import patterns as rx
from caro import shell_syntax
from caro.safety.model import Command, Script

TYPE_CHECKING = False  # typing only for the type checker: it is not on the start path
if TYPE_CHECKING:
    from typing import Any

_ALIASES = {
    "rm": "remove-item", "del": "remove-item", "erase": "remove-item", "rd": "remove-item", "rmdir": "remove-item",
    "ri": "remove-item", "iex": "invoke-expression", "iwr": "invoke-webrequest", "irm": "invoke-restmethod",
    "curl": "invoke-webrequest", "wget": "invoke-webrequest", "saps": "start-process", "start": "start-process",
    "kill": "stop-process", "spps": "stop-process", "mv": "move-item", "move": "move-item", "mi": "move-item",
    "cp": "copy-item", "copy": "copy-item", "cpi": "copy-item", "ls": "get-childitem", "dir": "get-childitem",
    "gci": "get-childitem", "cat": "get-content", "gc": "get-content", "type": "get-content", "echo": "write-output",
    "write": "write-output", "icm": "invoke-command", "sc": "set-content", "ni": "new-item", "clc": "clear-content",
    "ac": "add-content", "%": "foreach-object", "foreach": "foreach-object", "?": "where-object", "where": "where-object",
    "gi": "get-item", "sal": "set-alias", "nal": "new-alias", "gcm": "get-command", "gps": "get-process",
    "ps": "get-process", "sls": "select-string", "cd": "set-location", "sl": "set-location", "h": "get-history",
    "cls": "clear-host", "gsv": "get-service", "spsv": "stop-service", "sajb": "start-job", "rni": "rename-item",
}
_ITEM_WORDS = {"$_", "$psitem", "$_.fullname", "$psitem.fullname", "$_.path", "$_.name"}
# .NET static calls -> (the command they amount to, which argument is the target)
_DOTNET = [
    (rx.compile(r"io\.directory\]::delete$"), "remove-item", True),
    (rx.compile(r"io\.file\]::delete$"), "remove-item", False),
    (rx.compile(r"io\.file\]::(?:writealltext|writeallbytes|writealllines|appendalltext|create|open)$"), "set-content", False),
    (rx.compile(r"io\.directory\]::move$|io\.file\]::move$"), "move-item", False),
]
_METHOD_ACTIONS = {"delete": "remove-item", "kill": "stop-process", "moveto": "move-item", "remove": "remove-item"}


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return rx.sub(r"`(.)", r"\1", text[1:-1])
    if text.startswith(("@'", '@"')) and text.endswith(("'@", '"@')):
        return text[2:-2].strip("\n")
    return text


class _Walker:
    def __init__(self, source: bytes, script: Script, via: tuple[str, ...], parent: Command | None, nest: int) -> None:
        self.src = source
        self.script = script
        self.via = via
        self.parent = parent
        self.nest = nest
        self.env: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.done: set[int] = set()
        self.made: list[Command] = []

    def text(self, node: Any) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # ----- values ----------------------------------------------------------------------------------------
    def literal(self, node: Any) -> str | None:
        """The value of a string literal, a concatenation of them, or a variable set earlier; else None."""
        text = self.text(node).strip()
        while text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        parts = rx.split(r"\s*\+\s*", text)
        out = []
        for part in parts:
            if rx.fullmatch(r"'(?:[^']|'')*'|\"[^\"$`]*\"", part):
                out.append(_unquote(part))
            elif rx.fullmatch(r"\$[\w:]+", part) and part.lower() in self.env:
                out.append(self.env[part.lower()])
            else:
                return None
        return "".join(out)

    def word(self, node: Any) -> str:
        text = self.text(node)
        if node.type in ("string_literal", "expandable_string_literal", "verbatim_string_characters"):
            return _unquote(text)
        if node.type == "array_literal_expression" and text.startswith(("'", '"')):
            return _unquote(text)
        return text

    # ----- walking -----------------------------------------------------------------------------------------
    def walk(self, root: Any) -> None:
        stack = [(root, list(self.parent.upstream) if self.parent else [], None)]
        while stack:
            node, upstream, items = stack.pop()
            kind = node.type
            if kind == "pipeline_chain":
                feed = list(upstream)
                for child in node.children:
                    if child.type == "command":
                        made = self.command(child, feed, items) if id(child) not in self.done else []
                        feed = feed + made
                        stack.extend((c, [], items) for c in reversed(child.children))
                    elif child.is_named:
                        self.expression(child, items)
                        stack.append((child, [], items))
                continue
            if kind == "command" and id(node) not in self.done:
                self.command(node, upstream, items)
            if kind == "assignment_expression":
                self.assign(node)
            if kind == "invokation_expression":
                self.expression(node, items)
            stack.extend((c, [], items) for c in reversed(node.children))

    def assign(self, node: Any) -> None:
        left = node.child_by_field_name("left") or (node.named_children[0] if node.named_children else None)
        right = node.named_children[-1] if node.named_children else None
        if left is None or right is None:
            return
        name = self.text(left).strip().lower()
        value = self.literal(right)
        if value is not None and name.startswith("$"):
            self.env[name] = value

    def command(self, node: Any, upstream: list[Command], items: list[Command] | None) -> list[Command]:
        self.done.add(id(node))
        name_node = next((c for c in node.children if c.type in ("command_name", "command_name_expr")), None)
        elements = next((c for c in node.children if c.type == "command_elements"), None)
        if name_node is None:
            return []
        dynamic = False
        if name_node.type == "command_name":
            name = _unquote(self.text(name_node))
        else:
            resolved = self.literal(name_node)
            name = resolved if resolved is not None else self.text(name_node)
            dynamic = resolved is None
        args: list[str] = []
        blocks: list[Any] = []
        for child in (elements.children if elements is not None else []):
            if child.type == "command_argument_sep" or not child.is_named:
                continue
            value = self.word(child)
            if "{" in value and child.type in ("array_literal_expression", "script_block_expression"):
                blocks.append(child)
            if value.lower() in _ITEM_WORDS:
                continue  # the piped item itself: the command then acts on what comes down the pipe
            args.append(value)
        low = name.lower()
        low = self.aliases.get(low, low)
        low = _ALIASES.get(low, low)
        if low in ("set-alias", "new-alias") and len(args) >= 2:
            pair = [a for a in args if not a.startswith("-")]
            if len(pair) >= 2:
                self.aliases[pair[0].lower()] = pair[1].lower()
        argv = [low if not dynamic else name, *args]
        piped = items if items is not None and not upstream else upstream
        cmd = Command(argv=argv, text=self.text(node), via=self.via, upstream=list(piped), windows=True,
                      dynamic=dynamic)
        made = self.add(cmd)
        if low in ("foreach-object", "where-object", "invoke-command", "start-job") or dynamic:
            for block in blocks:
                self.block(block, cmd.upstream if low in ("foreach-object", "where-object") else [])
        if dynamic:
            for arg in args:
                if " " in arg and not arg.startswith("{"):
                    self.nested(arg, f"{name} (computed, maybe Invoke-Expression)", cmd, guessed=True)
        return made

    def block(self, node: Any, items: list[Command]) -> None:
        """A script block run for each piped item: commands inside act on those items."""
        text = self.text(node).strip()
        for match in rx.finditer(r"\$(?:_|psitem)\.(\w+)\s*\(", text, rx.IGNORECASE):
            action = _METHOD_ACTIONS.get(match.group(1).lower())
            if action:
                cmd = Command(argv=[action, "-recurse"] if action == "remove-item" else [action],
                              text=text, via=(*self.via, "ForEach-Object"), upstream=list(items), windows=True)
                self.add(cmd)
        inner = _Walker(self.src, self.script, (*self.via, "{…}"), None, self.nest + 1)
        inner.env, inner.aliases, inner.done = self.env, self.aliases, self.done
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "pipeline_chain":
                feed: list[Command] = []
                for child in current.children:
                    if child.type == "command" and id(child) not in inner.done:
                        feed = feed + inner.command(child, feed, items)
                continue
            stack.extend(reversed(current.children))
        inner.walk(node)

    def expression(self, node: Any, items: list[Command] | None) -> None:
        """.NET calls and `.Invoke()` that delete, write or run something."""
        text = self.text(node)
        lowered = text.lower()
        call = rx.match(r"\s*\[([\w.]+)\]::(\w+)\s*\((.*)\)\s*$", text, rx.DOTALL | rx.IGNORECASE)
        if call is not None:
            key = f"{call.group(1).lower().removeprefix('system.')}]::{call.group(2).lower()}"
            arguments = [a.strip() for a in _split_args(call.group(3))]
            for pattern, action, recursive in _DOTNET:
                if pattern.search(key) and arguments:
                    target = _unquote(arguments[0])
                    argv = [action, target] + (["-recurse"] if recursive and len(arguments) > 1 and "true" in arguments[1].lower() else [])
                    self.add(Command(argv=argv, text=text, via=(*self.via, f"[{call.group(1)}]::{call.group(2)}"), windows=True))
            if key.endswith("process]::start") and arguments:
                program = _unquote(arguments[0])
                rest = " ".join(_unquote(a) for a in arguments[1:])
                self.nested(f"{program} {rest}", f"[{call.group(1)}]::Start", None, shell="cmd")
            if key.endswith("scriptblock]::create") and arguments:
                self.add(Command(argv=["invoke-expression", *[_unquote(a) for a in arguments]], text=text,
                                 via=(*self.via, "[scriptblock]::Create"), windows=True))
        elif "scriptblock]::create" in lowered or "invokecommand.invokescript" in lowered or \
                "newscriptblock" in lowered:
            self.add(Command(argv=["invoke-expression", text], text=text, via=(*self.via, "a script block built at run time"),
                             windows=True))

    # ----- recording -----------------------------------------------------------------------------------------
    def add(self, cmd: Command) -> list[Command]:
        from caro.safety.parse import add_command

        made = add_command(cmd, self.script, self.nest)
        self.made += made
        return made

    def nested(self, code: str, label: str, parent: Command | None, *, guessed: bool = False, shell: str = "powershell") -> None:
        from caro.safety import windows

        before = len(self.script.commands)
        windows.parse_into(code, shell, self.script, (*self.via, label), parent, self.nest + 1)
        if guessed:
            for cmd in self.script.commands[before:]:
                cmd.guessed = True


def _split_args(text: str) -> list[str]:
    """Split a .NET argument list on top-level commas."""
    out, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [o for o in out if o.strip()]


def parse_into(text: str, script: Script, via: tuple[str, ...], parent: Command | None, nest: int) -> bool:
    """Parse PowerShell `text` into `script`. False when tree-sitter-powershell is missing or gave up."""
    source = shell_syntax.encode(text)
    try:
        tree = shell_syntax.parse_powershell(source)
    except (ImportError, TimeoutError):
        return False
    walker = _Walker(source, script, via, parent, nest)
    if nest == 0:
        script.statements += sum(1 for c in tree.root_node.named_children if c.type != "comment")
    walker.walk(tree.root_node)
    if tree.root_node.has_error:
        script.problems.append("caro could not parse all of it as PowerShell")
    return True
