"""Fetch a catalogue GGUF from a Hugging Face style hub: announced, resumable, verified.

    HEAD {endpoint}/{repo}/resolve/{revision}/{file}   (no redirects) -> X-Linked-Etag (sha256), X-Linked-Size
    GET  same URL with `Range: bytes=N-` when a partial file exists  -> 206 appends, 200 starts over

The file is written to <name>.part next to its destination and renamed only after its SHA-256 matches the
checksum pinned in the catalogue (or, when none is pinned, the one the hub publishes). A failed check
deletes the partial file. The endpoint can be pointed anywhere (CARO_HF_ENDPOINT / HF_ENDPOINT), which is
how the tests use a local HTTP server as the hub. Standard library only (urllib).
"""

from __future__ import annotations

import hashlib
import http.client
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from caro.errors import EXIT_DOWNLOAD, BackendUnavailable
from caro.models import CatalogEntry, human_size

CHUNK = 1 << 20
USER_AGENT = "caro (model download)"


class DownloadError(BackendUnavailable):
    """A model download failed (offline, HTTP error, checksum mismatch)."""

    exit_code = EXIT_DOWNLOAD
    code = "download_failed"


class OfflineError(DownloadError):
    code = "offline"


class ChecksumMismatch(DownloadError):
    code = "checksum_mismatch"


@dataclass
class Remote:
    """What the hub says about the file before the download starts."""

    sha256: str = ""
    size: int | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _offline(url: str, exc: BaseException, entry: CatalogEntry, dest: Path) -> OfflineError:
    host = url.split("/")[2] if "://" in url else url
    return OfflineError(
        f"cannot reach {host} to download {entry.file} (offline?): {getattr(exc, 'reason', exc)}",
        f"Check your network (or proxy settings) and run 'caro models pull {entry.name}' again; it resumes. "
        f"Or fetch {url} yourself, save it as {dest}, or point [embedded] model_path at any GGUF.",
    )


