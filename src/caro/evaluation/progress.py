"""A progress bar on stderr for long evaluations. Drawn only on a terminal; silent in pipes and CI logs."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class ProgressBar:
    """`[#####-----] 50/100  correct 41  ETA 1m20s` on one line, redrawn in place."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.correct = 0

    def update(self, done: int, correct: bool) -> None:
        self.correct += int(correct)
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 20)).columns
        elapsed = time.monotonic() - self.started
        remaining = elapsed / done * (self.total - done) if done else 0.0
        eta = f"{int(remaining // 60)}m{int(remaining % 60):02d}s"
        tail = f" {done}/{self.total}  correct {self.correct}  ETA {eta}"
        width = max(10, min(40, columns - len(self.label) - len(tail) - 4))
        filled = int(width * done / self.total) if self.total else width
        line = f"{self.label} [{'#' * filled}{'-' * (width - filled)}]{tail}"
        self.stream.write("\r" + line[: columns - 1])
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            columns = shutil.get_terminal_size((80, 20)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()
