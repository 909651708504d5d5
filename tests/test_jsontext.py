"""caro/jsontext.py gives what the json package gives — the same text out, the same values and the same
errors in — while importing neither json nor re on the way."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from caro import jsontext

SRC = str(Path(jsontext.__file__).resolve().parents[1])
ODD_STRINGS = ["", 'a"b\\c\n\t\x00\x1f', "é日本\U0001f600", "\ud800 lone", "</script>", "\u2028"]
LEAVES: list[Any] = [None, True, False, 0, -5, 2**70, 1.5, -0.0, 1e300, 3.14159, float("nan"), float("inf"),
                     *ODD_STRINGS]


class Odd:
    def __str__(self) -> str:
        return "odd!"


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(LEAVES)
    if roll < 0.65:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.75:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    if roll < 0.8:
        return Odd()
    return {rng.choice(["a", "é", "k\n", "0", "z"]) + str(rng.randint(0, 3)): _value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def _outcome(call: Any, *args: Any, **options: Any) -> tuple[str, str]:
    try:
        return "ok", repr(call(*args, **options))
    except Exception as exc:  # the same exception type and message as json's
        return type(exc).__name__, str(exc)


def test_dumps_writes_what_json_writes() -> None:
    rng = random.Random(11)
    for _ in range(1500):
        value = _value(rng)
        for ensure_ascii in (True, False):
            for indent in (None, 1, 2):
                for sort_keys in (False, True):
                    options = {"ensure_ascii": ensure_ascii, "indent": indent, "sort_keys": sort_keys}
                    assert _outcome(jsontext.dumps, value, default=str, **options) == \
                        _outcome(json.dumps, value, default=str, **options), (value, options)
                    assert _outcome(jsontext.dumps, value, **options) == \
                        _outcome(json.dumps, value, **options), (value, options)  # TypeError for Odd


def test_dumps_hands_what_it_does_not_do_to_json() -> None:
    assert jsontext.dumps({1: "a", None: [2]}, indent=2) == json.dumps({1: "a", None: [2]}, indent=2)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(loop)


def test_loads_reads_what_json_reads() -> None:
    rng = random.Random(5)
    for _ in range(1500):
        value = _value(rng)
        if "odd!" in json.dumps(value, default=str):
            continue
        for text in (json.dumps(value), json.dumps(value, indent=2, ensure_ascii=False), f" \n{json.dumps(value)}\t"):
            assert repr(jsontext.loads(text)) == repr(json.loads(text))
            data = text.encode("utf-8", "surrogatepass")
            assert repr(jsontext.loads(data)) == repr(json.loads(data))


@pytest.mark.parametrize("text", ["", " ", "{", "[1,]", '{"a" 1}', "1 2", "nul", '"abc', '"\x01"', '{"a":1}x',
                                  "\ufeff{}", b"\xff", b"\xef\xbb\xbf{}", b'{"a": 1}', "[" * 100000 + "]" * 100000])
def test_loads_fails_as_json_fails(text: str | bytes) -> None:
    assert _outcome(jsontext.loads, text) == _outcome(json.loads, text)


@pytest.mark.parametrize("text", ['{"cmd": "ls\tx"} and more', "x", '  {"a": 1}', '"\\q"'])
def test_raw_decode_is_jsons(text: str) -> None:
    for strict in (True, False):
        assert _outcome(jsontext.raw_decode, text, strict=strict) == \
            _outcome(json.JSONDecoder(strict=strict).raw_decode, text)
        assert _outcome(jsontext.loads, text, strict=strict) == _outcome(json.loads, text, strict=strict)


def test_without_the_c_module_json_does_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsontext, "_json", None)
    value = {"command": "ls -la", "risk": "safe", "n": [1, 2.5, None]}
    assert jsontext.dumps(value, indent=2) == json.dumps(value, indent=2)
    assert jsontext.loads(json.dumps(value)) == value
    assert jsontext.raw_decode('{"a": 1} tail') == ({"a": 1}, 8)


def test_the_fast_path_imports_neither_json_nor_re() -> None:
    code = ("import sys\nfrom caro import jsontext\n"
            "text = jsontext.dumps({'a': [1, 'é', None]}, indent=2, ensure_ascii=False)\n"
            "assert jsontext.loads(text) == {'a': [1, 'é', None]}\n"
            "assert jsontext.raw_decode('[1] x') == ([1], 3)\n"
            "print(sorted(m for m in ('json', 're', 'enum') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {SRC!r})\n{code}"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
