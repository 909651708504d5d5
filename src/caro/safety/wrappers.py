"""Commands that run other commands: sudo, env, xargs, `bash -c`, find -exec, ssh … peeled off.

Each wrapper yields the command(s) it will run, so the rules judge `rm -rf /` whether it is written
plainly, as `sudo env nice rm -rf /`, or inside `bash -c '…'`. Code carried in a string (`bash -c`,
`eval`, `ssh host '…'`, `watch`, `su -c`) is parsed again through the `nested` callback.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.memo import memo
from caro.safety import options
from caro.safety.model import Command, Found, LazyPattern

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

    # nested(code, label, shell, parent) parses `code` as a script run by `parent` and returns its commands.
    Nested = Callable[[str, str, str, Command], list[Command]]

SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "tcsh", "csh", "yash", "rbash"}
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


_GROUP_START = LazyPattern(r"[{(!\s]+")


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
                   redirects=cmd.redirects, dynamic=cmd.dynamic and start == 0, cwd=cmd.cwd, resolved=cmd.resolved)


# Interpreters that run code given on their command line: names that take a version suffix
# (python3.12, lua5.4, tclsh8.6) and names that are matched whole. Plain sets: no pattern to compile.
_INTERP_VERSIONED = frozenset({"python", "ipython", "pypy", "perl", "ruby", "php", "lua", "tclsh"})
_INTERP_NAMES = frozenset({
    "jruby", "truffleruby", "node", "nodejs", "deno", "bun", "luajit", "wish", "osascript", "r", "rscript",
    "julia", "elixir", "scala", "groovy", "kotlin", "kotlinc", "jshell", "raku", "rakudo", "guile", "racket",
    "sbcl", "clojure", "clj", "bb", "gjs", "qjs", "jjs", "swift", "crystal", "escript", "erl", "ocaml",
    "runghc", "pike", "gst", "nim",
})


@memo(1024)
def is_interpreter(name: str) -> bool:
    return name in _INTERP_NAMES or name.rstrip("0123456789.") in _INTERP_VERSIONED


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
        return i >= len(argv) or argv[i] in ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0") or any(a.startswith("-") and "s" in a[1:] and not a.startswith("--")
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


_PRINTF_ESCAPE = LazyPattern(r"\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|[ntr\\])")


def _unescape(text: str) -> str:
    """printf's and `echo -e`'s escapes: `\\x72\\x6d` and `\\162\\155` are `rm`."""
    def repl(m: rx.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0].isdigit():
            return chr(int(code, 8) & 0xFF)
        return {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[code]

    return _PRINTF_ESCAPE.sub(repl, text)


def literal_stdin(cmd: Command) -> str | None:
    """Text known to arrive on the command's stdin: a here-doc, a here-string, or `echo …` piped in."""
    if cmd.stdin_text is not None:
        return cmd.stdin_text
    if not cmd.upstream:
        return None
    up = cmd.upstream[-1]  # the stage right before this one
    if up.name == "echo" and not up.args:
        return "\n"
    if up.name in ("echo", "printf") and up.args:
        args = up.args[1:] if up.name == "printf" and len(up.args) > 1 and "%" in up.args[0] else list(up.args)
        escapes = up.name == "printf"
        while up.name == "echo" and args and args[0] in ("-e", "-n", "-E", "-ne", "-en"):
            escapes = escapes or "e" in args[0]
            args.pop(0)
        text = " ".join(args)
        return _unescape(text) if escapes and "\\" in text else text  # bash's echo keeps backslashes as typed
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
    naming = {"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex", "-inum",
              "-samefile", "-lname", "-ilname"}
    filters = {"-newer", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size", "-empty", "-user", "-group",
               "-uid", "-gid", "-perm", "-links", "-newermt", "-nouser", "-nogroup", "-used"}
    args = cmd.args
    # `-o` joins alternatives: `-name x -o -size +0` matches everything the second test matches
    either = "-o" in args or "-or" in args
    narrowed = not either and any(a in naming and not (i + 1 < len(args) and args[i + 1] in ("*", "/*", "*/*", ".*", "*.*"))
                                  for i, a in enumerate(args))
    filtered = not either and any(a in filters for a in args)
    return Found(tuple(roots) or (".",), narrowed, filtered)


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
    rx.DOTALL,
)
_CODE_LIST = LazyPattern(r"""(?:subprocess\.\w+|os\.exec\w*|spawn\w*)\s*\(\s*\[((?:\s*(?:'[^']*'|"[^"]*")\s*,?)+)\]""")
_RMTREE = LazyPattern(r"""(?:shutil\.rmtree|rm_rf|rmSync|rmdirSync|FileUtils\.rm_r\w*)\s*\(\s*(['"])(.*?)\1""")
_BACKTICK = LazyPattern(r"`([^`]+)`")


