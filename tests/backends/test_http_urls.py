"""caro.http splits URLs itself (urllib.parse costs start-up time): it must agree with urlsplit."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caro import http

URLS = [
    "http://localhost:1234/v1",
    "http://LOCALHOST:1234/v1/",
    "https://api.example.com/v1/chat/completions?x=1&y=2#frag",
    "http://127.0.0.1:11434",
    "http://[::1]:8080/api",
    "http://[fe80::1%25eth0]:80/",
    "http://user:secret@host.lan:99/p?q",
    "  http://padded.example/  ",
    "http://host/path with space",
    "http://host:/empty-port",
    "HTTP://Upper.Case/Path",
    "http://h?query-only",
    "http://h#fragment-only",
    "http://h/a\tb\nc",
    "localhost:1234",
    "ftp://files.example/x",
    "//no-scheme/x",
    "http://:80/",
]


def _theirs(url: str) -> tuple[str, str, str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.path, parts.query, parts.hostname, parts.port


def _ours(url: str) -> tuple[str, str, str, str | None, int | None]:
    parts = http._URL(url)
    return parts.scheme, parts.path, parts.query, parts.hostname or None, parts.port


@pytest.mark.parametrize("url", URLS)
def test_split_agrees_with_urlsplit(url: str) -> None:
    assert _ours(url) == _theirs(url)


@pytest.mark.parametrize("url", ["http://h:99999/", "http://h:8o/", "http://[zz::1]/", "http://[::1/", "http://h:٣/"])
def test_bad_ports_and_hosts_raise_as_urlsplit_does(url: str) -> None:
    with pytest.raises(ValueError):
        _theirs(url)
    with pytest.raises(ValueError):
        _ours(url)
    with pytest.raises(ValueError):
        http.endpoint(url)


@given(st.text(alphabet="htps:/[]@?#%.:0123456789abcXYZ-_ ", max_size=40))
def test_any_text_splits_alike_or_fails_alike(url: str) -> None:
    try:
        theirs = _theirs(url)
    except ValueError:
        with pytest.raises(ValueError):
            _ours(url)
        return
    assert _ours(url) == theirs
