"""Compiled regular expressions kept between runs (caro/patterns.py): the kept code makes exactly the
pattern re.compile makes, a later process uses it without parsing again, and a damaged or foreign file
only costs speed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import caro
from caro import patterns

SRC = str(Path(caro.__file__).resolve().parents[1])
SOURCES = [
    (r"(?P<user>[\w.-]+)@(?P<host>[\w.-]+)(?::(\d+))?", 0),
    (r"\b(?:rm|shred)\s+-\w*[rf]", re.IGNORECASE),
    (r"^\s*(?::?!|\\!)\s*", re.IGNORECASE | re.MULTILINE),
    (r"[^\x00-\x7f]+|\u00e9t\u00e9", 0),
]
SAMPLES = ["alice@example.com:22", "RM -rf /", "  :! ls", "été", "plain words", "bob@host"]


def _run(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": SRC, "CARO_HOME": str(home)})


@pytest.fixture
def kept(tmp_path: Path):  # type: ignore[no-untyped-def]
    """patterns.keep_in(tmp_path) for one test, then back to the default."""
    patterns.keep_in(str(tmp_path))
    yield tmp_path
    patterns.keep_in(None)


def test_kept_code_makes_the_same_pattern(kept: Path) -> None:
    for source, flags in SOURCES:
        made = patterns._build(source, flags)
        again = patterns._build(source, flags)  # from the entry just kept, through _sre directly
        assert again is not made and again == re.compile(source, flags)
        assert again.groupindex == made.groupindex and again.groups == made.groups
        for text in SAMPLES:
            found, expected = again.search(text), re.compile(source, flags).search(text)
            assert (found and found.groups()) == (expected and expected.groups())


def test_a_later_process_reads_the_code_instead_of_parsing(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    write = ("import re\nfrom caro import patterns\n"
             f"patterns.keep_in({str(folder)!r})\n"
             f"for s, f in {SOURCES!r}: patterns.compile(s, f)\n")
    assert _run(write, tmp_path).returncode == 0
    assert Path(patterns.cache_file(str(folder))).is_file()
    # The next process may not parse anything: re's parser is broken on purpose.
    read = ("import re\n"
            "from re import _parser\n"
            "def broken(*a, **k): raise AssertionError('parsed again')\n"
            "_parser.parse = broken\n"
            "from caro import patterns\n"
            f"patterns.keep_in({str(folder)!r})\n"
            f"for s, f in {SOURCES!r}:\n"
            "    p = patterns.compile(s, f)\n"
            "    assert p.pattern == s and p.flags & f == f\n"
            f"assert patterns.compile({SOURCES[0][0]!r}).match('a@b:1').group('host') == 'b'\n"
            "print('ok')\n")
    done = _run(read, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_damaged_file_only_costs_speed(kept: Path) -> None:
    Path(patterns.cache_file(str(kept))).write_bytes(b"\x00not marshal")
    assert patterns._build(r"a(b)c").match("abc").group(1) == "b"  # type: ignore[union-attr]
    patterns._entries = {(r"x+", 0): (0, b"\x01\x02", 0, {}, (None,))}  # code _sre rejects
    assert patterns._build(r"x+").fullmatch("xxx")


def test_without_a_folder_nothing_is_kept(kept: Path) -> None:
    patterns.keep_in("")
    assert patterns._build(r"k(e)pt").search("kept")
    assert patterns._entries is None  # nothing read, nothing recorded to write


def test_the_default_folder_is_caros_cache(tmp_path: Path) -> None:
    home = tmp_path / "caro-home"
    home.mkdir()
    done = _run("from caro import patterns\nassert patterns.compile(r'd(e)fault').match('default')\n", home)
    assert done.returncode == 0, done.stderr
    assert Path(patterns.cache_file(str(home / "cache"))).is_file()


def test_the_cli_keeps_what_a_check_compiled(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "caro", "check", "rm -rf /"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": SRC, "CARO_HOME": str(tmp_path), "NO_COLOR": "1"})
    assert done.returncode == 4, done.stderr  # judged (and blocked): the rules ran
    kept = Path(patterns.cache_file(str(tmp_path / "cache")))
    assert kept.is_file() and kept.stat().st_size > 100


def test_the_re_functions_give_what_re_gives(kept: Path) -> None:
    """Modules on the start path call these in place of re's: same results, same flag values."""
    for name in ("IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII"):
        assert getattr(patterns, name) == int(getattr(re, name))
    for source, flags in SOURCES:
        for text in SAMPLES:
            for function in ("search", "match", "fullmatch"):
                found, expected = getattr(patterns, function)(source, text, flags), getattr(re, function)(source, text, flags)
                assert (found and found.span()) == (expected and expected.span())
            assert patterns.findall(source, text, flags) == re.findall(source, text, flags)
            assert [m.span() for m in patterns.finditer(source, text, flags)] == [m.span() for m in re.finditer(source, text, flags)]
            assert patterns.sub(source, "<\\g<0>>", text, flags=flags) == re.sub(source, "<\\g<0>>", text, flags=flags)
            assert patterns.subn(source, lambda m: m.group(0).upper(), text, count=1, flags=flags) == \
                re.subn(source, lambda m: m.group(0).upper(), text, count=1, flags=flags)
            assert patterns.split(source, text, maxsplit=1, flags=flags) == re.split(source, text, maxsplit=1, flags=flags)
    assert patterns.compile(r"a+b") is patterns.compile(r"a+b")  # compiled once per process, as re does


def test_escape_is_res() -> None:
    every = "".join(chr(i) for i in range(0x250)) + "日本 \U0001f600"
    assert patterns.escape(every) == re.escape(every)
    assert patterns.search(patterns.escape("a.b*(c)"), "xa.b*(c)y")


def test_the_kept_file_and_the_process_cache_stay_bounded(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patterns built from text (a user's deny rules, a line's $IFS) must not grow either without end."""
    monkeypatch.setattr(patterns, "MAX_KEPT", 5)
    monkeypatch.setattr(patterns, "MAX_MADE", 4)
    for i in range(8):
        assert patterns.search(f"x{i}+", f"ax{i}x{i}")
        assert len(patterns._made) <= 4
    patterns._save()
    assert len(patterns._load(patterns.cache_file(str(kept)))) == 8  # this run's own, even over the cap
    patterns._entries = {(f"y{i}", 0): entry for i, entry in enumerate(list(patterns._entries.values())[:2])}
    patterns._save()
    assert len(patterns._load(patterns.cache_file(str(kept)))) == 2  # merged would exceed 5: only this run's

