"""Commands hidden in options and scripts of programs that are not wrappers by trade.

`gdb -ex 'shell rm -rf ~'`, `vim -c ':!…'`, `git -c alias.x='!…' x`, `tar --to-command=…`, `rsync -e …`,
`ssh -o ProxyCommand=…`, `zip -TT …`, `sed 'e …'`, `man -P …`, `sqlite3 … '.shell …'`, `make -f /dev/stdin`,
`ansible -m shell -a …` all run a shell command given as text. Each entry below says where that text is; the
text is parsed and judged as if it had been typed. A program caro does not know at all is read the same way:
an argument that is a known program's name starts a command it may run (`sometool rm -rf ~`).
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety import knowledge
from caro.safety.model import HIGH, Command, LazyPattern

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

    Nested = Callable[[str, str, str, Command], list[Command]]


def _values(argv: list[str], names: tuple[str, ...]) -> list[str]:
    """Values of options `names` in `-x VALUE`, `-xVALUE` (one-letter), `--long=VALUE` or `--long VALUE` form."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        if not arg.startswith(("-", "/")):
            continue
        for name in names:
            if not arg.startswith(name):
                continue
            if arg == name:
                if i + 1 < len(argv):
                    out.append(argv[i + 1])
            elif name.startswith("--") and arg[len(name)] == "=":
                out.append(arg[len(name) + 1:])
            elif len(name) == 2 and not arg.startswith("--"):
                out.append(arg[2:])
    return out


def _shell_escape(text: str) -> str | None:
    """`shell cmd`, `!cmd`, `:!cmd`, `:call system('cmd')` → cmd."""
    body = text.strip().lstrip(":").strip()
    for prefix in ("shell ", "!", "sh ", "system ", "silent !", "silent! !", "r !", "r!", "w !", "w!", "exe '!"):
        if body.startswith(prefix):
            return body[len(prefix):].rstrip("'")
    match = rx.search(r"system\s*\(\s*['\"](.+?)['\"]\s*\)", body)
    return match.group(1) if match else None


def _gdb(cmd: Command) -> list[str]:
    return [c for v in _values(cmd.argv, ("-ex", "--ex", "-eval-command", "--eval-command", "-iex")) if (c := _shell_escape(v))]


def _vim(cmd: Command) -> list[str]:
    texts = _values(cmd.argv, ("-c", "--cmd")) + [a[1:] for a in cmd.argv[1:] if a.startswith("+") and len(a) > 1]
    return [c for t in texts if (c := _shell_escape(t))]


_GIT_CODE_KEYS = ("core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "sequence.editor",
                  "diff.external", "core.hookspath", "credential.helper", "gpg.program", "uploadpack.packobjectshook")


def _git(cmd: Command) -> list[str]:
    out: list[str] = []
    for value in _values(cmd.argv, ("-c",)):
        key, _, setting = value.partition("=")
        key = key.lower()
        if key.startswith("alias.") and setting.startswith("!"):
            out.append(setting[1:])
        elif key in _GIT_CODE_KEYS and setting:
            out.append(setting.lstrip("!"))
    return out


def _tar(cmd: Command) -> list[str]:
    out = _values(cmd.argv, ("--to-command", "--use-compress-program", "-I", "--rsh-command", "--info-script",
                             "--new-volume-script", "-F"))
    for action in _values(cmd.argv, ("--checkpoint-action",)):
        if action.startswith("exec="):
            out.append(action[5:])
    return out


def _rsync(cmd: Command) -> list[str]:
    return _values(cmd.argv, ("-e", "--rsh", "--rsync-path"))


def _ssh(cmd: Command) -> list[str]:
    out: list[str] = []
    for value in _values(cmd.argv, ("-o",)):
        key, setting = [*rx.split(r"[=\s]", value.strip(), maxsplit=1), ""][:2]
        if key.lower() in ("proxycommand", "localcommand", "knownhostscommand", "remotecommand") and setting:
            out.append(setting)
    return out


def _zip(cmd: Command) -> list[str]:
    return _values(cmd.argv, ("-TT", "--unzip-command"))


def _man(cmd: Command) -> list[str]:
    return _values(cmd.argv, ("-P", "--pager", "-H", "--html"))


