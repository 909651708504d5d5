"""Availability of each model server, remembered on disk for 60 s.

Every caro run is a new process, so an in-memory cache would never be hit. One small JSON file under
`settings.cache_dir` maps a key (backend, URL, model) to the last check. What is stored:

- a server that answered and has a model ready: for 60 s, so back-to-back runs send no probe at all;
- a server that timed out: for 15 s, because that check costs the whole 500 ms budget each time, yet
  a restarted server should be noticed soon;
- a refused connection or an HTTP-level "no model loaded": never. They cost a millisecond to recheck,
  and the user is probably fixing them right now.

A request that then fails drops the entry (`forget`), so a server that went away is noticed on the next
run rather than 60 s later. Unreadable or corrupt cache files are ignored: the cache only saves time.

`check()` is the one opening every server backend's availability() shares: the cached answer when it is
fresh, else the probe, timed, and remembered by the rules above. `forgetting()` wraps a request.
"""

from __future__ import annotations

import os
import time

from caro import jsontext
from caro.backends.base import Availability
from caro.config import write_cache
from caro.errors import BackendError

# No typing or pathlib at run time: this module is on every server request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Folder = str | os.PathLike[str]

TTL_SECONDS = 60.0
FAILURE_TTL_SECONDS = 15.0
FILE_NAME = "availability.json"


def _path(cache_dir: Folder) -> str:
    return os.path.join(cache_dir, FILE_NAME)


def _read(cache_dir: Folder) -> dict[str, Any]:
    try:
        with open(_path(cache_dir), encoding="utf-8") as handle:
            data = jsontext.loads(handle.read())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(cache_dir: Folder, data: dict[str, Any]) -> None:
    write_cache(_path(cache_dir), jsontext.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def get(cache_dir: Folder, key: str, *, ttl: float = TTL_SECONDS, now: float | None = None) -> Availability | None:
    """The cached availability for `key` if checked less than `ttl` seconds ago."""
    entry = _read(cache_dir).get(key)
    if not isinstance(entry, dict):
        return None
    now = time.time() if now is None else now
    checked = entry.get("checked_at")
    if not entry.get("ok"):
        ttl = min(ttl, FAILURE_TTL_SECONDS)
    if not isinstance(checked, int | float) or not 0 <= now - checked < ttl:
        return None
    try:
        status = Availability(
            ok=bool(entry["ok"]),
            reason=str(entry.get("reason", "")),
            hint=str(entry.get("hint", "")),
            model=entry.get("model"),
            detail=dict(entry.get("detail") or {}),
            elapsed_ms=0.0,
            cached=True,
        )
    except (KeyError, TypeError, ValueError):
        return None
    status.detail["checked_seconds_ago"] = round(now - checked, 1)
    return status


def put(cache_dir: Folder, key: str, status: Availability, *, now: float | None = None) -> None:
    """Remember a check (callers decide what is worth remembering; see the module docstring)."""
    data = _read(cache_dir)
    now = time.time() if now is None else now
    # Drop stale entries so the file cannot grow without bound.
    data = {k: v for k, v in data.items()
            if isinstance(v, dict) and isinstance(v.get("checked_at"), int | float)
            and now - v["checked_at"] < TTL_SECONDS}
    detail = {k: v for k, v in status.detail.items() if k != "checked_seconds_ago"}
    data[key] = {"ok": status.ok, "reason": status.reason, "hint": status.hint, "model": status.model,
                 "detail": detail, "checked_at": now, "check_ms": round(status.elapsed_ms, 1)}
    _write(cache_dir, data)


def forget(cache_dir: Folder, key: str) -> None:
    """Drop the entry for `key` (a request to that server just failed)."""
    data = _read(cache_dir)
    if key in data:
        del data[key]
        _write(cache_dir, data)


def key_for(backend: str, url: str, model: str) -> str:
    return f"{backend} {url} {model}".strip()


def check(cache_dir: Folder, key: str, probe: Callable[[], Availability], *, use_cache: bool = True) -> Availability:
    """A server backend's availability: the cached check when fresh (and `use_cache`), else `probe()`,
    timed, and remembered when it is worth remembering (up, or timed out); any other failure drops the
    entry, so `caro doctor`'s fresh check also corrects the next run."""
    started = time.perf_counter()
    if use_cache:
        cached = get(cache_dir, key)
        if cached:
            return cached
    status = probe()
    status.elapsed_ms = (time.perf_counter() - started) * 1000
    status.detail["checked_ms"] = round(status.elapsed_ms, 1)
    if status.ok or status.detail.get("timed_out"):
        put(cache_dir, key, status)
    else:
        forget(cache_dir, key)
    return status


class forgetting:  # used as a function: `with forgetting(...):`
    """Around a request: when it fails with a BackendError, drop the server's entry and re-raise.
    (A class, not contextlib.contextmanager: contextlib stays off the start path.)"""

    def __init__(self, cache_dir: Folder, key: str) -> None:
        self.cache_dir = cache_dir
        self.key = key

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, BackendError):
            forget(self.cache_dir, self.key)
