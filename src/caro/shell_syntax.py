"""The one shell parser caro uses: tree-sitter-bash, shared by the safety engine, `caro explain` and the
evaluation normaliser.

tree-sitter-bash is a maintained, complete bash grammar compiled to C: about 2 ms to load, a few
milliseconds for 10 kB, and a partial tree instead of an exception on syntax errors.
"""

from __future__ import annotations

import time

from caro import patterns as rx
from caro.patterns import LazyPattern

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start path
if TYPE_CHECKING:
    from typing import Any

PARSE_BUDGET_S = 0.2  # pathological input can make error recovery slow; callers fall back to a rough split

# Non-ASCII bytes are only ever word characters to a shell; the parser sees them as `x` (same byte
# offsets, so node positions still index the original bytes). tree-sitter-bash 0.25's scanner can read out
# of bounds on some astral-plane characters after `{`; it never sees one this way.
ASCII_ONLY = bytes(range(128)) + b"x" * 128

_parser: Any = None
_UNSAFE = LazyPattern(r"[^\w@%+=:,./-]", rx.ASCII)


def quote(word: str) -> str:
    """`shlex.quote(word)`: the word as one POSIX shell word, single-quoted unless it needs nothing. Here so
    the start path does not import shlex (and with it re, enum, collections)."""
    if not word:
        return "''"
    if _UNSAFE.search(word) is None:
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def _binding(package: str) -> Any:
    """`package._binding`, the compiled part of tree-sitter or tree-sitter-bash, loaded without running
    the package's `__init__`: those import `typing` and `importlib.resources` (with `tempfile`,
    `pathlib`, `zipfile`...), about 25 ms on a plain interpreter, for nothing caro uses. Any surprise
    (another layout, another loader) falls back to the ordinary import."""
    import sys

    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    try:
        import os
        from importlib import machinery

        spec = machinery.PathFinder.find_spec(package)
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        for folder in folders:
            for suffix in machinery.EXTENSION_SUFFIXES:
                path = os.path.join(folder, "_binding" + suffix)
                if os.path.isfile(path):
                    loader = machinery.ExtensionFileLoader(name, path)
                    module = loader.create_module(machinery.ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    sys.modules[name] = module  # a later `import tree_sitter` reuses this one
                    return module
    except Exception:  # the ordinary import below says what is wrong, if anything is
        pass
    import importlib

    return importlib.import_module(name)


def bash_parser() -> Any:
    """The tree-sitter parser, created on first use (keeps importing caro cheap). ImportError when
    tree-sitter or tree-sitter-bash is not installed."""
    global _parser
    if _parser is None:
        core = _binding("tree_sitter")
        bash = _binding("tree_sitter_bash")
        _parser = core.Parser(core.Language(bash.language()))
    return _parser


def parse_bytes(source: bytes, budget_s: float = PARSE_BUDGET_S) -> Any:
    """tree-sitter tree of `source` (already encoded); TimeoutError after `budget_s`, ImportError when
    tree-sitter-bash is missing. Node byte offsets index `source`."""
    parser = bash_parser()
    masked = source.translate(ASCII_ONLY)
    deadline = time.perf_counter() + budget_s
    try:
        return parser.parse(lambda offset, _point: masked[offset:offset + 65536],
                            progress_callback=lambda *_: time.perf_counter() > deadline)
    except ValueError:  # the progress callback cancelled the parse
        parser.reset()
        raise TimeoutError from None


def _unescape(text: str, specials: str | None = None) -> str:
    """Drop the backslashes the shell drops: before any character, or only before `specials`."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and (specials is None or text[i + 1] in specials):
            if text[i + 1] != "\n":  # a backslash-newline joins lines
                out.append(text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def word_value(node: Any, source: bytes) -> str:
    """The word as the program receives it, quotes and escapes removed; expansions and substitutions
    (`$HOME`, `$(date)`, `$((1+2))`) are kept as written, since their value is known only when run."""
    kind = node.type
    if kind == "word":
        return _unescape(node_text(node, source))
    if kind == "raw_string":
        return node_text(node, source)[1:-1]
    if kind == "ansi_c_string":
        return node_text(node, source)[2:-1]
    if kind == "string":
        parts = []
        for child in node.children:
            if child.type == '"':
                continue
            if child.type == "string_content":
                parts.append(_unescape(node_text(child, source), '$`"\\\n'))
            else:
                parts.append(node_text(child, source))
        return "".join(parts)
    if kind == "concatenation":
        return "".join(word_value(child, source) for child in node.children)
    return node_text(node, source)


def encode(text: str) -> bytes:
    """The bytes caro parses for `text` (lone surrogates kept, so offsets stay exact)."""
    return text.encode("utf-8", "surrogatepass")


def node_text(node: Any, source: bytes) -> str:
    """The original text of `node` (from `source`, not the masked copy the parser saw)."""
    return source[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")


_ps_parser: Any = None


def powershell_parser() -> Any:
    """The tree-sitter PowerShell parser (tree-sitter-powershell), created on first use; ImportError when the
    grammar is not installed."""
    global _ps_parser
    if _ps_parser is None:
        core = _binding("tree_sitter")
        grammar = _binding("tree_sitter_powershell")
        _ps_parser = core.Parser(core.Language(grammar.language()))
    return _ps_parser


def parse_powershell(source: bytes, budget_s: float = PARSE_BUDGET_S) -> Any:
    """tree-sitter tree of PowerShell `source`; TimeoutError after `budget_s`, ImportError without the grammar."""
    parser = powershell_parser()
    masked = source.translate(ASCII_ONLY)
    deadline = time.perf_counter() + budget_s
    try:
        return parser.parse(lambda offset, _point: masked[offset:offset + 65536],
                            progress_callback=lambda *_: time.perf_counter() > deadline)
    except ValueError:
        parser.reset()
        raise TimeoutError from None