def _sed(cmd: Command) -> list[str]:
    """GNU sed's `e` command and the `e` flag of `s///e` run shell commands."""
    scripts = _values(cmd.argv, ("-e", "--expression"))
    operands = [a for a in cmd.args if not a.startswith("-")]
    if not scripts and operands:
        scripts = operands[:1]
    out: list[str] = []
    for script in scripts:
        for part in rx.split(r"[;\n]", script):
            match = rx.match(r"^\s*(?:\d+|\$|/[^/]*/)?\s*e\s+(.+)$", part)
            if match:
                out.append(match.group(1))
            elif rx.match(r"^\s*(?:\d+|\$|/[^/]*/)?\s*s(.).*\1.*\1[gpiImM\d]*e[gpiImM\d]*\s*$", part):
                out.append("\0opaque")  # s/…/…/e runs the pattern space: text caro cannot see
    return out


def _sqlite(cmd: Command) -> list[str]:
    texts = list(cmd.args) + ([cmd.stdin_text] if cmd.stdin_text else [])
    out: list[str] = []
    for text in texts:
        for match in rx.finditer(r"^\s*\.(?:shell|system)\s+(.+)$", text, rx.MULTILINE):
            out.append(match.group(1))
    return out


def _sql_client(cmd: Command) -> list[str]:
    texts = list(cmd.args) + ([cmd.stdin_text] if cmd.stdin_text else [])
    out: list[str] = []
    for text in texts:
        for match in rx.finditer(r"\\!\s*(.+?)(?:;|$)|\bsystem\s+(.+?)(?:;|$)", text, rx.MULTILINE):
            out.append(match.group(1) or match.group(2))
    return out


def _make(cmd: Command) -> list[str]:
    from caro.safety.wrappers import literal_stdin

    files = _values(cmd.argv, ("-f", "--file", "--makefile"))
    text = literal_stdin(cmd)
    if not any(f in ("-", "/dev/stdin") for f in files) or not text:
        if any(f in ("-", "/dev/stdin") for f in files) and cmd.upstream:
            return ["\0opaque"]  # a makefile piped in from a command: its recipes are code caro cannot see
        return []
    out: list[str] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            out.append(line.strip().lstrip("@-+"))
        elif ":" in line and ";" in line.split(":", 1)[1]:
            out.append(line.split(":", 1)[1].split(";", 1)[1].strip())
    return out


def _less(cmd: Command) -> list[str]:
    out = []
    for arg in cmd.argv[1:]:
        if arg.startswith("+") and "!" in arg:
            out.append(arg.split("!", 1)[1])
    return out


def _ansible(cmd: Command) -> list[str]:
    modules = [m.lower() for m in _values(cmd.argv, ("-m", "--module-name"))]
    args = _values(cmd.argv, ("-a", "--args"))
    if not args:
        return []
    if any(m in ("shell", "command", "raw", "ansible.builtin.shell", "ansible.builtin.command", "script") for m in modules) or not modules:
        return args
    if any(m in ("file", "ansible.builtin.file") for m in modules):
        out = []
        for text in args:
            path = rx.search(r"(?:path|dest|name)=(\S+)", text)
            if path and "state=absent" in text:
                out.append(f"rm -rf {path.group(1)}")
        return out
    return []


def _find(cmd: Command) -> list[str]:
    return []  # find -exec is a wrapper (wrappers.py); -fprint is a write (rules.py)


def _hyperfine(cmd: Command) -> list[str]:
    values = ("-w", "--warmup", "-r", "--runs", "-m", "--min-runs", "-M", "--max-runs", "-s", "--setup", "-p",
              "--prepare", "-c", "--cleanup", "-n", "--command-name", "--export-json", "--export-markdown", "-u",
              "--time-unit", "-S", "--shell", "-P", "--parameter-scan", "-L", "--parameter-list", "--style")
    out = _values(cmd.argv, ("-s", "--setup", "-p", "--prepare", "-c", "--cleanup"))
    i = 1
    while i < len(cmd.argv):
        arg = cmd.argv[i]
        if arg in values:
            i += 2
            continue
        if not arg.startswith("-"):
            out.append(arg)
        i += 1
    return out


def _entr_watchexec(cmd: Command) -> list[str]:
    if cmd.name == "watchexec" and "--" not in cmd.argv:
        operands = [a for a in cmd.args if not a.startswith("-")]
        return operands[-1:]
    return _values(cmd.argv, ("-s", "--shell")) if cmd.name == "entr" else []