def probe(url: str, entry: CatalogEntry, dest: Path, timeout: float) -> Remote:
    """HEAD without following redirects: the hub answers with the LFS checksum and size of the file."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
    try:
        response = opener.open(request, timeout=timeout)
        headers = response.headers
        response.close()
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            headers = exc.headers
        elif exc.code == 404:
            raise DownloadError(
                f"{entry.repo}/{entry.file} was not found on the hub (HTTP 404)",
                "The file may have moved; download a GGUF yourself and set [embedded] model_path.",
            ) from None
        elif exc.code in (401, 403):
            raise DownloadError(
                f"the hub refused {entry.file} (HTTP {exc.code})",
                "Some repositories need a login: download the file in a browser and set [embedded] model_path.",
            ) from None
        else:
            # Some mirrors do not implement HEAD; the download itself will tell.
            return Remote()
    except (urllib.error.URLError, OSError) as exc:
        raise _offline(url, exc, entry, dest) from None
    etag = (headers.get("X-Linked-Etag") or "").strip().strip('"').removeprefix("W/").strip('"').lower()
    size_text = headers.get("X-Linked-Size") or ""
    remote = Remote()
    if len(etag) == 64 and all(c in "0123456789abcdef" for c in etag):
        remote.sha256 = etag
    if size_text.isdigit():
        remote.size = int(size_text)
    return remote


class Progress:
    """A one-line progress bar on a terminal; a few plain lines otherwise (logs, CI)."""

    def __init__(self, total: int | None, stream: IO[str] | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.next_mark = 25

    def update(self, done: int, resumed: int = 0) -> None:
        now = time.monotonic()
        if self.tty and now - self.last < 0.1 and (self.total is None or done < self.total):
            return
        self.last = now
        rate = (done - resumed) / max(now - self.start, 1e-6)
        if self.total:
            percent = min(100, int(done * 100 / self.total))
            if self.tty:
                filled = percent * 30 // 100
                bar = "#" * filled + "-" * (30 - filled)
                self.stream.write(f"\r  [{bar}] {percent:3d}%  {human_size(done)} / {human_size(self.total)}"
                                  f"  {human_size(rate)}/s ")
                self.stream.flush()
            elif percent >= self.next_mark:
                self.stream.write(f"  {percent}%  {human_size(done)} / {human_size(self.total)}\n")
                self.next_mark = (percent // 25 + 1) * 25
        elif self.tty:
            self.stream.write(f"\r  {human_size(done)}  {human_size(rate)}/s ")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _sha256_of(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest


def download(
    entry: CatalogEntry,
    dest_dir: Path,
    *,
    endpoint: str,
    timeout: float = 30.0,
    say: Callable[[str], None] | None = None,
    progress_stream: IO[str] | None = None,
) -> Path:
    """Download `entry` into `dest_dir`, resuming a partial file, and return the verified path."""
    say = say or (lambda line: print(line, file=sys.stderr))
    url = entry.url(endpoint)
    dest = dest_dir / entry.file
    part = dest.with_name(dest.name + ".part")
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {dest_dir}: {exc}", "Check CARO_HOME and its permissions.") from None

    remote = probe(url, entry, dest, timeout)
    expected = entry.sha256 or remote.sha256
    total = remote.size or (entry.size if entry.sha256 else None)
    source = "pinned in caro's catalog" if entry.sha256 else "published by the hub"

    have = part.stat().st_size if part.exists() else 0
    digest = _sha256_of(part) if have else hashlib.sha256()
    size_note = human_size(total) if total else "size unknown"
    say(f"Downloading {entry.name}: {entry.repo}/{entry.file} ({size_note}) from {url.split('/')[2]}")
    say(f"  to {dest}")
    if have:
        say(f"  resuming after {human_size(have)} already downloaded")

    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            response = None  # the partial file is already complete: verify it below
        else:
            raise DownloadError(
                f"the hub answered HTTP {exc.code} for {entry.file}",
                f"Try again later, or download {url} yourself and set [embedded] model_path.",
            ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _offline(url, exc, entry, dest) from None

    if response is not None:
        with response:
            status = response.status
            if have and status != 206:
                # The server ignored the range: start over rather than append a second copy.
                have = 0
                digest = hashlib.sha256()
            length = response.headers.get("Content-Length")
            if total is None and length and length.isdigit():
                total = have + int(length)
            bar = Progress(total, progress_stream)
            done = have
            try:
                with part.open("ab" if have else "wb") as out:
                    while True:
                        block = response.read(CHUNK)
                        if not block:
                            break
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        bar.update(done, have)
            except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                bar.finish()
                raise DownloadError(
                    f"the download of {entry.file} stopped after {human_size(done)}: {exc}",
                    f"Run 'caro models pull {entry.name}' again: it resumes from {part.name}.",
                ) from None
            bar.finish()
            if total is not None and done < total:
                raise DownloadError(
                    f"the download of {entry.file} stopped after {human_size(done)} of {human_size(total)}",
                    f"Run 'caro models pull {entry.name}' again: it resumes from {part.name}.",
                )

    actual = digest.hexdigest()
    if not expected:
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"cannot verify {entry.file}: no checksum is pinned and the hub published none",
            "Download the file yourself, check it, and set [embedded] model_path to it.",
        )
    if actual != expected:
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"checksum mismatch for {entry.file}: expected sha256 {expected} ({source}), got {actual}",
            f"The damaged file was deleted. Run 'caro models pull {entry.name}' again; if it fails again the "
            "hub or a proxy is serving different content.",
        )
    part.replace(dest)
    say(f"Verified sha256 {actual} ({source}).")
    return dest


def verify_existing(entry: CatalogEntry, path: Path) -> bool:
    """True when a file already in place matches the pinned checksum (unpinned files are trusted by size)."""
    if not path.is_file():
        return False
    if entry.sha256:
        return _sha256_of(path).hexdigest() == entry.sha256
    return path.stat().st_size > 0
