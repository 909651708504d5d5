"""Normalised form of a shell command, for matching that ignores spelling but not meaning.

Two commands with the same normalised form do the same thing. Only rewrites that keep the meaning are
made, so a difference here can still be an equivalent command (the functional check catches those):

- quoting: `'a b'`, `"a b"` and `a\\ b` are the same word; a quoted `*` stays distinct from a glob `*`;
- whitespace and a trailing `;`;
- for commands with a known option table (GNU coreutils, grep, find, tar, ...): combined short flags are
  split (`-la` = `-l -a`), long options map to their short twin (`--all` = `-a`), `--opt=v`, `--opt v`,
  `-ov` and `-o v` agree, and option order is ignored (options of one name keep their order, since
  `sort -k2 -k1` is not `sort -k1 -k2`);
- `egrep`/`fgrep` are `grep -E`/`grep -F`; `head -5` is `head -n 5`; `find` with no path searches `.`;
- `cat FILE | cmd` is `cmd < FILE`.

Commands are read with tree-sitter-bash (caro's one shell parser), which also reads `[[ ]]`, `case`,
`$(( ))` and the other constructs of bash: the commands inside a list or pipeline are normalised one by
one, and compound commands (`if`, `for`, `[[ ]]`, functions) are kept as written with their whitespace
collapsed. Anything the table does not cover is kept as written, and text with a syntax error is compared
with its whitespace collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Spec:
    """Options of one command. `flags`: short options without argument; `takes`: short ones with one."""

    flags: str = ""
    takes: str = ""
    long: dict[str, str] = field(default_factory=dict)  # --name -> short letter, or --name itself
    long_takes: frozenset[str] = frozenset()  # long options (canonical names) that take an argument
    aliases: dict[str, str] = field(default_factory=dict)  # short letter -> canonical letter
    permute: bool = True  # GNU: options may follow operands
    numeric: str = ""  # `-5` means `-<numeric> 5` (head, tail)


def _spec(flags: str = "", takes: str = "", long: dict[str, str] | None = None, long_takes: tuple[str, ...] = (),
          aliases: dict[str, str] | None = None, permute: bool = True, numeric: str = "") -> Spec:
    return Spec(flags, takes, long or {}, frozenset(long_takes), aliases or {}, permute, numeric)


SPECS: dict[str, Spec] = {
    "ls": _spec("aAlhrRtSdFinsL1cuUXvgGopm", "IwT", {
        "--all": "a", "--almost-all": "A", "--human-readable": "h", "--reverse": "r", "--recursive": "R",
        "--directory": "d", "--classify": "F", "--inode": "i", "--size": "s", "--dereference": "L",
        "--numeric-uid-gid": "n", "--ignore": "I", "--width": "w",
    }, ("--sort", "--color", "--time-style", "--format", "--time")),
    "grep": _spec("iIrRnclLvwxEFGPoqsHhzaUZ", "efmABCdD", {
        "--ignore-case": "i", "--recursive": "r", "--dereference-recursive": "R", "--line-number": "n",
        "--count": "c", "--files-with-matches": "l", "--files-without-match": "L", "--invert-match": "v",
        "--word-regexp": "w", "--line-regexp": "x", "--extended-regexp": "E", "--fixed-strings": "F",
        "--basic-regexp": "G", "--perl-regexp": "P", "--only-matching": "o", "--quiet": "q", "--silent": "q",
        "--no-messages": "s", "--with-filename": "H", "--no-filename": "h", "--regexp": "e", "--file": "f",
        "--max-count": "m", "--after-context": "A", "--before-context": "B", "--context": "C",
        "--null": "Z", "--text": "a",
    }, ("--include", "--exclude", "--exclude-dir", "--color", "--colour", "--label")),
    "wc": _spec("lwcmL", "", {"--lines": "l", "--words": "w", "--bytes": "c", "--chars": "m",
                              "--max-line-length": "L"}),
    "head": _spec("qvz", "nc", {"--lines": "n", "--bytes": "c", "--quiet": "q", "--silent": "q",
                                "--verbose": "v"}, numeric="n"),
    "tail": _spec("fFqvrz", "ncs", {"--lines": "n", "--bytes": "c", "--quiet": "q", "--silent": "q",
                                   "--verbose": "v", "--follow": "f"}, numeric="n"),
    "sort": _spec("bdfgiMhnRrVcCsuz", "ktoST", {
        "--ignore-leading-blanks": "b", "--dictionary-order": "d", "--ignore-case": "f",
        "--general-numeric-sort": "g", "--month-sort": "M", "--human-numeric-sort": "h",
        "--numeric-sort": "n", "--random-sort": "R", "--reverse": "r", "--version-sort": "V",
        "--check": "c", "--stable": "s", "--unique": "u", "--zero-terminated": "z", "--key": "k",
        "--field-separator": "t", "--output": "o", "--buffer-size": "S",
    }),
    "uniq": _spec("cdDiuz", "fsw", {"--count": "c", "--repeated": "d", "--unique": "u", "--ignore-case": "i",
                                   "--skip-fields": "f", "--skip-chars": "s", "--check-chars": "w"}),
    "cut": _spec("nsz", "bcdf", {"--bytes": "b", "--characters": "c", "--delimiter": "d", "--fields": "f",
                                 "--only-delimited": "s"}, ("--output-delimiter",)),
    "du": _spec("abchHklLmsSx0", "dBt", {"--all": "a", "--total": "c", "--human-readable": "h",
                                        "--summarize": "s", "--max-depth": "d", "--dereference": "L",
                                        "--one-file-system": "x", "--threshold": "t", "--block-size": "B"},
                ("--exclude",)),
    "df": _spec("ahHiklPTv", "tBx", {"--all": "a", "--human-readable": "h", "--inodes": "i",
                                   "--local": "l", "--portability": "P", "--print-type": "T", "--type": "t"}),
    "mkdir": _spec("pv", "m", {"--parents": "p", "--verbose": "v", "--mode": "m"}),
    "rmdir": _spec("pv", "", {"--parents": "p", "--verbose": "v"}),
    "rm": _spec("fiIrRdv", "", {"--force": "f", "--recursive": "r", "--dir": "d", "--verbose": "v"},
                aliases={"R": "r"}),
    "cp": _spec("aRrdfiHlLnPpsuvxTb", "tS", {"--archive": "a", "--recursive": "r", "--force": "f",
                                            "--interactive": "i", "--link": "l", "--no-clobber": "n",
                                            "--symbolic-link": "s", "--update": "u", "--verbose": "v",
                                            "--target-directory": "t", "--no-target-directory": "T",
                                            "--dereference": "L"}, aliases={"R": "r"}),
    "mv": _spec("finuvTb", "tS", {"--force": "f", "--interactive": "i", "--no-clobber": "n", "--update": "u",
                                 "--verbose": "v", "--target-directory": "t", "--no-target-directory": "T"}),
    "touch": _spec("acfhm", "drt", {"--no-create": "c", "--date": "d", "--reference": "r",
                                   "--no-dereference": "h"}),
    "chmod": _spec("cfvR", "", {"--changes": "c", "--silent": "f", "--quiet": "f", "--verbose": "v",
                                "--recursive": "R"}, ("--reference",)),
    "ln": _spec("bfinrsLPTv", "St", {"--force": "f", "--symbolic": "s", "--verbose": "v", "--relative": "r",
                                    "--no-dereference": "n", "--target-directory": "t"}),
    "cat": _spec("AbeEnsTtuv", "", {"--show-all": "A", "--number-nonblank": "b", "--show-ends": "E",
                                   "--number": "n", "--squeeze-blank": "s", "--show-tabs": "T",
                                   "--show-nonprinting": "v"}),
    "tac": _spec("bBrs", "", {"--before": "b", "--regex": "r"}, ("--separator",)),
    "nl": _spec("p", "bdfhilnsvw", {"--body-numbering": "b", "--number-separator": "s",
                                    "--number-width": "w", "--number-format": "n"}),
    "tr": _spec("cCdst", "", {"--complement": "c", "--delete": "d", "--squeeze-repeats": "s",
                              "--truncate-set1": "t"}),
    "diff": _spec("abBdEiNqrsStTuwy", "CUxX", {"--text": "a", "--ignore-space-change": "b",
                                              "--ignore-blank-lines": "B", "--ignore-case": "i",
                                              "--new-file": "N", "--brief": "q", "--recursive": "r",
                                              "--report-identical-files": "s", "--side-by-side": "y",
                                              "--ignore-all-space": "w", "--exclude": "x"}),
    "uname": _spec("asnrvmpio", "", {"--all": "a", "--kernel-name": "s", "--nodename": "n",
                                     "--kernel-release": "r", "--kernel-version": "v", "--machine": "m",
                                     "--processor": "p", "--hardware-platform": "i",
                                     "--operating-system": "o"}),
    "free": _spec("bkmghltw", "cs", {"--human": "h", "--bytes": "b", "--kilo": "k", "--mega": "m",
                                    "--giga": "g", "--total": "t", "--wide": "w"}),
    "file": _spec("bciLhkNz", "fFm", {"--brief": "b", "--mime": "i", "--dereference": "L"}),
    "readlink": _spec("femnqsvz", "", {"--canonicalize": "f", "--canonicalize-existing": "e",
                                      "--canonicalize-missing": "m", "--no-newline": "n"}),
    "realpath": _spec("emLPqsz", "", {"--canonicalize-existing": "e", "--canonicalize-missing": "m",
                                     "--quiet": "q", "--no-symlinks": "s"}, ("--relative-to", "--relative-base")),
    "gzip": _spec("cdfhklLnNqrtv123456789", "S", {"--stdout": "c", "--to-stdout": "c", "--decompress": "d",
                                                 "--uncompress": "d", "--force": "f", "--keep": "k",
                                                 "--list": "l", "--recursive": "r", "--test": "t",
                                                 "--verbose": "v", "--quiet": "q", "--suffix": "S"}),
    "sed": _spec("nEsuz", "ef", {"--quiet": "n", "--silent": "n", "--regexp-extended": "E",
                                 "--separate": "s", "--expression": "e", "--file": "f"},
                 aliases={"r": "E"}),
    "xargs": _spec("0rtpx", "adEILnPs", {"--null": "0", "--no-run-if-empty": "r", "--verbose": "t",
                                        "--max-args": "n", "--max-procs": "P", "--delimiter": "d",
                                        "--arg-file": "a", "--max-lines": "L", "--replace": "I"},
                   permute=False),
    "awk": _spec("", "Fvf", {"--field-separator": "F", "--assign": "v", "--file": "f"}, permute=False),
    "tar": _spec("cxtruvzjJaZpkmhOPSW", "fCTXbNL", {
        "--create": "c", "--extract": "x", "--get": "x", "--list": "t", "--append": "r", "--update": "u",
        "--verbose": "v", "--gzip": "z", "--gunzip": "z", "--bzip2": "j", "--xz": "J", "--auto-compress": "a",
        "--file": "f", "--directory": "C", "--files-from": "T", "--exclude-from": "X",
        "--preserve-permissions": "p", "--keep-old-files": "k", "--to-stdout": "O", "--absolute-names": "P",
        "--dereference": "h",
    }, ("--exclude", "--strip-components", "--transform", "--owner", "--group", "--mode", "--sort")),
    "zip": _spec("rqjmDTuvy0123456789", "xi", {"--recurse-paths": "r", "--quiet": "q", "--junk-paths": "j",
                                               "--move": "m", "--exclude": "x", "--include": "i"}),
    "unzip": _spec("lovqnjCZt", "dx", {}),
    "stat": _spec("LftZ", "c", {"--dereference": "L", "--file-system": "f", "--terse": "t", "--format": "c"},
                  ("--printf",)),
    "basename": _spec("az", "s", {"--multiple": "a", "--suffix": "s", "--zero": "z"}),
    "seq": _spec("w", "fs", {"--equal-width": "w", "--format": "f", "--separator": "s"}),
    "paste": _spec("sz", "d", {"--serial": "s", "--delimiters": "d"}),
    "comm": _spec("123iz", "", {}, ("--output-delimiter",)),
    "join": _spec("iz", "atevo12j", {}),
    "split": _spec("de", "abCl n", {}),
    "md5sum": _spec("bctwz", "", {"--binary": "b", "--check": "c", "--text": "t"}),
    "sha256sum": _spec("bctwz", "", {"--binary": "b", "--check": "c", "--text": "t"}),
    "column": _spec("tnex", "socNR", {"--table": "t", "--separator": "s", "--output-separator": "o"}),
    "rev": _spec(),
    "expand": _spec("i", "t", {"--initial": "i", "--tabs": "t"}),
    "fold": _spec("bs", "w", {"--bytes": "b", "--spaces": "s", "--width": "w"}),
}

COMMAND_ALIASES: dict[str, tuple[str, ...]] = {"egrep": ("grep", "-E"), "fgrep": ("grep", "-F")}

# Words whose unquoted spelling means something to the shell; quoted, they are plain characters.
_SPECIAL = set(" \t\n*?[]{}~$`\\\"'|&;<>()!#")


def canonical_word(raw: str) -> str:
    """One shell word as written -> a spelling where literal special characters are backslash-escaped.

    So `'*.py'`, `"*.py"` and `\\*.py` all become `\\*.py`, while the glob `*.py` stays `*.py`.
    `$` inside double quotes stays live (it still expands).
    """
    out: list[str] = []
    i = 0
    quote = ""
    while i < len(raw):
        ch = raw[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                out.append("\\" + ch if ch in _SPECIAL else ch)
        elif quote == '"':
            if ch == '"':
                quote = ""
            elif ch == "\\" and i + 1 < len(raw) and raw[i + 1] in '$`"\\\n':
                i += 1
                out.append("\\" + raw[i])
            elif ch in "$`":
                out.append('"' + ch)  # live expansion, but not word-split: keep it distinct from bare $
            else:
                out.append("\\" + ch if ch in _SPECIAL else ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and i + 1 < len(raw):
            i += 1
            out.append("\\" + raw[i] if raw[i] in _SPECIAL else raw[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class _Unknown(Exception):
    """The option table does not cover this usage; keep the command as written."""


def _split_options(name: str, spec: Spec, words: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """-> (options as (name, value) pairs, operands in order). Words are canonical spellings."""
    options: list[tuple[str, str]] = []
    operands: list[str] = []
    i = 0
    ended = False
    # tar's old style: the first word is a bundle of letters without a dash (`tar czf out.tgz dir`).
    if name == "tar" and words and re.fullmatch(r"[A-Za-z]+", words[0]):
        words = ["-" + words[0], *words[1:]]
    while i < len(words):
        word = words[i]
        i += 1
        if ended or word == "-" or not word.startswith("-"):
            operands.append(word)
            if not spec.permute:
                ended = True
            continue
        if word == "--":
            ended = True
            continue
        if word.startswith("--"):
            long_name, eq, value = word.partition("=")
            canon = spec.long.get(long_name, long_name)
            takes = (len(canon) == 1 and canon in spec.takes) or canon in spec.long_takes
            if len(canon) == 1 and canon in spec.flags:
                if eq:
                    raise _Unknown(word)
                options.append((canon, ""))
            elif takes:
                if not eq:
                    if i >= len(words):
                        raise _Unknown(word)
                    value = words[i]
                    i += 1
                options.append((canon, value))
            elif long_name in spec.long.values() or eq:
                options.append((canon, value))
            else:
                raise _Unknown(word)  # an unknown long option: cannot tell whether it takes an argument
            continue
        body = word[1:]
        if spec.numeric and body.isdigit():
            options.append((spec.numeric, body))
            continue
        j = 0
        while j < len(body):
            letter = spec.aliases.get(body[j], body[j])
            if letter in spec.takes:
                value = body[j + 1:]
                if not value:
                    if i >= len(words):
                        raise _Unknown(word)
                    value = words[i]
                    i += 1
                options.append((letter, value))
                break
            if letter not in spec.flags:
                raise _Unknown(word)
            options.append((letter, ""))
            j += 1
    return options, operands


def normalise_words(words: list[str]) -> list[str]:
    """A simple command's canonical words -> its normalised words."""
    if not words:
        return words
    name, rest = words[0], list(words[1:])
    if name in COMMAND_ALIASES:
        name, *extra = COMMAND_ALIASES[name]
        rest = [*extra, *rest]
    if name == "find":
        if not rest or rest[0].startswith(("-", "(", "!", "\\(", "\\!")):
            rest = [".", *rest]
        actions = {"-o", "-or", ",", "-exec", "-execdir", "-ok", "-okdir", "-delete", "-printf", "-print0",
                   "-fprint", "-ls", "-fls", "-quit", "-prune"}
        if rest and rest[-1] == "-print" and not actions & set(rest):
            rest = rest[:-1]
        return [name, *rest]
    spec = SPECS.get(name)
    if spec is None:
        return [name, *rest]
    try:
        options, operands = _split_options(name, spec, rest)
    except _Unknown:
        return [name, *rest]
    options.sort(key=lambda pair: pair[0])  # stable: same-name options keep their order
    rendered = []
    for opt, value in options:
        flag = opt if opt.startswith("--") else "-" + opt
        rendered.append(f"{flag}={value}" if value else flag)
    return [name, *rendered, "--", *operands] if operands else [name, *rendered]