def _nodemon(cmd: Command) -> list[str]:
    return _values(cmd.argv, ("--exec", "-x"))


def _schtasks(cmd: Command) -> list[str]:
    return [v for v in _values([a.lower() if a.startswith("/") else a for a in cmd.argv], ("/tr",))]


def _forfiles(cmd: Command) -> list[str]:
    return _values([a.lower() if a.startswith("/") else a for a in cmd.argv], ("/c",))


def _crontab(cmd: Command) -> list[str]:
    """The commands of cron entries fed to `crontab -` (minute hour day month weekday command, or @reboot …)."""
    from caro.safety.wrappers import literal_stdin

    text = literal_stdin(cmd)
    out: list[str] = []
    for line in (text or "").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#") or rx.match(r"^\w+=", entry):
            continue
        fields = entry.split(None, 1 if entry.startswith("@") else 5)
        if len(fields) == (2 if entry.startswith("@") else 6):
            out.append(fields[-1])
    return out


def _expect(cmd: Command) -> list[str]:
    out: list[str] = []
    for code in _values(cmd.argv, ("-c",)):
        out += [m.group(1) for m in rx.finditer(r"\b(?:spawn|exec)\s+([^;\]\n]+)", code)]
    return out


def _emacs(cmd: Command) -> list[str]:
    out: list[str] = []
    for code in _values(cmd.argv, ("--eval", "-eval")):
        out += [m.group(1) for m in rx.finditer(r"\((?:shell-command|async-shell-command)\s+\"((?:[^\"\\]|\\.)*)\"", code)]
        if rx.search(r"\(\s*(?:call-process|start-process|delete-directory|delete-file)\b", code):
            out.append("\0opaque")
    return out


def _scp(cmd: Command) -> list[str]:
    return _ssh(cmd) + _values(cmd.argv, ("-S",))


def _make_shell(cmd: Command) -> list[str]:
    out = [a.split("=", 1)[1] for a in cmd.args if a.startswith(("SHELL=", ".SHELLFLAGS="))]
    return out + _make(cmd)


HIDDEN: dict[str, tuple[Callable[[Command], list[str]], str]] = {
    "gdb": (_gdb, "gdb -ex"), "vim": (_vim, "vim -c"), "vi": (_vim, "vi -c"), "nvim": (_vim, "nvim -c"),
    "ex": (_vim, "ex -c"), "view": (_vim, "view -c"), "git": (_git, "git -c"), "tar": (_tar, "a tar option"),
    "bsdtar": (_tar, "a tar option"), "rsync": (_rsync, "rsync -e"), "ssh": (_ssh, "an ssh option"),
    "scp": (_scp, "an scp option"), "sftp": (_ssh, "an sftp option"), "zip": (_zip, "zip -TT"),
    "man": (_man, "man -P"), "sed": (_sed, "sed's e command"), "gsed": (_sed, "sed's e command"),
    "sqlite3": (_sqlite, "sqlite3 .shell"), "make": (_make_shell, "make's shell or makefile"),
    "gmake": (_make_shell, "make's shell or makefile"),
    "less": (_less, "less +!"), "ansible": (_ansible, "ansible -a"), "find": (_find, ""),
    "hyperfine": (_hyperfine, "hyperfine"), "entr": (_entr_watchexec, "entr -s"),
    "watchexec": (_entr_watchexec, "watchexec"), "nodemon": (_nodemon, "nodemon --exec"),
    "psql": (_sql_client, "psql \\!"), "mysql": (_sql_client, "mysql \\!"), "mariadb": (_sql_client, "mariadb \\!"),
    "schtasks": (_schtasks, "schtasks /tr"), "forfiles": (_forfiles, "forfiles /c"),
    "crontab": (_crontab, "a cron job"), "expect": (_expect, "expect spawn"), "emacs": (_emacs, "emacs --eval"),
}


