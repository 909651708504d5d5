"""PowerShell and cmd.exe command lines, split into simple commands for the same rules.

No maintained Python parser exists for either language, so this is a careful tokeniser: quotes
('…', "…" with backtick escapes in PowerShell, "…" with ^ escapes in cmd), statement separators, pipes,
script blocks and subexpressions (whose contents are parsed as commands too, since they usually run).
PowerShell aliases (rm, del, rd, iex, iwr …) are resolved to the cmdlets they name.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety.model import Command, LazyPattern, Redirect, Script

ALIASES = {
    "rm": "remove-item", "del": "remove-item", "erase": "remove-item", "rd": "remove-item", "rmdir": "remove-item",
    "ri": "remove-item", "iex": "invoke-expression", "iwr": "invoke-webrequest", "irm": "invoke-restmethod",
    "curl": "invoke-webrequest", "wget": "invoke-webrequest", "saps": "start-process", "start": "start-process",
    "kill": "stop-process", "spps": "stop-process", "mv": "move-item", "move": "move-item", "mi": "move-item",
    "cp": "copy-item", "copy": "copy-item", "cpi": "copy-item", "ls": "get-childitem", "dir": "get-childitem",
    "gci": "get-childitem", "cat": "get-content", "gc": "get-content", "type": "get-content",
    "echo": "write-output", "write": "write-output", "icm": "invoke-command", "sc": "set-content",
    "ni": "new-item", "clc": "clear-content", "clear-content": "clear-content", "ac": "add-content",
}

_CLOSE = {"(": ")", "{": "}", "[": "]"}


class _Lexer:
    """cmd.exe and PowerShell words, operators, redirections, and the contents of blocks and subexpressions."""

    def __init__(self, text: str, shell: str) -> None:
        self.text = text
        self.ps = shell == "powershell"
        self.escape = "`" if self.ps else "^"
        self.out: list[tuple[str, str]] = []
        self.blocks: list[str] = []
        self.word: list[str] = []
        self.quoted = False

    def end_word(self) -> None:
        if self.word or self.quoted:
            self.out.append(("word", "".join(self.word)))
        self.word.clear()
        self.quoted = False

    def comment(self, i: int) -> int:
        text, n = self.text, len(self.text)
        if text.startswith("<#", i - 1):
            close = text.find("#>", i)
            return n if close < 0 else close + 2
        close = text.find("\n", i)
        return n if close < 0 else close

    def here_string(self, i: int) -> int:
        close = self.text.find(self.text[i + 1] + "@", i + 3)
        close = len(self.text) if close < 0 else close
        self.word.append(self.text[i + 3:close])
        self.quoted = True
        return close + 2

    def single_quoted(self, i: int) -> int:
        text, n = self.text, len(self.text)
        j = i + 1
        buf = []
        while j < n:
            if text[j] == "'" and text[j + 1:j + 2] == "'":
                buf.append("'")
                j += 2
                continue
            if text[j] == "'":
                break
            buf.append(text[j])
            j += 1
        self.word.append("".join(buf))
        self.quoted = True
        return j + 1

    def double_quoted(self, i: int) -> int:
        text, n = self.text, len(self.text)
        j = i + 1
        buf = []
        while j < n and text[j] != '"':
            if text[j] == self.escape and self.ps and j + 1 < n:
                buf.append(text[j + 1])
                j += 2
                continue
            if self.ps and text.startswith("$(", j):
                close = _balanced(text, j + 1)
                self.blocks.append(text[j + 2:close])
                buf.append(text[j:close + 1])
                j = close + 1
                continue
            buf.append(text[j])
            j += 1
        self.word.append("".join(buf))
        self.quoted = True
        return j + 1

    def block(self, i: int) -> int:
        start = i + 1 if self.text[i] == "$" else i
        close = _balanced(self.text, start)
        self.blocks.append(self.text[start + 1:close])
        self.word.append(self.text[i:close + 1])
        return close + 1

    def operator(self, i: int) -> int:
        self.end_word()
        text = self.text
        op = text[i:i + 2] if text[i:i + 2] in ("&&", "||") else text[i]
        if self.ps and op == "&" and (not self.out or self.out[-1][0] == "op"):
            return i + 1  # call operator: `& "C:\tool.exe" args`
        self.out.append(("op", op))
        return i + len(op)

    def redirect(self, i: int) -> int:
        self.end_word()
        j = i
        while j < len(self.text) and self.text[j] in "0123456789*<>&":
            j += 1
        self.out.append(("redir", self.text[i:j]))
        return j

    def step(self, i: int) -> int:
        """Consume what starts at `i`; return where the next token starts."""
        text, ps, ch = self.text, self.ps, self.text[i]
        nxt = text[i + 1:i + 2]
        if ch == self.escape and i + 1 < len(text):
            self.word.append(nxt if nxt != "\n" else "")
            return i + 2
        if ps and ch == "#" and not self.word:
            return self.comment(i)
        if ps and ch == "@" and nxt in ("'", '"') and text[i + 2:i + 3] == "\n":
            return self.here_string(i)
        if ch == "'" and ps:
            return self.single_quoted(i)
        if ch == '"':
            return self.double_quoted(i)
        if ps and (ch == "{" or (ch == "(" and not self.word) or (ch == "$" and nxt == "(")):
            return self.block(i)
        if ch in " \t":
            self.end_word()
            return i + 1
        if ch in "\n;|&" or (not ps and ch in "()"):
            return self.operator(i)
        if ch in "<>" or (ch in "0123456789*" and nxt == ">" and not self.word):
            return self.redirect(i)
        self.word.append(ch)
        return i + 1


def _tokens(text: str, shell: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, text) tokens: word, op, redir; and the contents of {…}, $(…) and (…) blocks."""
    lexer = _Lexer(text, shell)
    i = 0
    while i < len(text):
        i = lexer.step(i)
    lexer.end_word()
    return lexer.out, lexer.blocks