_SEPARATORS = (";", "&", "&&", "||")


def _text(node: Any, source: bytes) -> str:
    from caro.shell_syntax import node_text

    return node_text(node, source)


def _render(node: Any, source: bytes, extra: tuple[str, ...] = ()) -> str:
    """One statement's normalised text. `extra`: arguments tree-sitter hung on a redirect (`echo > f hi`)."""
    kind = node.type
    if kind in ("program", "list"):
        return _render_sequence(node, source)
    if kind == "command":
        return _render_command(node, source, extra)
    if kind == "redirected_statement":
        body = node.child_by_field_name("body")
        redirects: list[str] = []
        words: list[str] = []
        for child in node.children_by_field_name("redirect"):
            text, rest = _render_redirect(child, source)
            redirects.append(text)
            words += rest
        if body is None:
            return " ".join(redirects)
        return " ".join([_render(body, source, (*extra, *words)), *redirects])
    if kind == "pipeline":
        commands = [c for c in node.named_children if c.type != "comment"]
        pipes = [c.type for c in node.children if not c.is_named and c.type in ("|", "|&")]
        rendered = _fold_useless_cat([_render(c, source) for c in commands], pipes)
        out = rendered[0]
        for pipe, text in zip(pipes, rendered[1:], strict=False):
            out += f" {pipe} {text}"
        return out
    if kind == "negated_command":
        inner = [c for c in node.named_children if c.type != "comment"]
        return "! " + " ".join(_render(c, source) for c in inner)
    # Compound commands, tests, functions: kept as written, whitespace collapsed.
    return " ".join(_text(node, source).split())