def hidden_commands(cmd: Command, nested: Nested, *, handled: bool = False) -> list[Command]:
    """Commands carried in `cmd`'s options or scripts, parsed and judged as if typed."""
    entry = HIDDEN.get(cmd.name)
    if entry is None:
        return ([] if handled else guessed_commands(cmd, nested)) + embedded_commands(cmd, nested)
    extract, label = entry
    out: list[Command] = []
    shell = "cmd" if cmd.name in ("schtasks", "forfiles") else "bash"
    for text in extract(cmd)[:8]:
        if text == "\0opaque":
            cmd.opaque = True
            continue
        if cmd.name == "forfiles":
            text = rx.sub(r"@(?:path|file|fname|relpath)\b", "{}", text, flags=rx.IGNORECASE)
        out += nested(text, f"{label}", shell, cmd)
    if cmd.name == "forfiles":
        _found_by_forfiles(cmd, out)
    return out + embedded_commands(cmd, nested)


def _found_by_forfiles(cmd: Command, inner: list[Command]) -> None:
    """`forfiles /p C:\\Users /s /c "cmd /c del @path"`: @path is each file found under /p (with /s, recursively)."""
    from caro.safety.model import Found

    lower = [a.lower() for a in cmd.argv]
    root = cmd.argv[lower.index("/p") + 1] if "/p" in lower and lower.index("/p") + 1 < len(cmd.argv) else "."
    mask = cmd.argv[lower.index("/m") + 1] if "/m" in lower and lower.index("/m") + 1 < len(cmd.argv) else "*"
    for found in inner:
        if "{}" in found.argv:
            found.found = Found((root,), mask not in ("*", "*.*"))


def guessed_commands(cmd: Command, nested: Nested) -> list[Command]:
    """For a program caro does not know, or one that runs code and gave no command caro could find (`cargo run
    … rm -rf ~`, `docker run img rm -rf /`): an argument naming a known program may start a command it runs."""
    if cmd.dynamic or not cmd.name or cmd.guessed or cmd.windows:
        return []
    if knowledge.known(cmd.name) and not knowledge.classify(cmd)[0] & {knowledge.RUN, knowledge.WRAPPER}:
        return []
    out: list[Command] = []
    for i, arg in enumerate(cmd.argv[1:], 1):
        if len(out) >= 3:
            break
        words = arg.split()
        if len(words) > 1 and words[0] in knowledge.programs():
            found = nested(arg, f"{cmd.name}, which may run it", "bash", cmd)
            for inner in found:
                inner.guessed = True
            out += found
            continue
        base = arg.rsplit("/", 1)[-1].removeprefix("npm:")
        if i < len(cmd.argv) - 1 and base in knowledge.programs() and knowledge.programs()[base] not in ("read",):
            from caro.safety.wrappers import derive

            inner = derive(cmd, i, f"{cmd.name}, which may run it")
            if base != arg:
                inner.argv[0] = base
                inner.rename()
            inner.guessed = True
            out.append(inner)
    return out


# Programs whose arguments are text to print, search or file away, not to run (`echo 'rm -rf ~'`,
# `grep 'rm -rf' notes`), and options that carry a message (`git commit -m 'rm -rf build'`).
_TEXT_TAKERS = frozenset((
    "echo", "printf", "grep", "egrep", "fgrep", "zgrep", "rg", "ag", "ack", "jq", "yq", "logger", "notify-send",
    "cowsay", "figlet", "toilet", "banner", "wall", "tldr", "man", "apropos", "whatis", "help", "type", "which",
    "whence", "hash", "unalias", "test", "[", "[[", ":", "expr", "true", "false", "history", "fc", "read", "sed",
    "awk", "gawk", "mawk", "nawk", "say", "espeak", "printenv"))
_MESSAGE = frozenset(("-m", "--message", "--msg", "--title", "--body", "--description", "--comment", "--subject",
                      "--summary", "--note", "-F", "--notes"))
_ESCAPE = LazyPattern(r"^\s*(?::?!|\\!|\.(?:sh|shell|system)\s|(?:shell|system|exec)\s|\w+:;|[-/](?:c|k|command)\s)\s*",
                     rx.IGNORECASE)
_QUOTED = LazyPattern(r"'([^']{3,})'|\"([^\"]{3,})\"")
_NOT_RUN = frozenset(("write-host", "write-output", "select-string"))
_CMDLET = LazyPattern(r"\b[A-Za-z]+-[A-Za-z]+\b")
_WORD = LazyPattern(r"(?:^|[\s;&|(`!])([A-Za-z][\w.+-]*)")


