"""`json.loads` and `json.dumps` for caro's start path, on the C accelerator the json package wraps.

`import json` costs a fresh interpreter about 10 ms: json.decoder and json.encoder compile regular
expressions at import, which loads `re` with `enum`, `functools` and `collections`. The work itself is done
by `_json`, CPython's C module behind json, which needs none of them; this module calls it directly and
gives the same results. Anything outside the fast path — text that is not valid JSON, bytes in another
encoding, keys that are not strings, an interpreter without `_json` — is handed to the json package itself,
so errors and edge cases are exactly json's (`json.JSONDecodeError`, a ValueError).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: this module is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_json: Any
try:
    import _json
except ImportError:  # another Python: the json package does everything
    _json = None

_BLANK = " \t\n\r"  # JSON's whitespace


class _Context:
    """What `_json.make_scanner` reads from a json.JSONDecoder."""

    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    def __init__(self, strict: bool) -> None:
        self.strict = strict

    @staticmethod
    def parse_constant(name: str) -> float:
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


_scanners: dict[bool, Any] = {}


def _scanner(strict: bool) -> Any:
    scanner = _scanners.get(strict)
    if scanner is None:
        scanner = _scanners[strict] = _json.make_scanner(_Context(strict))
    return scanner


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _BLANK:
        at += 1
    return at


def loads(text: str | bytes, *, strict: bool = True) -> Any:
    """`json.loads(text, strict=strict)`."""
    if _json is not None:
        if isinstance(text, bytes) and text[:3] != b"\xef\xbb\xbf" and b"\x00" not in text[:4]:
            text = text.decode("utf-8", "surrogatepass")  # what json.loads does with UTF-8 bytes
        if isinstance(text, str):
            try:
                value, end = _scanner(strict)(text, _skip(text, 0))
                if _skip(text, end) == len(text):
                    return value
            except Exception:  # not JSON, or not only JSON: json says what is wrong, below
                pass
    import json

    return json.loads(text, strict=strict)


def raw_decode(text: str, at: int = 0, *, strict: bool = True) -> tuple[Any, int]:
    """`json.JSONDecoder(strict=strict).raw_decode(text, at)`: the value starting at `at`, and where it ends."""
    if _json is not None:
        try:
            value, end = _scanner(strict)(text, at)
            return value, end
        except Exception:
            pass
    import json

    return json.JSONDecoder(strict=strict).raw_decode(text, at)


def _no_default(value: object) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def dumps(value: Any, *, ensure_ascii: bool = True, indent: int | None = None, sort_keys: bool = False,
          default: Callable[[Any], Any] | None = None) -> str:
    """`json.dumps(value, ensure_ascii=…, indent=…, sort_keys=…, default=…)`."""
    if _json is not None:
        strings = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
        fallback = default or _no_default
        if indent is None:
            encode = _json.make_encoder({}, fallback, strings, None, ": ", ", ", sort_keys, False, True)
            return "".join(encode(value, 0))
        leaves = _json.make_encoder(None, fallback, strings, None, ": ", ", ", False, False, True)
        parts: list[str] = []
        if _indented(value, parts, "\n", " " * indent, leaves, strings, sort_keys, fallback):
            return "".join(parts)
    import json

    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, sort_keys=sort_keys, default=default)


def _indented(value: Any, parts: list[str], newline: str, step: str, leaves: Any, strings: Any, sort_keys: bool,
              default: Callable[[Any], Any], depth: int = 0) -> bool:
    """Append json.dumps(value, indent=…)'s text to `parts`; False when json itself must do it (a key that
    is not a string, nesting deeper than any answer has)."""
    if depth > 100:
        return False
    inner = newline + step
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return True
        items = sorted(value.items()) if sort_keys else value.items()
        parts.append("{")
        for i, (key, item) in enumerate(items):
            if not isinstance(key, str):
                return False
            parts.append(("," if i else "") + inner + strings(key) + ": ")
            if not _indented(item, parts, inner, step, leaves, strings, sort_keys, default, depth + 1):
                return False
        parts.append(newline + "}")
        return True
    if isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return True
        parts.append("[")
        for i, item in enumerate(value):
            parts.append("," if i else "")
            parts.append(inner)
            if not _indented(item, parts, inner, step, leaves, strings, sort_keys, default, depth + 1):
                return False
        parts.append(newline + "]")
        return True
    if value is None or isinstance(value, str | int | float):
        parts.append("".join(leaves(value, 0)))
        return True
    return _indented(default(value), parts, newline, step, leaves, strings, sort_keys, default, depth + 1)
