"""Inline interpreter code (`python -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`, `lua -e`, awk programs).

caro does not run or fully understand this code. It reads it for what it can reach: running commands,
deleting or writing files, forking, building code at run time, the network. Names are matched as words
anywhere in the code, so a renamed import (`from shutil import rmtree as r`), `getattr(__import__(…), …)`
or a string that is decoded and executed still shows the word that gives it away; code with such a word is
at least high, and critical when it also names the root, a home folder, a disk or a download, or forks in
a loop. Code with none of them (printing, arithmetic, reading JSON) is judged read-only.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.memo import memo
from caro.safety.model import CRITICAL, HIGH, Command, Finding, LazyPattern
from caro.safety.wrappers import code_strings, is_interpreter

_EFFECTS = [
    ("runs commands", LazyPattern(
        r"\b(?:system|popen|spawn\w*|exec\w*|shell_exec|passthru|proc_open|subprocess|child_process|qx|Open3"
        r"|Runtime|ProcessBuilder|pty|os\.execute|io\.popen|IO\.popen|Kernel|System\.cmd|sys\.process|os:cmd"
        r"|shell-command|run-program|uiop|\.execute)\b|%x[\(\[{]|`[^`]+`|\bdo shell script\b|\bProcess\s*\(")),
    ("deletes files", LazyPattern(
        r"\b(?:rm|rmtree|unlink\w*|remove(?:_tree|dirs|Sync)?|rmdir\w*|rm_r\w*|rm_f|rmSync|delete(?:_?file|Sync)?|"
        r"truncate|purge|shred|FileUtils|File::Path|shutil|unlinkSync)\s*[\(\s'\"]|\bshutil\b|\bFileUtils\b|\bFile::Path\b")),
    ("writes files", LazyPattern(
        r"\bopen\s*\([^)]*['\"][wa+]b?['\"]|\bopen\s*\([^,)]*,\s*['\"]?\s*[>+]|\bwrite(?:File\w*|_text|_bytes|lines)?\b"
        r"|\bfile_put_contents\b|\bFile\.(?:write|open)\b|\bfopen\b|\bchmod\b|\bchown\b|\brename\w*\b|\bmove\b"
        r"|\bcopy(?:file|tree|2|Sync)\b")),
    ("forks processes", LazyPattern(r"\w*fork\w*|\bPcntl\b|\bmultiprocessing\b|\bthreading\b|\bworker_threads\b")),
    ("builds code at run time", LazyPattern(
        r"\beval\b|\bexec\b|__import__|\bgetattr\b|\bimportlib\b|\bcompile\s*\(|fromhex|b64decode|\bbase64\b|"
        r"\bFunction\s*\(|\bglobals\s*\(|\bvars\s*\(|\bpack\s*\(|\bchr\s*\(|\bunhexlify\b|"
        r"\bcodecs\b|\bmarshal\b|\bpickle\b|\bctypes\b|\binstance_eval\b|\bconstantize\b")),
    ("uses the network", LazyPattern(
        r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b|\bfetch\s*\(|\bnet\.|\bLWP\b|\bNet::|open-uri|"
        r"\bhttps?://|\bXMLHttpRequest\b|\bhttp\.(?:get|request)\b|\bcurl\b|\bwget\b")),
    ("stops processes", LazyPattern(r"\b(?:os\.)?kill\w*\b|\bprocess\.kill\b|\bsignal\b")),
]
_WIDE = LazyPattern(
    r"""['"]/['"]|['"]/\*['"]|['"]~/?['"]|\bhomedir\b|\bPath\.home\b|\bexpanduser\b|\bDir\.home\b|\$ENV\{\s*['"]?HOME|"""
    r"""ENV\[['"]HOME|environ\[['"]HOME|environ\.get\(['"]HOME|getenv\(['"]HOME|process\.env\.HOME|\$HOME|"""
    r"""['"]/(?:etc|usr|bin|boot|home|var|lib|root|sys|dev)\b|/dev/(?:sd|nvme|hd|vd|disk|mmcblk)|[Cc]:\\\\|"""
    r"""\bos\.walk\(\s*['"]/|\brglob\b|https?://|\brm\s+-\w*r""")
_LOOP = LazyPattern(r"\bwhile\b|\bfor\b|\bloop\b|\buntil\b|\biter\s*\(|\brepeat\b|\bforever\b|\btimes\b|\.each\b")
_STRINGS = LazyPattern(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_OPEN_WRITE = LazyPattern(r"\bopen\s*\([^)]*,\s*['\"][wax+]b?['\"]|\bopen\s*\(\s*\w+\s*,\s*['\"]\s*>")
_LANG = {"awk": "awk", "gawk": "awk", "mawk": "awk", "nawk": "awk"}
LANGUAGES = frozenset(_LANG)  # programs whose code argument is read besides the interpreters


@memo(512)
def _language(name: str) -> str:
    if name in _LANG:
        return "awk"
    if name in ("r", "rscript"):
        return "R"
    for lang in ("python", "pypy", "perl", "ruby", "node", "nodejs", "deno", "bun", "php", "lua", "tclsh", "osascript",
                 "julia"):
        if name.startswith(lang):
            return {"pypy": "python", "nodejs": "node"}.get(lang, lang)
    return name


def awk_program(cmd: Command) -> str | None:
    """The program text of an awk command line (not from a file)."""
    args = cmd.args
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-f", "--file"):
            return None
        if arg in ("-F", "-v", "--assign", "--field-separator"):
            i += 2
            continue
        if arg.startswith("-") and arg != "-":
            i += 1
            continue
        return arg
    return None


def code_of(cmd: Command) -> list[str]:
    """The code an interpreter is given on its command line or as a literal here-doc."""
    if cmd.name not in _LANG and not is_interpreter(cmd.name):
        return []
    if _language(cmd.name) == "awk":
        program = awk_program(cmd)
        return [program] if program else []
    if not is_interpreter(cmd.name):
        return []
    code = code_strings(cmd)
    modules = [a[2:] for a in cmd.args if a.startswith("-M") and len(a) > 2]  # perl -MFile::Path=remove_tree
    if modules:
        code = [*code, " ".join(modules)]
    if not code and cmd.stdin_text and not [a for a in cmd.args if not a.startswith("-")]:
        code = [cmd.stdin_text]
    return code


_CALLABLE = LazyPattern(r"['\"](?:unlink|rmdir|system|exec|shell_exec|passthru|popen|proc_open|rmtree|remove|"
                        r"removedirs|kill|fork|pcntl_fork|eval|assert|create_function)['\"]")


def _callable_name(match: rx.Match[str]) -> str:
    """A string that is only a dangerous function's name is still a call (`array_map("unlink", …)`,
    `call_user_func('system', …)`, `getattr(os, 'remove')`): keep it as a name, drop other strings."""
    text = match.group(0)
    return text[1:-1] + " (" if _CALLABLE.fullmatch(text) else "''"


def _awk_effects(program: str) -> list[str]:
    found = []
    if rx.search(r"\bsystem\s*\(", program):
        found.append("runs commands")
    if rx.search(r"\|\s*&?\s*(?:\"|\w)|\"[^\"]*\"\s*\|\s*getline", program):
        found.append("runs commands")
    if rx.search(r"\bprint[f]?\b[^;}]*>", program):
        found.append("writes files")
    return found


def findings(cmd: Command, downloads: bool) -> list[Finding]:
    """What the inline code of `cmd` can reach; empty when it has no tell-tale word."""
    lang = _language(cmd.name)
    texts = code_of(cmd)
    if not texts:
        return []
    joined = "\n".join(texts)[:20000]
    if lang == "awk":
        effects = list(dict.fromkeys(_awk_effects(joined)))
    else:
        names = _STRINGS.sub(_callable_name, joined)  # effects are names in the code, not words in its strings
        effects = [what for what, pattern in _EFFECTS if pattern.search(names)]
        if "writes files" not in effects and _OPEN_WRITE.search(joined):
            effects.append("writes files")  # open(path, 'w'): the mode is a string, so look at the raw code
    if not effects:
        return []
    wide = bool(_WIDE.search(joined)) or downloads
    fork_loop = "forks processes" in effects and bool(_LOOP.search(joined))
    dangerous = {"runs commands", "deletes files", "writes files", "forks processes", "builds code at run time",
                 "stops processes"}
    level = CRITICAL if fork_loop or (wide and set(effects) & dangerous) else HIGH
    what = ", ".join(effects)
    where = " on the root, a home folder, a disk or a download" if wide and level == CRITICAL and not fork_loop else ""
    if fork_loop:
        reason = f"{lang} code forks processes in a loop: a fork bomb that freezes the machine."
    else:
        reason = (f"{lang} code that {what}{where}; caro cannot read such code well enough to know what it "
                  "reaches, so read it before running it.")
    via = f" (through {', '.join(v for v in cmd.via if v)})" if cmd.via else ""
    return [Finding(level, f"{cmd.label()}{via}: {reason}")]