def _candidates(cmd: Command) -> list[str]:
    """Texts in `cmd`'s arguments that may be command lines: whole words with spaces, option values after `=`,
    quoted strings inside a word, each without a leading shell escape (`!`, `:!`, `.shell`, `\\!`)."""
    out: list[str] = []
    args = cmd.argv[1:] if cmd.name != "=" else [cmd.argv[1].partition("=")[2]] if len(cmd.argv) > 1 else []
    for i, arg in enumerate(args):
        if " " not in arg or (i and args[i - 1] in _MESSAGE) or arg.startswith(tuple(m + "=" for m in _MESSAGE)):
            continue
        texts = [arg]
        if "=" in arg.split(" ", 1)[0]:  # `--script-shell=…`, `ui.merge=…`, `key:editor-cmd=…`
            texts.append(arg.split("=", 1)[1])
        texts += [a or b for a, b in _QUOTED.findall(arg)]
        for text in texts:
            out.append(_ESCAPE.sub("", text))
    if cmd.stdin_text and cmd.name != "=":  # `ed -s f <<< '!rm -rf ~'`: a program's input may be its commands
        out += [_ESCAPE.sub("", line) for line in cmd.stdin_text.splitlines()[:4] if " " in line]
    return out


def _tails(cmd: Command) -> list[int]:
    """Positions where a destructive program's name starts the rest of the arguments (`git bisect run rm -rf ~`)."""
    if len(cmd.argv) < 3:
        return []
    if not _DESTRUCTIVE:
        table = knowledge.programs()
        _DESTRUCTIVE.update(n for n, c in table.items() if c in (knowledge.DELETE, knowledge.SYSTEM, knowledge.KILL))
    middle = cmd.argv[1:-1]
    if _DESTRUCTIVE.isdisjoint(middle) and not any("/" in a for a in middle):
        return []  # the common case, decided by one set operation
    return [i for i, arg in enumerate(middle, 1) if arg.rsplit("/", 1)[-1] in _DESTRUCTIVE][:2]


_DESTRUCTIVE: set[str] = set()  # programs that delete, change the system or stop processes; filled on first use


def embedded_commands(cmd: Command, nested: Nested) -> list[Command]:
    """A command line carried as an argument, option value or setting of any program that does not just print or
    search its text (`git rebase -x 'rm -rf ~'`, `mutt -e 'set sendmail="rm -rf ~"'`, `X_COMMAND='rm -rf ~' git
    pull`): when read on its own it would be high or critical, it is judged as if it runs."""
    if cmd.name in _TEXT_TAKERS or cmd.dynamic or not cmd.name or len(cmd.via) > 8 or cmd.name in _NOT_RUN:
        return []
    candidates = _candidates(cmd)[:6] if cmd.stdin_text or any(" " in a for a in cmd.argv[1:]) else []
    tails = _tails(cmd) if cmd.name != "=" else []
    if not candidates and not tails:
        return []  # the common case: nothing that reads as a command line
    from caro.safety import rules, wrappers

    if wrappers.is_interpreter(cmd.name):
        return []  # an interpreter's code is read by code.py
    from caro.safety.parse import parse

    table = knowledge.programs()
    out: list[Command] = []
    seen: set[str] = set()
    for text in candidates:
        if text in seen or not any(table.get(w.lower(), "") not in ("", knowledge.READ) or w in ("rm", "eval")
                                   for w in _WORD.findall(text)):
            continue
        seen.add(text)
        shell = ("powershell" if _CMDLET.search(text) else "cmd") if cmd.windows else "bash"
        alone = parse(text, shell, fallback_on_error=False).commands
        if not any(f.level >= HIGH for c in alone if c.name not in _TEXT_TAKERS for f in rules.judge(c)):
            continue
        found = nested(text, f"{cmd.name or 'a setting'}, which may run it", shell, cmd)
        for inner in found:
            inner.guessed = True
        out += found
        if len(out) >= 6:
            break
    if cmd.name == "=" or knowledge.classify(cmd)[0] & {knowledge.WRAPPER}:
        return out
    from caro.safety.wrappers import derive

    for i in tails:
        inner = derive(cmd, i, f"{cmd.name}, which may run it")
        inner.rename()
        if any(f.level >= HIGH for f in rules.judge(inner)):
            inner.guessed = True
            out.append(inner)
            break
    return out
