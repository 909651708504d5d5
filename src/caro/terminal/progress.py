"""A spinner with elapsed time on stderr while caro waits for a backend.

It draws only when stderr is a terminal and the output is not machine-readable (json, yaml), so pipes,
scripts, key bindings and `-o json` never see it. Streamed text from a backend can be fed to it and is
shown, shortened to the terminal width, next to the spinner. It cleans its line when it stops.

    with progress.spinner("lmstudio", output=settings.output) as spin:
        request.on_text = spin.feed
        raw = backend.generate(request)
"""

from __future__ import annotations

import os
import sys
import time

# Not typing.TYPE_CHECKING: this module is on every request's start path. threading and shutil are
# imported only when a spinner really draws (never under pipes, -o json or -v).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading
    from typing import TextIO

FRAMES_UNICODE = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
FRAMES_ASCII = "|/-\\"


def _unicode_ok(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return "utf" in encoding


def should_draw(stream: TextIO, output: str = "plain") -> bool:
    """Draw only for people: a terminal on stderr, plain output, and not turned off by CARO_PROGRESS=0."""
    if output != "plain" or os.environ.get("CARO_PROGRESS", "").strip() in ("0", "off", "false", "no"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Idle:
    """Stands in for the lock and the stop event while no drawing thread exists."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None

    def set(self) -> None:
        return None

    def is_set(self) -> bool:
        return True

    def wait(self, timeout: float | None = None) -> bool:
        return True


class Spinner:
    """Animated status line: `⠙ label 1.4s  streamed text…`. Thread-safe; a no-op when not enabled."""

    def __init__(
        self,
        label: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        output: str = "plain",
        interval: float = 0.1,
    ) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stderr
        self.enabled = should_draw(self.stream, output) if enabled is None else enabled
        self.label = label
        self.interval = interval
        self.frames = FRAMES_UNICODE if _unicode_ok(self.stream) else FRAMES_ASCII
        self.text = ""
        self.started = time.monotonic()
        self._lock: threading.Lock | _Idle = _Idle()
        self._stop: threading.Event | _Idle = _Idle()
        self._thread: threading.Thread | None = None
        self._drawn = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def start(self) -> Spinner:
        self.started = time.monotonic()
        if self.enabled and self._thread is None:
            import threading

            self._lock = threading.Lock()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="caro-spinner", daemon=True)
            self._thread.start()
        return self

    def set_label(self, label: str) -> None:
        """Change the label, for example when the chain falls back to another backend."""
        with self._lock:
            self.label = label
            self.text = ""

    def feed(self, chunk: str) -> None:
        """Add streamed text from the backend; the tail of it is shown on the spinner line."""
        with self._lock:
            self.text = (self.text + chunk)[-400:]

    def write_line(self, text: str) -> None:
        """Print a whole line (a fallback notice, a -v message) without tearing the spinner: the spinner
        line is cleared first and drawn again on the next tick."""
        with self._lock:
            if self._drawn:
                self._write("\r\x1b[K")
                self._drawn = False
            self._write(text + "\n")

    def _line(self, frame: str) -> str:
        import shutil

        width = shutil.get_terminal_size((80, 24)).columns
        head = f"{frame} {self.label} {self.elapsed:.1f}s".replace("  ", " ").strip()
        text = " ".join(self.text.split())
        room = width - len(head) - 3
        if text and room > 10:
            if len(text) > room:
                text = "…" + text[-(room - 1) :]
            head = f"{head}  {text}"
        return head[: max(width - 1, 1)]

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            with self._lock:
                line = self._line(self.frames[index % len(self.frames)])
                self._write("\r\x1b[K" + line)
                self._drawn = True
            index += 1
            self._stop.wait(self.interval)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self._stop.set()

    def stop(self) -> None:
        """Stop and erase the spinner line (leaving the cursor where the line began)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None
        with self._lock:
            if self._drawn:
                self._write("\r\x1b[K")
                self._drawn = False

    def __enter__(self) -> Spinner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spinner(
    label: str = "", *, output: str = "plain", stream: TextIO | None = None, enabled: bool | None = None
) -> Spinner:
    """A `Spinner` for a `with` block: shows progress while the body runs, erases it afterwards. (The
    spinner is its own context manager: contextlib stays off the start path.)"""
    return Spinner(label, stream=stream, enabled=enabled, output=output)
