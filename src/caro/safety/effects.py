"""Findings from what a program is (knowledge.py) and from code caro cannot see.

- A command caro does not know is moderate: "caro does not know what X does".
- A known command that does more than read is moderate with what it does, unless a rule already said more.
- Text run as code that caro cannot read — a computed program name, output of a pipe or of `<(…)` run by a
  shell, `eval` of a computed string, `sed s///e` — is high, and critical when what is visible points at the
  root, a home folder, a disk or a download.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety import code, knowledge, wrappers
from caro.safety.model import CRITICAL, HIGH, MODERATE, Command, Finding, LazyPattern
from caro.safety.paths import scope

_WIDE_KINDS = ("root", "home", "system", "device")
# Variables that name a program the user chose: `$EDITOR notes.md` is their editor, not a mystery.
_USER_PROGRAMS = {"$EDITOR": knowledge.WRITE, "${EDITOR}": knowledge.WRITE, "$VISUAL": knowledge.WRITE,
                  "$PAGER": knowledge.READ, "${PAGER}": knowledge.READ, "$BROWSER": knowledge.READ,
                  "$SHELL": knowledge.RUN, "${SHELL}": knowledge.RUN, "$PYTHON": knowledge.RUN}
_GLOB = LazyPattern(r"[*?\[]")


def said(cmd: Command, level: int, sentence: str) -> Finding:
    via = f" (through {', '.join(v for v in cmd.via if v)})" if cmd.via else ""
    return Finding(level, f"{cmd.label()}{via}: {sentence}")


def _wide(cmd: Command) -> str | None:
    for arg in cmd.args:
        if arg.startswith("-") and arg != "-":
            continue
        sc = scope(arg)
        if sc.kind in _WIDE_KINDS:
            return sc.describe()
    return None


def computed_name(cmd: Command) -> bool:
    """The program is only known when it runs: an expansion or a glob in command position."""
    if not cmd.argv or cmd.windows:
        return cmd.dynamic
    return cmd.dynamic or (bool(_GLOB.search(cmd.argv[0])) and cmd.argv[0] not in ("[", "[["))


_SETUP_WORDS = {"init", "shellenv", "hook", "docker-env", "podman-env", "completion", "completions", "activate", "-s",
                "--sh", "shell.bash", "shell.zsh", "shell.fish", "env", "--bash", "--zsh", "bash", "zsh", "fish"}
_NOT_SETUP = {"echo", "printf", "cat", "base64", "base32", "xxd", "rev", "tr", "sed", "awk", "perl", "python",
              "python3", "sh", "bash", "zsh", "eval", "gunzip", "zcat", "openssl", "gpg", "head", "tail", "dd"}


def shell_setup(cmd: Command) -> str | None:
    """`eval "$(pyenv init -)"`: the program whose documented shell set-up output is run, if that is all it is."""
    inner = cmd.subst.get(0, [])
    if len(inner) != 1 or len(cmd.argv) > 1:
        return None
    tool = inner[0]
    if tool.name in _NOT_SETUP or tool.name in _downloaders() or tool.subst or tool.upstream:
        return None
    return tool.name if _SETUP_WORDS & {a.lower() for a in tool.args} or tool.name.endswith("-agent") else None


def _downloaders() -> set[str]:
    from caro.safety.rules import DOWNLOADERS

    return DOWNLOADERS


def dynamic_findings(cmd: Command, downloads: bool, computed: bool) -> list[Finding]:
    if cmd.guessed or not computed or (cmd.argv[:1] and cmd.argv[0] in _USER_PROGRAMS):
        return []
    setup = shell_setup(cmd)
    if setup:
        return [said(cmd, MODERATE, f"runs the shell set-up commands that {setup} prints.")]
    wide = _wide(cmd)
    if wide or downloads:
        return [said(cmd, CRITICAL, "runs a program whose name is only known when it runs, on "
                                    f"{wide or 'code from the network'}; caro cannot tell what it does.")]
    return [said(cmd, HIGH, "runs a program whose name is only known when it runs (a variable, a glob or the "
                            "output of a command); caro cannot tell what it does.")]


def _runs_text(cmd: Command) -> bool:
    return cmd.name in wrappers.SHELLS or wrappers.is_interpreter(cmd.name) or cmd.name in ("source", ".", "eval")


def opaque_findings(cmd: Command, downloads: bool) -> list[Finding]:
    """Process substitution that is run or sourced, `sed s///e`, and similar text-as-code."""
    found: list[Finding] = []
    if not cmd.opaque and not cmd.subst:
        return found
    if cmd.opaque:
        level = CRITICAL if downloads else HIGH
        found.append(said(cmd, level, "runs text it computes as a shell command; caro cannot see what it will be."))
    if _runs_text(cmd) and not (cmd.name in wrappers.SHELLS and wrappers.shell_code_option(cmd)[0]):
        for i, arg in enumerate(cmd.argv[1:], 1):
            if arg.startswith("<(") and i in cmd.subst:
                inner = cmd.subst[i]
                if wrappers.literal_stdin(Command(argv=["sh"], text="", upstream=inner[-1:])):
                    break  # literal text: parsed and judged as typed
                net = _net(inner)
                found.append(said(cmd, CRITICAL if net else HIGH,
                                  "runs the output of another command as code"
                                  f"{' straight from the network' if net else ''}; caro cannot see what it will be."))
                break
    return found


def _net(cmds: list[Command]) -> bool:
    from caro.safety.rules import DOWNLOADERS

    return any(c.name in DOWNLOADERS for c in cmds)


def class_findings(cmd: Command, own: list[Finding], computed: bool) -> list[Finding]:
    """What the program is: unknown (moderate), read-only (nothing) or one that changes things (moderate)."""
    if cmd.wrapped or cmd.guessed or computed:
        return []
    if cmd.argv[:1] and cmd.argv[0] in _USER_PROGRAMS:
        cls = _USER_PROGRAMS[cmd.argv[0]]
        return [] if cls == knowledge.READ else [said(cmd, MODERATE, f"{knowledge.VERBS[cls]} (your {cmd.argv[0]}).")]
    classes, known = knowledge.classify(cmd)
    verb = destroy_verb(cmd, known, classes)
    if verb and not any(f.level >= HIGH for f in own):
        what = f"caro does not know what {cmd.name} does, and its words say it" if not known else "its words say it"
        return [said(cmd, HIGH, f"{what} deletes or destroys ('{verb}'); what such a command removes on a server, "
                                "cluster or cloud is usually gone for good.")]
    if not known:
        bare = rx.sub(r"[\d.]+$", "", cmd.name)
        if bare and bare != cmd.name and knowledge.known(bare):
            return []
        if any(f.level >= MODERATE for f in own):
            return []
        shown = cmd.argv[0] if len(cmd.argv[0]) <= 40 else cmd.name
        return [Finding(MODERATE, f"caro does not know what {shown} does; read it before running it.")]
    if not own and code.code_of(cmd):
        return []  # inline code read through: nothing that reaches outside the process
    if cmd.name in ("python", "python3") and cmd.args[:2] in (["-m", "json.tool"], ["-m", "this"]):
        return []
    classes -= {knowledge.READ, knowledge.WRAPPER}
    if not classes or any(f.level >= MODERATE for f in own):
        return []
    what = " and ".join(knowledge.VERBS[c] for c in knowledge.CLASSES if c in classes)
    if cmd.name in _DATABASES:
        what = "runs database commands, which can change data"
    return [said(cmd, MODERATE, f"{what}.")]


_DATABASES = frozenset({"psql", "mysql", "mariadb", "sqlite3", "mongo", "mongosh", "redis-cli", "valkey-cli", "sqlcmd",
                        "duckdb", "cqlsh", "clickhouse-client", "influx", "etcdctl", "consul"})


# Words that name a deletion in a command-line tool's operands (`terragrunt run-all destroy`, `influx bucket
# delete`, `pulumi stack rm`), and options that take away the question or widen it to everything.
_SQL_DESTROY = LazyPattern(r"(?i)\b(?:drop\s+(?:database|table|schema|keyspace|collection|user|index)|truncate\s+(?:table\s+)?\w|"
                           r"delete\s+from\s+\w+\s*(?:;|$)|flushall|flushdb)\b|dropDatabase\s*\(")
_NOT_SQL = frozenset(("echo", "printf", "grep", "rg", "cat", "less", "man"))
_DESTROY = frozenset(("destroy", "delete", "rm", "remove", "purge", "drop", "dropdb", "wipe", "erase", "nuke",
                      "flush", "flushall", "flushdb", "truncate", "terminate", "teardown", "obliterate", "rb",
                      "delete-all", "remove-all", "destroy-all"))
_FORCE = frozenset(("--force", "-force", "--yes", "-yes", "--auto-approve", "-auto-approve", "--confirm",
                    "--non-interactive", "--quiet", "-quiet", "--purge", "-purge", "--all", "-all", "--recursive",
                    "--no-prompt", "--assume-yes", "--terragrunt-non-interactive", "--prefix", "--cascade"))
_WIDE_FLAGS = frozenset(("--all", "-all", "--all-namespaces", "--purge", "-purge", "--recursive", "--prefix"))


def destroy_verb(cmd: Command, known: bool, classes: set[str]) -> str | None:
    """The deletion word of a command-line tool whose table entry did not foresee it: any unknown program whose
    operands say `delete`/`destroy`/`purge`…, and a known one that says so with a flag that skips the question
    (`--force`, `--yes`) where its table calls the form read-only, or with one that widens it to everything
    (`--all`, `-purge`)."""
    if (cmd.windows and (known or "-" in cmd.name)) or not cmd.args or cmd.name in ("=", "rm", "git", "docker",
                                                                                   "kubectl", "find") or (
            known and (knowledge.INSTALL in classes or not _DESTROY.intersection(
                p for a in cmd.args[:6] for p in a.lower().split(":")))):
        return None  # a known program without a deletion word among its first words: the common case
    operands = [a for a in cmd.args[:6] if not a.startswith("-")][:3]
    words = [p for w in operands for p in w.lower().split(":")]  # `dokku apps:destroy`
    verb = next((w for w in words if w in _DESTROY), None)
    if verb is None and not known and cmd.name not in _NOT_SQL and _SQL_DESTROY.search(" ".join(cmd.args)):
        return "drop"  # `snowsql -q 'DROP DATABASE prod'`: destructive SQL given to a client caro does not know
    if verb is None:
        flags = {a.split("=", 1)[0].lower() for a in cmd.args if a.startswith("-")}
        if not known and flags & {"--purge", "-purge"}:
            return "purge"
        return None
    if not known:
        return verb
    flags = {a.split("=", 1)[0].lower() for a in cmd.args if a.startswith("-")}
    if flags & _WIDE_FLAGS or (flags & _FORCE and not classes - {knowledge.READ, knowledge.WRITE}):
        return verb
    if classes == {knowledge.READ} and cmd.name in knowledge.subcommands() and verb != operands[0].lower():
        return verb  # `terraform state rm …`: the table reads `state` as read-only; its next word deletes
    return None
