"""The one shell parser caro uses: tree-sitter-bash, shared by the safety engine, `caro explain` and the
evaluation normaliser.

tree-sitter-bash is a maintained, complete bash grammar compiled to C: about 2 ms to load, a few
milliseconds for 10 kB, and a partial tree instead of an exception on syntax errors.
"""

from __future__ import annotations

import time
from typing import Any

PARSE_BUDGET_S = 0.2  # pathological input can make error recovery slow; callers fall back to a rough split

# Non-ASCII bytes are only ever word characters to a shell; the parser sees them as `x` (same byte
# offsets, so node positions still index the original bytes). tree-sitter-bash 0.25's scanner can read out
# of bounds on some astral-plane characters after `{`; it never sees one this way.
ASCII_ONLY = bytes(range(128)) + b"x" * 128

_parser: Any = None


def bash_parser() -> Any:
    """The tree-sitter parser, created on first use (keeps importing caro cheap)."""
    global _parser
    if _parser is None:
        import tree_sitter_bash
        from tree_sitter import Language, Parser

        _parser = Parser(Language(tree_sitter_bash.language()))
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
        import tree_sitter_powershell
        from tree_sitter import Language, Parser

        _ps_parser = Parser(Language(tree_sitter_powershell.language()))
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
