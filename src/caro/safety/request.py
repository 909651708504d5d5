"""Every answer judged against its request: does the command do more than was asked?

The request is sorted by its verbs into what it asks for — to see (show, list, find, count, read …) or to
change (create, change, move, delete, stop, send, install, run). The command's simple commands are sorted
by the same knowledge the engine uses (knowledge.py). When a command deletes, changes, stops or sends
something the request did not ask to change — "find large files" answered with `find … -delete` — or acts
on a wider set than the request names (`cache-*.tmp` asked, `*.tmp` deleted), the verdict always asks, in
every mode, and its first reason says so in plain words.

Requests are read as English. A request in another language (no English verb caro knows) gets no request
check, only the check of the command itself and of destructive intent phrasings.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety import knowledge
from caro.safety.knowledge import DELETE, INSTALL, KILL, READ, RUN, SEND, SYSTEM, WRAPPER, WRITE
from caro.safety.model import MODERATE, Command, Finding, LazyPattern

# Verb -> the effect it asks for. Several words may name one effect; the first one found is quoted back.
_ASKS: dict[str, tuple[str, ...]] = {
    "read": ("show", "list", "find", "search", "count", "display", "print", "what", "which", "where", "how", "check",
             "see", "view", "read", "get", "locate", "tell", "look", "compare", "diff", "grep", "measure", "report",
             "inspect", "monitor", "watch", "preview", "calculate", "explain", "describe", "identify", "determine",
             "is", "are", "does", "do", "who", "when", "why", "test", "ping", "query", "fetch", "lookup", "scan",
             "examine", "verify", "validate", "tail", "follow", "sum", "total", "summarize", "open"),
    DELETE: ("delete", "remove", "rm", "erase", "clean", "cleanup", "clear", "purge", "wipe", "prune", "trash",
             "drop", "destroy", "uninstall", "reclaim", "empty", "truncate", "shred", "unlink", "nuke",
             "reset", "discard", "flush", "deduplicate", "dedupe", "rid"),
    WRITE: ("create", "make", "new", "add", "generate", "init", "initialize", "touch", "write", "save", "download",
            "clone", "copy", "duplicate", "backup", "back", "compress", "zip", "archive", "extract", "unzip", "untar",
            "decompress", "build", "compile", "change", "modify", "edit", "rename", "replace", "update", "set",
            "fix", "format", "convert", "chmod", "chown", "permission", "permissions", "append", "move", "mv", "put",
            "sort", "merge", "commit", "stage", "checkout", "switch", "restore", "revert", "rebase", "tag", "link",
            "symlink", "resize", "crop", "encrypt", "decrypt", "sign", "patch", "apply", "mount", "unmount", "lowercase",
            "uppercase", "prepend", "insert", "split", "join", "combine", "export", "import", "record", "log",
            "enable", "disable", "configure", "install", "setup", "upgrade", "pull", "sync", "mirror", "overwrite",
            "strip", "trim", "normalize", "indent", "lint", "reformat", "touch", "mkdir", "cd", "go"),
    KILL: ("kill", "stop", "terminate", "end", "quit", "close", "restart", "reboot", "shutdown", "shut",
           "halt", "suspend", "pause"),
    SEND: ("send", "upload", "push", "post", "email", "mail", "share", "deploy", "publish", "transfer", "scp", "sync",
           "submit", "notify", "tweet", "announce", "forward", "expose"),
    INSTALL: ("install", "uninstall", "upgrade", "update", "downgrade", "reinstall"),
    RUN: ("run", "execute", "start", "launch", "serve", "host", "test", "build", "compile", "benchmark", "profile",
          "debug", "spawn", "schedule", "invoke", "call", "loop", "repeat", "retry", "kick", "trigger"),
    SYSTEM: ("enable", "disable", "configure", "mount", "unmount", "block", "allow", "open", "connect", "disconnect",
             "reboot", "restart", "shutdown", "sleep", "hibernate", "partition", "format"),
}
# What each kind of request allows the command to do besides reading.
_ALLOWS = {
    "read": {READ, WRAPPER, RUN},
    DELETE: {READ, WRAPPER, RUN, DELETE, WRITE},
    WRITE: {READ, WRAPPER, RUN, WRITE, INSTALL},
    KILL: {READ, WRAPPER, RUN, KILL, SYSTEM},
    SEND: {READ, WRAPPER, RUN, SEND, WRITE},
    INSTALL: {READ, WRAPPER, RUN, INSTALL, WRITE, SYSTEM, DELETE},
    RUN: {READ, WRAPPER, RUN, WRITE},
    SYSTEM: {READ, WRAPPER, RUN, SYSTEM, WRITE, KILL},
}
_SAYS = {DELETE: "deletes", WRITE: "changes files", KILL: "stops processes", SEND: "sends data elsewhere",
         INSTALL: "installs or removes software", SYSTEM: "changes the system"}
_SEVERITY = (DELETE, KILL, SEND, SYSTEM, INSTALL, WRITE)
_WORD = LazyPattern(r"[a-z]+(?:'[a-z]+)?")
_PATTERN = LazyPattern(r"(?<![\w/])[\w.-]*[*?][\w.*?-]*|\b[\w-]+(?:\.[\w-]+)*\.[a-z0-9]{1,6}\b", rx.IGNORECASE)


# Words that are verbs only at the start of a clause ("empty the trash", not "find empty folders").
_AMBIGUOUS = {"empty", "clear", "clean", "new", "open", "close", "end", "record", "log", "set", "test", "build", "sort",
              "split", "join", "link", "tag", "host", "call", "loop", "block", "allow", "format", "sign", "export",
              "import", "patch", "mount", "change", "copy", "back", "move", "stage", "touch", "free", "total",
              "sum", "go", "fix", "post", "mail", "share", "trash", "drop", "start", "run", "stop",
              "pause", "apply", "lint", "key", "setup"}
_CLAUSE = {"please", "to", "and", "then", "i", "you", "me", "can", "could", "how", "do", "should", "want", "need", "let",
           "lets", "let's", "also", "now", "just", "pls", "or", "first", "quickly", "we", "would", "will"}


def asks(prompt: str) -> tuple[set[str], str, str] | None:
    """(effects the request asks for, the verb it used, the rest of its sentence); None for a non-English one."""
    words = _WORD.findall(prompt.lower())
    if not words:
        return None
    found: set[str] = set()
    verb = ""
    index = 0
    for i, word in enumerate(words):
        if word in _AMBIGUOUS and i > 0 and words[i - 1] not in _CLAUSE:
            continue
        for effect, verbs in _ASKS.items():
            if word in verbs and (effect != "read" or not found):
                if effect != "read" and effect in (WRITE, SYSTEM) and word in ("open", "log", "go", "cd") and found:
                    continue
                found.add(effect)
                if not verb or (effect != "read" and verb in _ASKS["read"]):
                    verb, index = word, i
    if not found:
        return None
    changes = found - {"read"}
    if changes and not (len(changes) == 1 and "read" in found and _only_incidental(words, changes)):
        found = changes
    elif "read" in found:
        found = {"read"}
    rest = " ".join(words[index + 1:index + 6])
    return found, verb, rest


def _only_incidental(words: list[str], changes: set[str]) -> bool:
    """`find files changed today`, `show what was deleted`: a change verb in past tense describes, not asks."""
    verbs = [w for w in words if any(w in _ASKS[c] for c in changes)]
    return bool(verbs) and all(w.endswith("ed") or w in ("new", "log", "open", "test", "build") for w in verbs)


def _effects(cmd: Command) -> set[str]:
    classes, known = knowledge.classify(cmd)
    if not known:
        classes = {RUN}
    if any(">" in r.op and r.target not in ("/dev/null", "/dev/stderr", "/dev/stdout") and not r.target.startswith("&")
           for r in cmd.redirects):
        classes.add(WRITE)
    return classes


def _targets(cmd: Command) -> list[str]:
    out = [a for a in cmd.args if not a.startswith("-")]
    for i, arg in enumerate(cmd.args[:-1]):
        if arg in ("-name", "-iname", "-path", "-ipath", "-include", "-filter"):
            out.append(cmd.args[i + 1])
    return [t.rsplit("/", 1)[-1] for t in out]


def _width(pattern: str) -> int:
    return 10 * pattern.count("*") + pattern.count("?") - len(rx.sub(r"[*?\[\]]", "", pattern))


def _wider(prompt: str, commands: list[Command]) -> Finding | None:
    if "*" not in prompt and "?" not in prompt and "." not in prompt:
        return None  # every name kept below holds one of these: the pattern is not even compiled
    import fnmatch

    named = [p for p in _PATTERN.findall(prompt) if "*" in p or "?" in p or "." in p]
    if not named:
        return None
    for cmd in commands:
        classes = _effects(cmd)
        if not classes & {DELETE, WRITE}:
            continue
        for target in _targets(cmd):
            if not rx.search(r"[*?]", target) or target in named:
                continue
            for asked in named:
                if fnmatch.fnmatch(asked, target) and (not fnmatch.fnmatch(target, asked) or _width(target) > _width(asked)):
                    verb = "deletes" if DELETE in classes else "changes"
                    return Finding(MODERATE, f"you asked about {asked}; this command {verb} {target}, a wider set "
                                             f"that includes files you did not name ({cmd.label()}).")
    return None


def _asked(prompt: str, verb: str) -> str:
    """`you asked to find large files` or, for a question, `you asked "what is in notes.txt"`."""
    text = " ".join(prompt.split())
    match = rx.search(rf"\b{rx.escape(verb)}\b", text, rx.IGNORECASE)
    if match is None or verb in ("what", "which", "where", "how", "who", "when", "why", "is", "are", "does", "do"):
        short = text if len(text) <= 60 else text[:57] + "..."
        return f'you asked "{short}"'
    words = text[match.start():].split()[:6]
    return "you asked to " + " ".join(words).rstrip(".?!,;:")


def mismatch(prompt: str | None, commands: list[Command]) -> Finding | None:
    """The first reason to show when the command does more than the request asked; None when it does not."""
    if not prompt or not isinstance(prompt, str) or not commands:
        return None
    request = asks(prompt[:2000])
    if request is None:
        return None
    wanted, verb, rest = request
    allowed: set[str] = set()
    for effect in wanted:
        allowed |= _ALLOWS[effect]
    for severity in _SEVERITY:
        for cmd in commands:
            if cmd.wrapped:
                continue
            if severity in _effects(cmd) - allowed:
                obj = " them" if severity == DELETE and rx.search(r"\bfiles?\b|\bfolders?\b|\bdirector", rest) else ""
                says = f"deletes{obj}" if severity == DELETE and obj else _SAYS[severity]
                return Finding(MODERATE, f"{_asked(prompt, verb)}; this command also {says} ({cmd.label()}).")
    return _wider(prompt, commands)