def code_strings(cmd: Command) -> list[str]:
    """The code given to an interpreter with -c / -e / -r (Python, Perl, Ruby, Node, PHP)."""
    out: list[str] = []
    args = cmd.argv
    if len(args) > 2 and args[1] == "eval" and not args[2].startswith("-"):
        out.append(args[2])  # `deno eval '…'`, `bun eval '…'`
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
            words = [w[1:-1] for w in rx.findall(r"""'[^']*'|"[^"]*\"""", match.group(1))]
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
    i = 0
    while i < len(args):
        low = args[i].lower()
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
        if low in ("-file", "-f"):
            return []  # a script file: judged as running code
        if low in _PS_VALUED:
            i += 2  # -ExecutionPolicy Bypass, -WindowStyle Hidden …: the value is not the command
            continue
        if not low.startswith("-"):
            # powershell "Remove-Item …": the first non-option word starts the command text
            if low.endswith(".ps1"):
                return []
            return nested(" ".join(args[i:]), cmd.name, "powershell", cmd)
        i += 1
    return []


_PS_VALUED = {"-executionpolicy", "-ep", "-ex", "-exec", "-windowstyle", "-w", "-win", "-configurationname", "-config",
              "-inputformat", "-if", "-outputformat", "-of", "-o", "-version", "-v", "-psconsolefile", "-workingdirectory",
              "-wd", "-custompipename", "-settingsfile", "-executionpolicy:bypass"}


# ----- unwrap: one handler per kind of wrapper -----------------------------------------------------------
if TYPE_CHECKING:
    Handler = Callable[[Command, Nested], list[Command]]
_KEYWORDS = ("then", "do", "done", "fi", "else", "elif", "esac", "{", "}", "!", "in")


def _keyword(cmd: Command, nested: Nested) -> list[Command]:
    return [derive(cmd, 1, cmd.name)] if len(cmd.argv) > 1 else []  # a stray keyword before a command