def _balanced(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start` (or the end of text)."""
    opener = text[start]
    closer = _CLOSE.get(opener, ")")
    depth = 0
    quote = ""
    for j in range(start, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return j
    return len(text)


def parse_into(text: str, shell: str, script: Script, via: tuple[str, ...], parent: Command | None,
               nest: int) -> list[Command]:
    """Split a PowerShell or cmd line into commands and add them (with what they run) to `script`."""
    from caro.safety.parse import MAX_NESTING, add_command

    if nest > MAX_NESTING:
        script.problems.append("commands nested too deeply inside strings are not followed")
        return []
    before = len(script.commands)
    if shell == "powershell":
        from caro.safety import powershell

        if powershell.parse_into(text, script, via, parent, nest):
            return script.commands[before:]
    if shell == "cmd":
        loop = _CMD_FOR.match(text)
        if loop is not None:
            return _cmd_for(loop, script, via, parent, nest)
    tokens, blocks = _tokens(text, shell)
    if nest == 0:
        script.statements += 1 + sum(1 for kind, tok in tokens if kind == "op" and tok in ("\n", ";"))
    words: list[str] = []
    redirects: list[Redirect] = []
    feed: list[Command] = list(parent.upstream) if parent else []
    pending: str | None = None

    def flush(piped: bool) -> None:
        nonlocal feed
        if words and words[0].startswith("@") and shell == "cmd":
            words[0] = words[0][1:]
        if words and shell == "cmd":
            words[:] = cmd_words(words)
        if words:
            argv = list(words)
            if shell == "powershell":
                argv[0] = ALIASES.get(argv[0].lower(), argv[0])
            cmd = Command(argv=argv, text=" ".join(words), via=via, upstream=list(feed), windows=True,
                          redirects=list(redirects))
            if shell == "cmd" and rx.search(r"%[^%\s]+%|![^!\s]+!", argv[0]):
                cmd.dynamic = True  # `!x! /s /q C:\`, `%p% …`: a program name that is only known when it runs
            made = add_command(cmd, script, nest)
            feed = feed + made if piped else []
        elif not piped:
            feed = []
        words.clear()
        redirects.clear()

    for kind, tok in tokens:
        if pending is not None and kind == "word":
            if ">" in pending and not tok.startswith("&"):
                red = Redirect(pending, tok, f"{pending} {tok}")
                redirects.append(red)
                script.redirects.append(red)
            pending = None
            continue
        if kind == "redir":
            pending = tok if not tok.endswith("&") else None
            if ">" in tok and tok[-1:].isdigit():
                pending = None
            continue
        if kind == "op":
            flush(piped=tok == "|")
            continue
        words.append(tok)
    flush(piped=False)
    for block in blocks:
        if block.strip():
            parse_into(block, shell, script, (*via, "{…}"), parent, nest + 1)
    return script.commands[before:]


# ----- cmd.exe's own word rules -------------------------------------------------------------------------------
_CMD_BUILTINS = {"del", "erase", "rd", "rmdir", "md", "mkdir", "dir", "copy", "move", "type", "echo", "cd", "chdir",
                 "ren", "rename", "format", "start", "call", "cls", "set", "attrib", "xcopy", "robocopy", "takeown",
                 "icacls", "cmd", "shutdown", "taskkill", "reg", "net", "sc", "schtasks", "for", "if", "pushd", "popd"}
_CMD_FOR = LazyPattern(r"^\s*for\s+((?:/[rdlf]\s+)*)(?:(\"[^\"]*\"|[^%\s]\S*)\s+)?(%%?\w)\s+in\s*\(([^)]*)\)\s*do\s+(.+)$",
                      rx.IGNORECASE | rx.DOTALL)


def cmd_words(words: list[str]) -> list[str]:
    """cmd.exe's word rules: `del/s/q` is `del /s /q`, `%COMSPEC%` is cmd, `if exist X cmd` and `call cmd` run cmd."""
    words = list(words)
    while words:
        first = words[0]
        low = first.lower()
        if "/" in first and low.split("/", 1)[0] in _CMD_BUILTINS:
            head, rest = first.split("/", 1)
            words[:1] = [head] + ["/" + s for s in rest.split("/") if s]
            continue
        if low in ("%comspec%", "%systemroot%\\system32\\cmd.exe", "cmd.exe"):
            words[0] = "cmd"
        if low == "call" and len(words) > 1:
            words.pop(0)
            continue
        if low == "if" and len(words) > 1:
            words = _after_condition(words[1:])
            continue
        break
    out: list[str] = []
    for word in words:
        if rx.fullmatch(r"(?:/[A-Za-z?](?::\S*)?){2,}", word):
            out += ["/" + s for s in word.split("/") if s]  # /s/q is /s /q
        else:
            out.append(word)
    return out


def _after_condition(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) and words[i].lower() in ("/i", "not"):
        i += 1
    if i < len(words) and words[i].lower() in ("exist", "errorlevel", "defined", "cmdextversion"):
        return words[i + 2:]
    if i < len(words) and "==" in words[i] and not words[i].endswith("=="):
        return words[i + 1:]
    if i + 2 < len(words) and (words[i + 1] == "==" or words[i + 1].upper() in ("EQU", "NEQ", "LSS", "LEQ", "GTR", "GEQ")):
        return words[i + 3:]
    return words[i + 1:]


def _cmd_for(loop: rx.Match[str], script: Script, via: tuple[str, ...], parent: Command | None, nest: int) -> list[Command]:
    """`for /r C:\\ %f in (*) do del %f`: the body runs once per file found under the root."""
    from caro.safety.model import Found

    switches, root, var, items, body = loop.groups()
    recursive = "/r" in switches.lower()
    roots: tuple[str, ...] = (root.strip('"'),) if root and recursive else (".",)
    pattern = items.strip()
    narrowed = pattern not in ("*", "*.*", "")
    folders = [i.strip('"') for i in pattern.split() if "\\" in i or "/" in i or ":" in i]
    if not recursive and folders:  # `for /d %d in (C:\Users\*) do …`: the set names the folder it lists
        roots = tuple(rx.split(r"[\\/]", f.rstrip("\\/"))[0] + "\\" if rx.fullmatch(r"[A-Za-z]:[\\/]?[^\\/]*", f)
                      else rx.sub(r"[\\/][^\\/]*$", "", f) for f in folders)
        narrowed = any(rx.split(r"[\\/]", f)[-1] not in ("*", "*.*", "") for f in folders)
    before = len(script.commands)
    parse_into(body.replace(var, "{}"), "cmd", script, (*via, "for"), parent, nest + 1)
    made = script.commands[before:]
    for cmd in made:
        if "{}" in cmd.args or any("{}" in a for a in cmd.args):
            cmd.argv = [a if "{}" not in a else "{}" for a in cmd.argv]
            cmd.found = Found(roots, narrowed)
    return made