def _render_sequence(node: Any, source: bytes) -> str:
    """Statements and the operators between them; a newline between statements counts as `;`."""
    pieces: list[str] = []
    for child in node.children:
        if child.type == "comment":
            continue
        if not child.is_named:
            if child.type in _SEPARATORS:
                pieces.append(child.type)
            continue
        if pieces and pieces[-1] not in _SEPARATORS:
            pieces.append(";")
        pieces.append(_render(child, source))
    while pieces and pieces[-1] == ";":
        pieces.pop()
    return " ".join(pieces)


def _render_command(node: Any, source: bytes, extra: tuple[str, ...]) -> str:
    words: list[str] = []
    redirects: list[str] = []
    assignments: list[str] = []
    for child in node.named_children:
        if child.type == "comment":
            continue
        if child.type == "variable_assignment":
            assignments.append(canonical_word(_text(child, source)))
        elif child.type.endswith("_redirect"):
            text, rest = _render_redirect(child, source)
            redirects.append(text)
            words += rest
        else:  # command_name, word, string, raw_string, concatenation, expansions, number
            words.append(canonical_word(_text(child, source)))
    return " ".join([*assignments, *normalise_words([*words, *extra]), *redirects])


def _render_redirect(node: Any, source: bytes) -> tuple[str, list[str]]:
    """`2> err.log` -> ("2>err.log", []); words after the target are the command's arguments."""
    if node.type == "heredoc_redirect":
        raise _Unknown(node.type)  # the body is part of the meaning; compare the text as written
    descriptor = node.child_by_field_name("descriptor")
    operator = "".join(c.type for c in node.children if not c.is_named)
    targets = [c for c in node.named_children if c.type not in ("file_descriptor", "comment")]
    fd = _text(descriptor, source) if descriptor is not None else ""
    target = canonical_word(_text(targets[0], source)) if targets else ""
    return f"{fd}{operator}{target}", [canonical_word(_text(c, source)) for c in targets[1:]]


def _fold_useless_cat(rendered: list[str], pipes: list[str]) -> list[str]:
    """`cat FILE | cmd ...` -> `cmd ... <FILE` (same input, same output)."""
    if len(rendered) >= 2 and pipes and pipes[0] == "|":
        first = rendered[0].split(" ")
        if len(first) == 3 and first[0] == "cat" and first[1] == "--" and not first[2].startswith("-"):
            return [f"{rendered[1]} <{first[2]}", *rendered[2:]]
    return rendered


def normalise(command: str) -> str:
    """The normalised form of `command` (see the module docstring)."""
    from caro.shell_syntax import encode, parse_bytes

    text = command.strip().rstrip(";").strip()
    source = encode(text)
    try:
        tree = parse_bytes(source)
        if tree.root_node.has_error:
            raise _Unknown("syntax error")
        return _render(tree.root_node, source)
    except (_Unknown, TimeoutError, ImportError, RecursionError):
        return " ".join(text.split())


def same(a: str, b: str) -> bool:
    """Normalised match."""
    return normalise(a) == normalise(b)