def _privilege(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    if cmd.name == "sudo":
        i = _skip_options(argv, 1, _SUDO_VALUE)
    elif cmd.name in ("gosu", "su-exec"):
        i = 2
    else:
        i = _skip_options(argv, 1, ({"u", "C"}, {"--user"}))
    return [derive(cmd, i, cmd.name)] if i < len(argv) else []


def _env(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg in ("-u", "--unset", "-C", "--chdir"):
            i += 2
        elif arg in ("-S", "--split-string") and i + 1 < len(argv):
            import shlex  # only for `env -S`: not loaded on the usual path

            try:
                words = shlex.split(argv[i + 1])
            except ValueError:
                words = argv[i + 1].split()
            return [derive(cmd, 0, "env -S", argv=words + argv[i + 2:])]
        elif arg.startswith("-") or rx.match(r"^[A-Za-z_][A-Za-z0-9_]*=", arg):
            i += 1
        else:
            break
    return [derive(cmd, i, "env")] if i < len(argv) else []


# Programs that run the command written after their own options: name -> (options that take a value (short
# letters, long names), operands before the command). Every entry is tested (tests/safety/test_wrappers.py).
RUNNERS: dict[str, tuple[tuple[set[str], set[str]], int]] = {
    "nice": (({"n"}, {"--adjustment"}), 0), "nohup": (_NO_VALUE, 0), "time": (({"o", "f"}, {"--output", "--format"}), 0),
    "exec": (({"a"}, set()), 0), "builtin": (_NO_VALUE, 0), "stdbuf": (({"i", "o", "e"}, set()), 0),
    "ionice": (({"c", "n"}, set()), 0), "setsid": (_NO_VALUE, 0), "unbuffer": (_NO_VALUE, 0),
    "caffeinate": (({"t", "w"}, set()), 0), "strace": ((set("oeEpPsSuIXbaU"), set()), 0),
    "ltrace": ((set("oeEpsuAnaLlx"), set()), 0), "chrt": (_NO_VALUE, 1), "taskset": (_NO_VALUE, 1),
    "chroot": ((set(), {"--userspec", "--groups"}), 1), "busybox": (_NO_VALUE, 0), "catchsegv": (_NO_VALUE, 0),
    "command": (_NO_VALUE, 0), "sg": (_NO_VALUE, 1), "firejail": (_NO_VALUE, 0), "torsocks": (_NO_VALUE, 0),
    "torify": (_NO_VALUE, 0), "proxychains": (({"f"}, set()), 0), "proxychains4": (({"f"}, set()), 0),
    "runuser": (({"u", "g", "G", "l"}, {"--user", "--group"}), 0),
    "systemd-run": (({"u", "p", "E", "M", "H"}, {"--unit", "--property", "--setenv", "--uid", "--gid", "--slice",
                                                  "--description", "--working-directory"}), 0),
    "unshare": (({"S", "G", "R", "w"}, {"--setuid", "--setgid", "--propagation", "--root", "--wd", "--map-user",
                                        "--map-group", "--setgroups"}), 0),
    "valgrind": (_NO_VALUE, 0), "fakeroot": (({"l", "s", "i", "b"}, {"--lib", "--faked"}), 0),
    "fakechroot": (_NO_VALUE, 0), "eatmydata": (_NO_VALUE, 0), "chronic": (_NO_VALUE, 0),
    "dbus-launch": (_NO_VALUE, 0), "dbus-run-session": (_NO_VALUE, 0),
    "xvfb-run": (({"n", "s", "f", "e", "p", "w"}, {"--server-num", "--server-args", "--auth-file", "--error-file",
                                                   "--xauth-protocol", "--wait"}), 0),
    "nsenter": (({"t", "S", "G"}, {"--target", "--setuid", "--setgid", "--wd", "--root"}), 0),
    "flatpak-spawn": (_NO_VALUE, 0),
    "setpriv": ((set(), {"--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps", "--bounding-set",
                         "--securebits", "--selinux-label", "--apparmor-profile", "--pdeathsig", "--ruid", "--euid",
                         "--rgid", "--egid"}), 0),
    "proot": (({"r", "b", "w", "q", "k", "m"}, {"--rootfs", "--bind", "--cwd", "--qemu", "--kernel-release"}), 0),
    "numactl": (({"C", "N", "m", "p", "i", "P"}, {"--physcpubind", "--cpunodebind", "--membind", "--preferred",
                                                  "--interleave"}), 0),
    "cgexec": (({"g"}, set()), 0), "prlimit": (({"p"}, {"--pid"}), 0), "faketime": (({"f"}, set()), 1),
    "mpirun": (({"n", "H", "c"}, {"--host", "--hostfile", "-np", "--np", "-hostfile"}), 0),
    "mpiexec": (({"n", "H", "c"}, {"--host", "--hostfile", "-np", "--np"}), 0),
    "srun": (({"n", "N", "p", "t", "c", "J", "A", "w"}, {"--partition", "--time", "--job-name", "--account"}), 0),
    "entr": (_NO_VALUE, 0), "ccache": (_NO_VALUE, 0), "distcc": (_NO_VALUE, 0),
    "chpst": (({"u", "U", "e", "n", "l", "L", "m", "d", "o", "p", "f", "c"}, set()), 0),
    "daemonize": (({"c", "e", "o", "p", "l", "u", "E"}, set()), 0),
    "cmd-runner": (_NO_VALUE, 0), "doas": (({"u", "C"}, set()), 0), "retry": (({"t", "d", "m"}, set()), 0),
    "with-contenv": (_NO_VALUE, 0), "s6-setuidgid": (_NO_VALUE, 1), "sem": (({"j"}, {"--jobs", "--id"}), 0),
    "npx": (({"p"}, {"--package", "--node-options"}), 0), "bunx": (({"p"}, {"--package"}), 0),
    "pnpx": (_NO_VALUE, 0), "wsl": (({"d", "u"}, {"--distribution", "--user", "--cd"}), 0),
    "schroot": (({"c", "u", "d", "n"}, {"--chroot", "--user", "--directory", "--session-name"}), 0),
    "lxc-attach": (({"n", "P", "s", "e", "v", "u", "g"}, {"--name", "--lxcpath", "--namespaces", "--set-var", "--uid",
                                                          "--gid", "--context"}), 0),
    "bwrap": (_NO_VALUE, 0), "runas": (_NO_VALUE, 0), "coproc": (_NO_VALUE, 0),
}

# Subcommands that run the command after them: (program, subcommand) -> options that take a value.
SUB_RUNNERS: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("uv", "run"): ({"p"}, {"--with", "--python", "--project", "--directory", "--package", "--extra", "--env-file",
                            "--group", "--index", "--with-requirements"}),
    ("poetry", "run"): ({"C", "P"}, {"--directory", "--project"}), ("pipenv", "run"): (set(), set()),
    ("pdm", "run"): ({"p"}, {"--project"}), ("hatch", "run"): (set(), set()), ("rye", "run"): (set(), set()),
    ("conda", "run"): ({"n", "p"}, {"--name", "--prefix", "--cwd"}), ("mamba", "run"): ({"n", "p"}, {"--name", "--prefix"}),
    ("micromamba", "run"): ({"n", "p"}, {"--name", "--prefix"}), ("bundle", "exec"): (set(), set()),
    ("npm", "exec"): ({"p", "c"}, {"--package", "--call"}), ("npm", "x"): ({"p", "c"}, {"--package", "--call"}),
    ("pnpm", "exec"): (set(), set()), ("pnpm", "dlx"): (set(), set()), ("yarn", "dlx"): ({"p"}, {"--package"}),
    ("yarn", "exec"): (set(), set()), ("direnv", "exec"): (set(), set()), ("aws-vault", "exec"): (set(), set()),
    ("perf", "stat"): ({"e", "o", "r", "p", "t"}, {"--event", "--output", "--repeat"}),
    ("perf", "record"): ({"e", "o", "F", "c", "p", "t"}, {"--event", "--output"}),
    ("perf", "trace"): ({"e", "o", "p"}, set()), ("toolbox", "run"): ({"c"}, {"--container"}),
    ("distrobox", "enter"): (set(), set()), ("lxc", "exec"): (set(), set()), ("snap", "run"): (set(), set()),
    ("docker", "exec"): ({"u", "w", "e"}, {"--user", "--workdir", "--env", "--env-file"}),
    ("podman", "exec"): ({"u", "w", "e"}, {"--user", "--workdir", "--env"}),
    ("kubectl", "exec"): ({"c", "n"}, {"--container", "--namespace", "--context"}),
    ("flatpak", "run"): (set(), {"--branch", "--arch"}), ("nix", "develop"): (set(), set()),
    ("pipx", "run"): (set(), {"--spec", "--python", "--index-url"}), ("bun", "x"): (set(), set()),
    ("apptainer", "exec"): ({"B"}, {"--bind", "--env"}), ("singularity", "exec"): ({"B"}, {"--bind", "--env"}),
    ("podman", "unshare"): (set(), set()),
}
_SUB_OPERANDS = {("direnv", "exec"): 1, ("aws-vault", "exec"): 1, ("distrobox", "enter"): 1, ("lxc", "exec"): 1,
                 ("docker", "exec"): 1, ("podman", "exec"): 1, ("kubectl", "exec"): 1, ("flatpak", "run"): 1,
                 ("apptainer", "exec"): 1, ("singularity", "exec"): 1}


def _package_name(word: str) -> str:
    """`rimraf@5` and `@scope/tool@1` name the program `rimraf` and `tool`."""
    base = word.rsplit("/", 1)[-1] if word.startswith("@") else word
    return base.split("@", 1)[0] or word


_BWRAP_TWO = {"--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try", "--symlink",
              "--setenv", "--file", "--bind-data", "--ro-bind-data", "--chmod"}


def _bwrap_start(argv: list[str]) -> int:
    """Where the command starts in `bwrap --bind / / --proc /proc … cmd`: its options take one or two values."""
    i = 1
    while i < len(argv) and argv[i].startswith("--"):
        if argv[i] == "--":
            return i + 1
        i += 3 if argv[i] in _BWRAP_TWO else 2 if argv[i] not in ("--unshare-all", "--share-net", "--die-with-parent",
                                                                   "--new-session", "--as-pid-1", "--clearenv") else 1
    return i


def _runner(cmd: Command, nested: Nested) -> list[Command]:
    name, argv = cmd.name, cmd.argv
    if name == "bwrap":
        i = _bwrap_start(argv)
        return [derive(cmd, i, name)] if i < len(argv) else []
    if name == "command" and any(a in ("-v", "-V") for a in argv[1:2]):
        return []
    values, operands = RUNNERS[name]
    if name in ("npx", "bunx") and any(a in ("-c", "--call") for a in argv):
        j = max(argv.index(a) for a in ("-c", "--call") if a in argv)
        return nested(argv[j + 1], f"{name} -c", "bash", cmd) if j + 1 < len(argv) else []
    i = _skip_options(argv, 1, values) + operands
    if name in ("ionice", "taskset") and "-p" in argv[1:i]:
        return []
    if name == "runuser" and "-c" in argv:
        j = argv.index("-c")
        return nested(argv[j + 1], "runuser -c", "bash", cmd) if j + 1 < len(argv) else []
    if i >= len(argv):
        return []
    inner = derive(cmd, i, name)
    if name in ("npx", "bunx", "pnpx"):
        inner.argv[0] = _package_name(inner.argv[0])
        inner.rename()
    if len(inner.argv) == 1 and " " in inner.argv[0]:
        return nested(inner.argv[0], name, "bash", cmd)  # `screen -dm 'rm -rf ~'`-style: a command string
    return [inner]


def _sub_runner(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    sub = next((a for a in argv[1:] if not a.startswith("-")), "")
    values = SUB_RUNNERS.get((cmd.name, sub))
    if values is None:
        return []
    start = argv.index(sub) + 1
    if (cmd.name, sub) in (("npm", "exec"), ("npm", "x")) and any(a in ("-c", "--call") for a in argv):
        j = max(argv.index(a) for a in ("-c", "--call") if a in argv)
        return nested(argv[j + 1], "npm exec -c", "bash", cmd) if j + 1 < len(argv) else []
    i = _skip_options(argv, start, values) + _SUB_OPERANDS.get((cmd.name, sub), 0)
    if i < len(argv) and argv[i] == "--":
        i += 1
    if i >= len(argv):
        return []
    inner = derive(cmd, i, f"{cmd.name} {sub}")
    if cmd.name in ("npm", "pnpm", "yarn"):
        inner.argv[0] = _package_name(inner.argv[0])
        inner.rename()
    if len(inner.argv) == 1 and " " in inner.argv[0]:
        return nested(inner.argv[0], f"{cmd.name} {sub}", "bash", cmd)
    return [inner]


def _timeout(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    i = _skip_options(argv, 1, ({"s", "k"}, {"--signal", "--kill-after"}))
    return [derive(cmd, i + 1, "timeout")] if i + 1 < len(argv) else []


def _flock(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    i = _skip_options(argv, 1, ({"w", "E"}, {"--timeout", "--conflict-exit-code"}))
    if i + 1 < len(argv) and argv[i + 1] in ("-c", "--command") and i + 2 < len(argv):
        return nested(argv[i + 2], "flock -c", "bash", cmd)
    return [derive(cmd, i + 1, "flock")] if i + 1 < len(argv) else []


def _xargs(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    i = _skip_options(argv, 1, ({"a", "d", "E", "e", "I", "L", "l", "n", "P", "s"},
                                {"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines",
                                 "--replace", "--max-chars", "--eof"}))
    inner = derive(cmd, i, "xargs") if i < len(argv) else derive(cmd, 0, "xargs", argv=["echo"])
    items = literal_stdin(cmd)
    if items is not None:
        if inner.name in SHELLS and shell_code_option(inner)[0] and shell_code_option(inner)[1] >= len(inner.argv):
            return nested(items, f"{inner.name} -c (from xargs)", "bash", cmd)  # `echo 'rm …' | xargs sh -c`
        inner.argv += items.split()  # xargs appends what it reads to the command line
        return [inner]
    finder = next((u for u in cmd.upstream if u.name in ("find", "ls", "fd", "locate")), None)
    if finder is not None and finder.name == "find":
        inner.found = find_context(finder)
    elif finder is not None:
        inner.found = Found(tuple(a for a in finder.args if not a.startswith("-")) or (".",), False)
    else:
        inner.found = Found(("",), False)
    return [inner]


def _parallel(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    i = _skip_options(argv, 1, ({"j", "S", "a"}, {"--jobs"}))
    cut = next((k for k, a in enumerate(argv) if a in (":::", "::::", ":::+")), len(argv))
    inputs = [a for a in argv[cut + 1:] if a not in (":::", "::::", ":::+")]
    if i < cut:
        return [derive(cmd, 0, cmd.name, argv=argv[i:cut] + inputs)]
    out: list[Command] = []
    for text in inputs[:8]:  # `parallel ::: 'rm -rf ~'`: each input is a command line
        out += nested(text, cmd.name, "bash", cmd)
    return out


def _shell(cmd: Command, nested: Nested) -> list[Command]:
    has_c, i = shell_code_option(cmd)
    if has_c and i < len(cmd.argv):
        code = _positional(cmd.argv[i], cmd.argv[i + 1:])
        inner = nested(code, f"{cmd.name} -c", "bash", cmd)
        if cmd.found is not None:  # `find / -exec sh -c '… "$1"' _ {} \;`: what it finds reaches the script
            for c in inner:
                if c.found is None and ("{}" in c.argv or any(r.target == "{}" for r in c.redirects)):
                    c.found = cmd.found
        return inner
    return []


_POSITIONAL = LazyPattern(r'"\$(?:\{(\d)\}|(\d)|([@*]))"|\$(?:\{(\d)\}|(\d)|([@*]))')


def _positional(code: str, params: list[str]) -> str:
    """`sh -c 'rm -rf "$1"' _ /`: the words after the script are $0, $1, …; put them where the script uses them."""
    if not params or "$" not in code:
        return code

    def value(match: rx.Match[str]) -> str:
        digit = next((g for g in match.groups() if g), "")
        words = params[1:] if digit in "@*" else params[int(digit):int(digit) + 1]
        if not words:
            return match.group(0)
        from caro.shell_syntax import quote

        return " ".join(w if w == "{}" else quote(w) for w in words)

    return _POSITIONAL.sub(value, code)


def _string_runner(cmd: Command, nested: Nested) -> list[Command]:
    """eval, watch, su -c, script -c, ssh host '…', capsh -- -c, nix-shell --run: code in a string."""
    name, argv = cmd.name, cmd.argv
    if name == "eval":
        return nested(" ".join(argv[1:]), "eval", "bash", cmd)
    if name == "watch":
        i = _skip_options(argv, 1, ({"n", "d", "q"}, {"--interval", "--differences"}))
        return nested(" ".join(argv[i:]), "watch", "bash", cmd) if i < len(argv) else []
    if name == "ssh":
        i = _skip_options(argv, 1, _SSH_VALUE)
        return nested(" ".join(argv[i + 1:]), f"ssh {argv[i]}", "bash", cmd) if i + 1 < len(argv) else []
    for j, arg in enumerate(argv):
        for long in ("--command=", "--run="):
            if arg.startswith(long):
                return nested(arg.split("=", 1)[1], f"{name} {long[:-1]}", "bash", cmd)
        short_c = arg.startswith("-") and not arg.startswith("--") and arg.endswith("c")
        if (arg in ("--command", "--run") or short_c) and j + 1 < len(argv):
            return nested(argv[j + 1], f"{name} -c", "bash", cmd)
    return []


def _alias(cmd: Command, nested: Nested) -> list[Command]:
    out: list[Command] = []
    for arg in cmd.argv[1:]:  # alias ls='rm -rf ~': judge what the alias will run
        if "=" in arg:
            out += nested(arg.split("=", 1)[1], "alias", "bash", cmd)
    return out


def _trap(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    return nested(argv[1], "trap", "bash", cmd) if len(argv) > 2 and argv[1] not in ("-l", "-p", "-") else []


def _terminal(cmd: Command, nested: Nested) -> list[Command]:
    """xterm -e …, gnome-terminal -- …, tmux new -d '…', screen -dm …: a command run in a new terminal."""
    argv = cmd.argv
    if cmd.name == "tmux":
        return _tmux(cmd, nested)
    if cmd.name in ("screen", "byobu"):
        i = _skip_options(argv, 1, ({"S", "c", "e", "h", "p", "T", "t", "X", "s", "L", "Logfile"}, set()))
        if any(a.startswith("-") and ("r" in a[1:] or "x" in a[1:] or "ls" in a or "list" in a) for a in argv[1:i]):
            return []
        if i >= len(argv):
            return []
        inner = derive(cmd, i, cmd.name)
        return nested(inner.argv[0], cmd.name, "bash", cmd) if len(inner.argv) == 1 and " " in inner.argv[0] else [inner]
    for marker in ("-e", "-x", "--", "--command", "-c", "start", "--exec"):
        if marker in argv[1:]:
            j = argv.index(marker, 1) + 1
            if j < len(argv):
                inner = derive(cmd, j, cmd.name)
                if len(inner.argv) == 1 and " " in inner.argv[0]:
                    return nested(inner.argv[0], cmd.name, "bash", cmd)
                return [inner]
    return []


_TMUX_RUNS = {"new", "new-session", "new-window", "neww", "split-window", "splitw", "run-shell", "run",
              "respawn-pane", "respawnp", "respawn-window", "respawnw", "send-keys", "send", "display-popup", "popup"}


def _tmux(cmd: Command, nested: Nested) -> list[Command]:
    argv = cmd.argv
    sub = next((a for a in argv[1:] if not a.startswith("-")), "")
    if sub not in _TMUX_RUNS:
        return []
    i = _skip_options(argv, argv.index(sub) + 1, ({"s", "n", "c", "t", "x", "y", "e", "F", "l", "p", "N", "w", "h",
                                                   "E", "b", "d-never"}, set()))
    words = [a for a in argv[i:] if a not in ("Enter", "C-m", "KPEnter", "ENTER")]
    return nested(" ".join(words), f"tmux {sub}", "bash", cmd) if words else []


def _at(cmd: Command, nested: Nested) -> list[Command]:
    return []  # what `at` reads on stdin is parsed with the other stdin code


def _windows_runner(cmd: Command, nested: Nested) -> list[Command]:
    name = cmd.name
    if name in ("iex", "invoke-expression") and cmd.args:
        return nested(" ".join(a for a in cmd.args if a.lower() != "-command"), name, "powershell", cmd)
    if name in ("start-process", "saps") and cmd.args:
        program, arguments, skip = "", [], ""
        for arg in cmd.args:
            low = arg.lower()
            if skip:
                if skip == "args":
                    arguments.append(arg)
                elif skip == "file":
                    program = arg
                skip = ""
            elif low in ("-argumentlist", "-args", "-a"):
                skip = "args"
            elif low in ("-filepath", "-file", "-f"):
                skip = "file"
            elif low.startswith("-"):
                skip = "value" if low in ("-workingdirectory", "-verb", "-windowstyle", "-credential") else ""
            elif not program:
                program = arg
            else:
                arguments.append(arg)
        shell = "cmd" if program.lower().rsplit("\\", 1)[-1].removesuffix(".exe") == "cmd" else "powershell"
        return nested(" ".join([program, *arguments]), name, shell, cmd) if program else []
    if name == "start" and cmd.args:
        args = list(cmd.args)
        if args and (args[0] == "" or (cmd.windows and " " in args[0])):
            args = args[1:]  # start "" prog: the first quoted word is a window title
        while args and args[0].startswith("/") and len(args[0]) <= 12:
            args = args[1:]  # start's own switches (/b, /wait, /min …) come before the program
        return nested(" ".join(args), "start", "cmd", cmd) if args and cmd.windows else (
            [derive(cmd, 0, name, argv=args)] if args else [])
    for i, arg in enumerate(cmd.args):
        if arg.lower() == "-scriptblock" and i + 1 < len(cmd.args):
            return nested(cmd.args[i + 1].strip("{}"), name, "powershell", cmd)
    return []


def _handlers() -> dict[str, Handler]:
    table: dict[str, Handler] = {k: _keyword for k in _KEYWORDS}
    table.update({k: _privilege for k in ("sudo", "doas", "pkexec", "run0", "gosu", "su-exec")})
    table.update({k: _runner for k in RUNNERS if k != "doas"})
    table.update({k: _sub_runner for k in {p for p, _ in SUB_RUNNERS}})
    table.update({k: _shell for k in SHELLS})
    table.update({k: _string_runner for k in ("eval", "watch", "su", "script", "ssh", "nix-shell", "capsh")})
    table.update({k: _terminal for k in ("xterm", "gnome-terminal", "konsole", "alacritty", "kitty", "wezterm",
                                         "urxvt", "terminator", "tilix", "xfce4-terminal", "lxterminal", "tmux",
                                         "screen", "byobu", "x-terminal-emulator")})
    table.update({k: _windows_shell for k in (*POWERSHELLS, "cmd")})
    table.update({k: _windows_runner for k in ("iex", "invoke-expression", "start-process", "saps", "start",
                                                "invoke-command", "icm")})
    table.update({"env": _env, "timeout": _timeout, "flock": _flock, "xargs": _xargs, "parallel": _parallel,
                  "find": lambda c, n: _find_exec(c), "alias": _alias, "trap": _trap, "at": _at, "batch": _at})
    return table


_HANDLERS: dict[str, Handler] = {}
_SHELL_VARS = frozenset(("$SHELL", "${SHELL}", "$BASH", "${BASH}", "$0"))


def is_wrapper(name: str) -> bool:
    if not _HANDLERS:
        _HANDLERS.update(_handlers())
    return name in _HANDLERS


def unwrap(cmd: Command, nested: Nested) -> list[Command]:
    """The commands `cmd` runs on its behalf (empty when it is not a wrapper)."""
    if len(cmd.via) > 16:
        return []
    if not _HANDLERS:
        _HANDLERS.update(_handlers())
    handler = _HANDLERS.get(cmd.name)
    if handler is None and cmd.argv[:1] and cmd.argv[0] in _SHELL_VARS:  # `${SHELL} -c '…'`: the user's shell
        handler = _shell
    out: list[Command] = []
    if handler is not None:
        if cmd.name == "busybox" and cmd.argv[1:2] == ["sh"]:
            out = _shell(derive(cmd, 1, "busybox"), nested)
        else:
            out = handler(cmd, nested)
    elif is_interpreter(cmd.name):
        out = _interpreter_code(cmd, nested)
    return out + options.hidden_commands(cmd, nested, handled=bool(out))
