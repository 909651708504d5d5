"""The spinner: drawn on a terminal with elapsed time and streamed text, silent otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import sys, time
from caro.terminal import progress
with progress.spinner("lmstudio", output=sys.argv[1]) as spin:
    spin.feed("docker ")
    spin.feed("ps -a")
    time.sleep(0.3)
    spin.write_line("caro: LM Studio is not running; using the built-in catalog")
    time.sleep(0.3)
print("finished", file=sys.stderr)
"""


def _run_on_terminal(output: str, argv: list[str] | None = None) -> str:
    """Run the script (or `argv`) with stderr on a real pseudo-terminal; return what the terminal received."""
    leader, follower = os.openpty()
    env = {**os.environ, "TERM": "xterm", "PYTHONIOENCODING": "utf-8"}
    env.pop("CARO_PROGRESS", None)
    argv = argv or [sys.executable, "-c", SCRIPT, output]
    proc = subprocess.Popen(argv, stderr=follower, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_spinner_shows_label_elapsed_time_and_streamed_text_then_erases_itself() -> None:
    seen = _run_on_terminal("plain")
    assert "lmstudio 0." in seen
    assert "docker ps -a" in seen
    assert any(frame in seen for frame in "⠋⠙⠹⠸")
    # A notice gets a clean line of its own, and the spinner line is cleaned before the next output.
    assert "\r\x1b[Kcaro: LM Studio is not running; using the built-in catalog\n" in seen.replace("\r\n", "\n")
    assert seen.rstrip().endswith("\r\x1b[Kfinished")


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_silent_in_machine_output_modes(output: str) -> None:
    lines = _run_on_terminal(output).split()
    assert "⠋" not in "".join(lines) and lines[-1] == "finished"


def test_silent_when_stderr_is_not_a_terminal() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, "plain"], capture_output=True, text=True, timeout=30, check=False)
    assert done.stderr == "caro: LM Studio is not running; using the built-in catalog\nfinished\n"


def test_the_spinner_names_the_backend_it_is_asking() -> None:
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    try:
        server.delay = 0.6  # a model that takes a moment, so the spinner is drawn
        seen = _run_on_terminal("plain", [sys.executable, "-m", "caro", "--url", server.url, "list docker containers"])
    finally:
        server.stop()
    assert "asking LM Studio" in seen
    assert "asking auto" not in seen
