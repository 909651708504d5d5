"""Commands that run other commands: sudo, env, xargs, `bash -c`, find -exec, ssh … peeled off.

Each wrapper yields the command(s) it will run, so the rules judge `rm -rf /` whether it is written
plainly, as `sudo env nice rm -rf /`, or inside `bash -c '…'`. Code carried in a string (`bash -c`,
`eval`, `ssh host '…'`, `watch`, `su -c`) is parsed again through the `nested` callback.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from functools import lru_cache

from caro.safety.model import Command, Found, LazyPattern

# nested(code, label, shell, parent) parses `code` as a script run by `parent` and returns its commands.
Nested = Callable[[str, str, str, Command], list[Command]]

SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "tcsh", "csh", "yash", "rbash"}
_INTERP = LazyPattern(r"^(?:python[\d.]*|pypy[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|deno|bun|php[\d.]*|lua[\d.]*|tclsh|osascript)$")
POWERSHELLS = {"powershell", "pwsh"}

# Options that take a value, per wrapper (short letters, long names).
_SUDO_VALUE = ({"u", "g", "p", "C", "D", "r", "t", "U", "T", "h", "R"},
               {"--user", "--group", "--prompt", "--close-from", "--chdir", "--role", "--type", "--other-user",
                "--command-timeout", "--host", "--chroot"})
_NO_VALUE: tuple[set[str], set[str]] = (set(), set())


def _skip_options(argv: list[str], start: int, values: tuple[set[str], set[str]], *, plus: bool = False) -> int:
    """Index of the first operand at or after `start`, skipping options and their values."""
    shorts, longs = values
    i = start
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return i + 1
        if arg.startswith("--") and len(arg) > 2:
            if "=" not in arg and arg in longs:
                i += 1
            i += 1
            continue
        if (arg.startswith("-") or (plus and arg.startswith("+"))) and len(arg) > 1:
            letters = arg[1:]
            for pos, letter in enumerate(letters):
                if letter in shorts:
                    if pos == len(letters) - 1:
                        i += 1  # value is the next word
                    break
            i += 1
            continue
        return i
    return i


_GROUP_START = re.compile(r"[{(!\s]+")


def derive(cmd: Command, start: int, label: str, argv: list[str] | None = None) -> Command:
    """The command `cmd` runs from argv[start:], remembering the wrapper."""
    new_argv = list(cmd.argv[start:]) if argv is None else argv
    lead = 0
    while argv is None and lead < len(new_argv) and _GROUP_START.fullmatch(new_argv[lead]):
        lead += 1
    if lead:
        # `sudo { rm -rf /; }` is not valid shell, but judge it as the group it looks like
        new_argv = [w for w in new_argv[lead:] if w not in ("}", ")")]
        start += lead
    subst = {} if argv is not None else {i - start: v for i, v in cmd.subst.items() if i >= start}
    return Command(argv=new_argv, text=cmd.text, via=(*cmd.via, label), upstream=cmd.upstream,
                   stdin_text=cmd.stdin_text, subst=subst, found=cmd.found, windows=cmd.windows,
                   redirects=cmd.redirects, dynamic=cmd.dynamic and start == 0, cwd=cmd.cwd)


@lru_cache(maxsize=1024)
def is_interpreter(name: str) -> bool:
    return bool(_INTERP.match(name))


def shell_code_option(cmd: Command) -> tuple[bool, int]:
    """For a POSIX shell: (has -c, index of first operand)."""
    argv = cmd.argv
    has_c = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if arg == "--command":
            has_c = True
            i += 1
            continue
        if (arg.startswith("-") or arg.startswith("+")) and len(arg) > 1 and arg != "-":
            if not arg.startswith("--") and "c" in arg[1:]:
                has_c = True
            i += 1
            continue
        break
    return has_c, i


def reads_stdin_code(cmd: Command) -> bool:
    """True when the command executes whatever arrives on its standard input."""
    name, argv = cmd.name, cmd.argv
    if name in SHELLS:
        has_c, i = shell_code_option(cmd)
        if has_c:
            return False
        return i >= len(argv) or argv[i] == "-" or any(a.startswith("-") and "s" in a[1:] and not a.startswith("--")
                                                      for a in argv[1:i])
    if is_interpreter(name):
        operands = [a for a in argv[1:] if not a.startswith("-")]
        code_flags = {"-c", "-e", "-E", "-m", "-r", "-p", "-n", "-pe", "-ne", "-le", "-lne", "-lpe", "-i", "-x", "-V",
                      "--version", "-h", "--help", "--eval", "--print"}
        if any(a in code_flags or (a.startswith("-") and a[1:2] in "cemrpnE" and len(a) > 1 and name.startswith("perl"))
               for a in argv[1:]):
            return False
        return not operands or operands == ["-"]
    if name in ("source", ".") and cmd.args[:1] in (["/dev/stdin"], ["-"]):
        return True
    if name in ("at", "batch") and not any(a in ("-l", "-r", "-d", "-c", "-f") for a in argv[1:]):
        return True  # at runs the commands it reads, later
    if name in POWERSHELLS:
        lowered = [a.lower() for a in cmd.args]
        return "-" in lowered or not lowered or lowered[-1] in ("-command", "-c")
    return name in ("iex", "invoke-expression") and not cmd.args


# Upstream commands whose mere presence matters however far back they are (download-and-execute).
_KEEP_UPSTREAM = {"curl", "wget", "fetch", "aria2c", "nc", "ncat", "netcat", "socat", "telnet", "openssl", "iwr",
                  "irm", "invoke-webrequest", "invoke-restmethod", "find", "get-childitem", "get-process", "echo", "printf"}


def trim_upstream(feed: list[Command], keep: int = 24) -> list[Command]:
    """The upstream a long pipeline hands on: its last stages plus any downloader (linear, not quadratic)."""
    if len(feed) <= keep:
        return feed
    early = [c for c in feed[:-keep] if c.name in _KEEP_UPSTREAM][-keep:]
    return early + feed[-keep:]


def literal_stdin(cmd: Command) -> str | None:
    """Text known to arrive on the command's stdin: a here-doc, a here-string, or `echo …` piped in."""
    if cmd.stdin_text is not None:
        return cmd.stdin_text
    if not cmd.upstream:
        return None
    up = cmd.upstream[-1]  # the stage right before this one
    if up.name in ("echo", "printf") and up.args:
        args = up.args[1:] if up.name == "printf" and len(up.args) > 1 else list(up.args)
        while up.name == "echo" and args and args[0] in ("-e", "-n", "-E", "-ne", "-en"):
            args.pop(0)
        return " ".join(args).replace("\\n", "\n")
    if up.name == "cat" and up.stdin_text is not None and not up.args:
        return up.stdin_text
    if up.name == "base64" and any(a in ("-d", "--decode", "-D") for a in up.args):
        encoded = literal_stdin(up)
        if encoded:
            import base64
            import binascii

            try:
                return base64.b64decode(encoded.strip(), validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return None
    return None


def find_context(cmd: Command) -> Found:
    """The paths `find` searches and whether its tests narrow what it matches."""
    roots: list[str] = []
    for arg in cmd.args:
        if arg.startswith("-") or arg in ("(", "!", "\\(", ")"):
            break
        roots.append(arg)
    narrowing = {"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex", "-newer",
                 "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size", "-empty", "-user", "-group",
                 "-uid", "-gid", "-perm", "-links", "-inum", "-samefile", "-lname", "-ilname", "-newermt",
                 "-nouser", "-nogroup", "-used"}
    args = cmd.args
    narrowed = any(a in narrowing and not (a in ("-name", "-iname", "-path", "-wholename") and i + 1 < len(args)
                                            and args[i + 1] in ("*", "/*", "*/*", ".*"))
                   for i, a in enumerate(args))
    return Found(tuple(roots) or (".",), narrowed)


def _find_exec(cmd: Command) -> list[Command]:
    found = find_context(cmd)
    out: list[Command] = []
    args = cmd.argv
    i = 0
    while i < len(args):
        if args[i] in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(args) and args[j] not in (";", "+", "\\;"):
                j += 1
            if j > i + 1:
                inner = derive(cmd, 0, f"find {args[i]}", argv=list(args[i + 1:j]))
                inner.found = found
                inner.upstream = []
                out.append(inner)
            i = j
        i += 1
    return out


_SSH_VALUE: tuple[set[str], set[str]] = (set("bcDEeFIiJLlmOopQRSWwB"), set())
_CODE_CALL = LazyPattern(
    r"""(?:os\.system|os\.popen|subprocess\.\w+|commands\.getoutput|\bsystem|\bexec|\bpopen|\bspawn|execSync|shell_exec|passthru|\bqx)\s*\(?\s*(?:\[\s*)?(['"])(.*?)(?<!\\)\1""",
    re.DOTALL,
)
_CODE_LIST = LazyPattern(r"""(?:subprocess\.\w+|os\.exec\w*|spawn\w*)\s*\(\s*\[((?:\s*(?:'[^']*'|"[^"]*")\s*,?)+)\]""")
_RMTREE = LazyPattern(r"""(?:shutil\.rmtree|rm_rf|rmSync|rmdirSync|FileUtils\.rm_r\w*)\s*\(\s*(['"])(.*?)\1""")
_BACKTICK = LazyPattern(r"`([^`]+)`")


def code_strings(cmd: Command) -> list[str]:
    """The code given to an interpreter with -c / -e / -r (Python, Perl, Ruby, Node, PHP)."""
    out: list[str] = []
    args = cmd.argv
    for i, arg in enumerate(args[1:], 1):
        flag = arg.lstrip("-")
        if (arg.startswith("-") and not arg.startswith("--") and flag and flag[-1] in "cerE" and i + 1 < len(args)) or (arg in ("--eval", "--command", "-p", "--print") and i + 1 < len(args)):
            out.append(args[i + 1])
    return out


def _interpreter_code(cmd: Command, nested: Nested) -> list[Command]:
    out: list[Command] = []
    for code in code_strings(cmd):
        for match in _CODE_CALL.finditer(code):
            out += nested(match.group(2), f"{cmd.name} code", "bash", cmd)
        for match in _CODE_LIST.finditer(code):
            words = [w[1:-1] for w in re.findall(r"""'[^']*'|"[^"]*\"""", match.group(1))]
            if words:
                out.append(derive(cmd, 0, f"{cmd.name} code", argv=words))
        for match in _RMTREE.finditer(code):
            out.append(derive(cmd, 0, f"{cmd.name} code", argv=["rm", "-r", "-f", match.group(2)]))
        if cmd.name.startswith(("perl", "ruby", "php")):
            for match in _BACKTICK.finditer(code):
                out += nested(match.group(1), f"{cmd.name} code", "bash", cmd)
    return out


def _windows_shell(cmd: Command, nested: Nested) -> list[Command]:
    """cmd /c "…" and powershell -Command "…" / -EncodedCommand."""
    args = cmd.args
    if cmd.name == "cmd":
        for i, arg in enumerate(args):
            if arg.lower() in ("/c", "/k", "/r"):
                return nested(" ".join(args[i + 1:]), "cmd /c", "cmd", cmd)
        return []
    for i, arg in enumerate(args):
        low = arg.lower()
        if low in ("-encodedcommand", "-enc", "-e", "-ec") and i + 1 < len(args):
            import base64
            import binascii

            try:
                code = base64.b64decode(args[i + 1], validate=False).decode("utf-16-le", "replace")
            except (binascii.Error, ValueError):
                return []
            return nested(code, f"{cmd.name} -EncodedCommand", "powershell", cmd)
        if low in ("-command", "-c", "/c"):
            return nested(" ".join(args[i + 1:]), f"{cmd.name} -Command", "powershell", cmd)
        if not low.startswith("-"):
            # powershell "Remove-Item …": the first non-option word starts the command text
            if low.endswith(".ps1"):
                return []
            return nested(" ".join(args[i:]), cmd.name, "powershell", cmd)
        if low in ("-file", "-f", "-executionpolicy", "-ep", "-windowstyle", "-w", "-configurationname"):
            break
    return []


_WRAPPER_NAMES = frozenset({
    "then", "do", "done", "fi", "else", "elif", "esac", "{", "}", "!", "in",
    "sudo", "doas", "pkexec", "run0", "gosu", "su-exec", "env", "nice", "nohup", "time", "exec", "builtin", "stdbuf",
    "ionice", "setsid", "unbuffer", "caffeinate", "strace", "ltrace", "chrt", "taskset", "chroot", "busybox",
    "catchsegv", "command", "runuser", "sg", "systemd-run", "firejail", "torsocks", "proxychains", "proxychains4",
    "timeout", "flock", "xargs", "parallel", "find", "eval", "watch", "script", "su", "ssh", "alias", "trap", "at",
    "batch", "cmd", "iex", "invoke-expression", "start-process", "saps", "start", "invoke-command", "icm",
    *SHELLS, *POWERSHELLS,
})


def unwrap(cmd: Command, nested: Nested) -> list[Command]:
    """The commands `cmd` runs on its behalf (empty when it is not a wrapper)."""
    name, argv = cmd.name, cmd.argv
    if len(cmd.via) > 16 or (name not in _WRAPPER_NAMES and not is_interpreter(name)):
        return []
    if name in ("then", "do", "done", "fi", "else", "elif", "esac", "{", "}", "!", "in") and len(argv) > 1:
        return [derive(cmd, 1, name)]  # a stray keyword before a command: judge the command
    if name in ("sudo", "doas", "pkexec", "run0", "gosu", "su-exec"):
        if name == "sudo":
            i = _skip_options(argv, 1, _SUDO_VALUE)
        elif name in ("gosu", "su-exec"):
            i = 2
        else:
            i = _skip_options(argv, 1, ({"u", "C"}, {"--user"}))
        return [derive(cmd, i, name)] if i < len(argv) else []
    if name == "env":
        i = 1
        while i < len(argv):
            arg = argv[i]
            if arg in ("-u", "--unset", "-C", "--chdir"):
                i += 2
            elif arg in ("-S", "--split-string") and i + 1 < len(argv):
                try:
                    words = shlex.split(argv[i + 1])
                except ValueError:
                    words = argv[i + 1].split()
                return [derive(cmd, 0, "env -S", argv=words + argv[i + 2:])]
            elif arg.startswith("-") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", arg):
                i += 1
            else:
                break
        return [derive(cmd, i, "env")] if i < len(argv) else []
    if name in ("nice", "nohup", "time", "exec", "builtin", "stdbuf", "ionice", "setsid", "unbuffer",
                "caffeinate", "strace", "ltrace", "chrt", "taskset", "chroot", "busybox", "catchsegv", "command",
                "runuser", "sg", "systemd-run", "firejail", "torsocks", "proxychains", "proxychains4", "doas"):
        if name == "command" and any(a in ("-v", "-V") for a in argv[1:2]):
            return []
        values: dict[str, tuple[set[str], set[str]]] = {
            "nice": ({"n"}, {"--adjustment"}), "time": ({"o", "f"}, {"--output", "--format"}),
            "exec": ({"a"}, set()), "stdbuf": ({"i", "o", "e"}, set()), "ionice": ({"c", "n"}, set()),
            "strace": (set("oeEpPsSuIXbaU"), set()), "ltrace": (set("oeEpsuAnaLlx"), set()),
            "caffeinate": ({"t", "w"}, set()), "runuser": ({"u", "g", "G", "l"}, {"--user", "--group"}),
            "systemd-run": ({"u", "p", "E", "M", "H"}, {"--unit", "--property", "--setenv", "--uid", "--gid"}),
            "chroot": (set(), {"--userspec", "--groups"}),
        }
        i = _skip_options(argv, 1, values.get(name, _NO_VALUE))
        if name in ("chrt", "taskset", "chroot", "sg") and i < len(argv):
            i += 1  # priority, CPU mask, new root or group
        if name in ("ionice", "taskset") and "-p" in argv[1:i]:
            return []
        if name == "runuser" and "-c" in argv:
            j = argv.index("-c")
            return nested(argv[j + 1], "runuser -c", "bash", cmd) if j + 1 < len(argv) else []
        return [derive(cmd, i, name)] if i < len(argv) else []
    if name == "timeout":
        i = _skip_options(argv, 1, ({"s", "k"}, {"--signal", "--kill-after"}))
        return [derive(cmd, i + 1, "timeout")] if i + 1 < len(argv) else []
    if name == "flock":
        i = _skip_options(argv, 1, ({"w", "E"}, {"--timeout", "--conflict-exit-code"}))
        if i + 1 < len(argv) and argv[i + 1] in ("-c", "--command") and i + 2 < len(argv):
            return nested(argv[i + 2], "flock -c", "bash", cmd)
        return [derive(cmd, i + 1, "flock")] if i + 1 < len(argv) else []
    if name == "xargs":
        i = _skip_options(argv, 1, ({"a", "d", "E", "e", "I", "L", "l", "n", "P", "s"},
                                    {"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines",
                                     "--replace", "--max-chars", "--eof"}))
        inner = derive(cmd, i, "xargs") if i < len(argv) else derive(cmd, 0, "xargs", argv=["echo"])
        items = literal_stdin(cmd)
        if items is not None:
            inner.argv += items.split()  # xargs appends what it reads to the command line
            return [inner]
        finder = next((u for u in cmd.upstream if u.name == "find"), None)
        inner.found = find_context(finder) if finder else Found(("",), False)
        return [inner]
    if name in ("parallel",):
        i = _skip_options(argv, 1, ({"j", "S", "a"}, {"--jobs"}))
        cut = argv.index(":::") if ":::" in argv else len(argv)
        inputs = [a for a in argv[cut + 1:] if a not in (":::", "::::")]
        return [derive(cmd, 0, name, argv=argv[i:cut] + inputs)] if i < cut else []
    if name == "find":
        return _find_exec(cmd)
    if name in SHELLS or (name == "busybox" and argv[1:2] == ["sh"]):
        has_c, i = shell_code_option(cmd)
        if has_c and i < len(argv):
            return nested(argv[i], f"{name} -c", "bash", cmd)
        return []
    if name in ("eval", "watch", "script", "su", "ssh", "script"):
        if name == "eval":
            return nested(" ".join(argv[1:]), "eval", "bash", cmd)
        if name == "watch":
            i = _skip_options(argv, 1, ({"n", "d", "q"}, {"--interval", "--differences"}))
            return nested(" ".join(argv[i:]), "watch", "bash", cmd) if i < len(argv) else []
        if name in ("su", "script"):
            for j, arg in enumerate(argv):
                if arg.startswith("--command="):
                    return nested(arg.split("=", 1)[1], f"{name} -c", "bash", cmd)
                short_c = arg.startswith("-") and not arg.startswith("--") and arg.endswith("c")
                if (arg == "--command" or short_c) and j + 1 < len(argv):
                    return nested(argv[j + 1], f"{name} -c", "bash", cmd)
            return []
        i = _skip_options(argv, 1, _SSH_VALUE)
        if i + 1 < len(argv):
            return nested(" ".join(argv[i + 1:]), f"ssh {argv[i]}", "bash", cmd)
        return []
    if name == "alias":  # alias ls='rm -rf ~': judge what the alias will run
        out: list[Command] = []
        for arg in argv[1:]:
            if "=" in arg:
                out += nested(arg.split("=", 1)[1], "alias", "bash", cmd)
        return out
    if name == "trap" and len(argv) > 2 and argv[1] not in ("-l", "-p", "-"):
        return nested(argv[1], "trap", "bash", cmd)
    if name in ("at", "batch") and cmd.stdin_text is None and not cmd.upstream:
        return []
    if is_interpreter(name):
        return _interpreter_code(cmd, nested)
    if name in POWERSHELLS or name == "cmd":
        return _windows_shell(cmd, nested)
    if name in ("iex", "invoke-expression", "start-process", "saps", "start", "invoke-command", "icm"):
        if name in ("iex", "invoke-expression") and cmd.args:
            return nested(" ".join(a for a in cmd.args if a.lower() != "-command"), name, "powershell", cmd)
        if name in ("start-process", "saps", "start") and cmd.args:
            rest = [a for a in cmd.args if not a.startswith(("-", "/"))]
            return [derive(cmd, 0, name, argv=rest)] if rest else []
        for i, arg in enumerate(cmd.args):
            if arg.lower() == "-scriptblock" and i + 1 < len(cmd.args):
                return nested(cmd.args[i + 1].strip("{}"), name, "powershell", cmd)
    return []
