"""Exit codes no other test reaches, through a real caro process: 1 for an internal error (a controlled
fault), 130 for Ctrl+C while caro waits on a server, and the `--version` fast path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner

# Runs caro's real entry point in a fresh interpreter with flow.generate replaced by a function that
# fails the way a bug would: the controlled fault behind exit code 1.
FAULT = """
import sys
from caro import cli, flow

def broken(*args, **kwargs):
    raise RuntimeError("a fault injected by the test")

flow.generate = broken
sys.exit(cli.main(sys.argv[1:]))
"""


def run_with_fault(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", FAULT, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_an_internal_error_exits_1_without_a_traceback() -> None:
    done = run_with_fault("-b", "builtin", "list docker containers")
    assert done.returncode == 1
    assert "caro: internal error: RuntimeError: a fault injected by the test" in done.stderr
    assert "CARO_DEBUG=1" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_an_internal_error_in_json_mode_is_still_one_json_document() -> None:
    done = run_with_fault("-b", "builtin", "-o", "json", "list docker containers")
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert "RuntimeError: a fault injected by the test" in error["message"]
    assert "CARO_DEBUG=1" in error["hint"]


def test_caro_debug_shows_the_traceback() -> None:
    done = run_with_fault("-b", "builtin", "list docker containers", env={"CARO_DEBUG": "1"})
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "a fault injected by the test" in done.stderr


def test_ctrl_c_while_waiting_on_a_server_exits_130(lmstudio: FakeLMStudio) -> None:
    lmstudio.delay = 30  # the stand-in holds the generation request
    process = subprocess.Popen(
        [sys.executable, "-m", "caro", "-b", "lmstudio", "--url", lmstudio.url, "list docker containers"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "/v1/chat/completions" not in lmstudio.paths():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "caro never sent its request"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # our own child, by its handle
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "caro: interrupted" in err
    assert "Traceback" not in err
    assert out == ""


VERSION_PROBE = """
import sys
from caro import cli
code = cli.main(["--version"])
heavy = sorted(name for name in ("argparse", "caro.config", "tomllib", "caro.flow", "caro.backends")
               if name in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def test_version_is_answered_before_argparse_or_the_config() -> None:
    done = subprocess.run([sys.executable, "-c", VERSION_PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("caro ") and done.stdout.split()[1][0].isdigit()
    assert done.stderr.strip() == "loaded:"  # none of them


def test_version_through_the_command(caro: CaroRunner) -> None:
    from caro import __version__

    for flag in ("--version", "-V"):
        done = caro(flag)
        assert (done.returncode, done.stdout) == (0, f"caro {__version__}\n")
