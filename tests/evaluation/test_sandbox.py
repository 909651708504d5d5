"""The sandbox keeps commands away from the real machine and stops runaway commands (real bubblewrap)."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from caro.evaluation.sandbox import Limits, Sandbox
from tests.evaluation.conftest import open_sandbox


def test_works_in_the_fixture_and_reports_effects(sandbox: Sandbox) -> None:
    outcome = sandbox.run("cat notes/a.txt; echo new > b.txt; touch ~/c; pwd; echo ~",
                          {"notes/a.txt": "hello\n"})
    assert outcome.status == 0
    assert outcome.stdout == b"hello\n/home/user/work\n/home/user\n"
    assert set(outcome.tree) == {"notes", "notes/a.txt", "b.txt", "~/c"}
    assert outcome.tree["b.txt"].kind == "f"


def test_cannot_read_files_outside(sandbox: Sandbox, tmp_path: Path, isolated_home: Path) -> None:
    marker = uuid.uuid4().hex
    secret = tmp_path / f"secret-{marker}.txt"
    secret.write_text(f"password {marker}\n")
    (isolated_home / "id_rsa").write_text(f"key {marker}\n")
    attempt = (f"cat {secret}; cat {isolated_home}/id_rsa; cat ~/../../{secret}; cat /etc/shadow;"
               f" find / -xdev -name 'secret-{marker}*' 2>/dev/null; ls /root /work /tmp 2>&1")
    outcome = sandbox.run(attempt)
    assert marker.encode() not in outcome.stdout
    assert marker.encode() not in outcome.stderr.replace(f"secret-{marker}".encode(), b"")
    assert outcome.status != 0


def test_cannot_change_files_outside(sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "outside"
    folder.mkdir()
    victim = folder / "keep.txt"
    victim.write_text("original\n")
    os.chmod(folder, 0o777)  # even a folder everyone may write to is out of reach
    # Only the test's own folder is a target; the system folders are probed for write access, never written,
    # so a broken sandbox could not change anything outside this test's temporary folder.
    attempt = (f"echo changed > {victim}; rm -rf {folder}; touch {folder}/new;"
               " for d in /usr /usr/bin /usr/lib; do [ -w $d ] && echo writable:$d; done; true")
    outcome = sandbox.run(attempt)
    assert victim.read_text() == "original\n"
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    assert b"writable:" not in outcome.stdout


def test_has_no_network(sandbox: Sandbox) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        outcome = sandbox.run(f"echo hi > /dev/tcp/127.0.0.1/{port} && echo connected")
        assert b"connected" not in outcome.stdout
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()


def test_cannot_see_or_signal_processes_outside(sandbox: Sandbox) -> None:
    # `kill -0` only asks whether a signal could be sent: a probe that harms nothing even without a sandbox.
    outsider = subprocess.Popen(["sleep", "30"])
    try:
        outcome = sandbox.run(f"kill -0 {outsider.pid} 2>/dev/null && echo reachable; ps -e 2>/dev/null | grep -c sleep")
        assert b"reachable" not in outcome.stdout
        assert outsider.poll() is None
    finally:
        outsider.kill()
        outsider.wait()


def test_endless_loop_is_stopped_by_the_time_limit(sandbox: Sandbox) -> None:
    outcome = sandbox.run("echo start; while :; do :; done")
    assert outcome.timed_out
    assert outcome.status == 137
    assert outcome.stdout == b"start\n"
    assert not outcome.error


def test_output_flood_is_cut_at_the_limit(sandbox: Sandbox) -> None:
    outcome = sandbox.run("yes caro")
    assert outcome.output_exceeded
    assert len(outcome.stdout) == sandbox.limits.output_kb * 1024
    assert outcome.stdout.startswith(b"caro\ncaro\n")


def test_memory_hog_is_refused() -> None:
    with open_sandbox(Limits(time_s=10, memory_mb=256)) as box:
        outcome = box.run("python3 -c 'b = bytearray(1024**3); print(len(b))'")
    assert outcome.status != 0
    assert b"MemoryError" in outcome.stderr
    assert outcome.stdout == b""


def test_fork_bomb_and_escaped_background_processes_are_ended(sandbox: Sandbox) -> None:
    tag = f"{os.getpid() % 1000 + 1000}.{uuid.uuid4().int % 10**6}"
    outcome = sandbox.run(f"setsid sleep {tag} & nohup sleep {tag} & f() {{ f | f & }}; f; echo done")
    # The bomb runs in the background, so the shell goes on and says done; the driver then ends it all.
    assert (outcome.status, outcome.stdout, outcome.error) == (0, b"done\n", "")
    leftovers = subprocess.run(["pgrep", "-f", f"sleep {tag}"], capture_output=True, text=True)
    assert leftovers.stdout == ""


def test_disk_use_is_bounded(sandbox: Sandbox) -> None:
    outcome = sandbox.run("head -c 200M /dev/zero > big; echo $?")
    assert outcome.stdout != b"0\n"
    assert "big" in outcome.tree


def test_identical_runs_give_identical_effects(sandbox: Sandbox) -> None:
    files = {"a.txt": "x\n", "d/b.txt": "y\n"}
    first = sandbox.run("ls -la; ls -l d; mkdir e", files)
    second = sandbox.run("ls -la; ls -l d; mkdir e", files)
    assert first.same_effects(second)


def test_absolute_fixture_paths_setup_and_working_folder(sandbox: Sandbox) -> None:
    files = {"/testbed/a.txt": "hello\n", "/testbed/empty/": "", "/workspace/b.txt": "b\n", "rel.txt": "r\n"}
    outcome = sandbox.run("cat a.txt /workspace/b.txt; pwd; ls; ls -l --time-style=+%F old new | cut -d' ' -f6-",
                          files, setup="echo made > new; touch -d 2020-01-01 old", cwd="/testbed")
    assert outcome.status == 0, outcome.stderr
    assert outcome.stdout == (b"hello\nb\n/testbed\na.txt\nempty\nnew\nold\n"
                              b"2024-01-01 new\n2020-01-01 old\n")  # setup's files get the fixed date
    assert {"/testbed/a.txt", "/testbed/empty", "/testbed/new", "/workspace/b.txt", "rel.txt"} <= set(outcome.tree)
    again = sandbox.run("cat a.txt /workspace/b.txt; pwd; ls; ls -l --time-style=+%F old new | cut -d' ' -f6-",
                        files, setup="echo made > new; touch -d 2020-01-01 old", cwd="/testbed")
    assert again.same_effects(outcome)


def test_changes_in_absolute_folders_are_seen(sandbox: Sandbox) -> None:
    files = {"/testbed/a.txt": "hello\n"}
    before = sandbox.run("true", files)
    after = sandbox.run("rm /testbed/a.txt; mkdir /testbed/new", files)
    assert "/testbed/a.txt" in before.tree and "/testbed/a.txt" not in after.tree
    assert after.tree["/testbed/new"].kind == "d"


@pytest.mark.parametrize("name", ["/etc/passwd", "/home/user/x", "/tmp/x", "/*/x", "/a b/x", "/x"])
def test_system_folders_cannot_be_fixtures(sandbox: Sandbox, name: str) -> None:
    with pytest.raises(ValueError, match="folder of its own"):
        sandbox.run("true", {name: "x"})


@pytest.mark.parametrize(("command", "status", "stages", "failed"), [
    ("grep x /nonexistent | wc -l", 0, (2, 0, 0), True),  # exits 0 and prints 0, and still failed
    ("grep nomatch /etc/passwd | wc -l", 0, (1, 0, 0), False),  # found nothing: silent, not a failure
    ("yes | head -n 1", 0, (141, 0, 0), False),  # SIGPIPE upstream is how head ends a pipeline
    ("! false", 0, (1, 0), False),
    ("grep x /nonexistent 2>/dev/null | wc -l", 0, (2, 0, 0), True),  # an error, even when silenced
    ("false | true", 0, (1, 0, 0), False),
    ("ls /nonexistent", 2, (2, 2), True),
])
def test_pipeline_failures_are_recorded(sandbox: Sandbox, command: str, status: int, stages: tuple[int, ...],
                                        failed: bool) -> None:
    outcome = sandbox.run(command)
    assert (outcome.status, outcome.pipestatus, outcome.failed()) == (status, stages, failed)


def test_effects_are_changes_from_the_start_state(sandbox: Sandbox) -> None:
    # The setup writes a different file each run (like gzip's timestamp); what the command changed is the same.
    files = {"/testbed/a.txt": "hello\n"}
    setup = "date +%N > /testbed/clock"
    first = sandbox.run("rm /testbed/a.txt; echo x > /testbed/b.txt", files, setup=setup)
    second = sandbox.run("rm /testbed/a.txt; echo x > /testbed/b.txt", files, setup=setup)
    assert first.tree["/testbed/clock"] != second.tree["/testbed/clock"]
    assert set(first.changes) == {"/testbed/a.txt", "/testbed/b.txt"}
    assert first.changes["/testbed/a.txt"] is None  # removed
    assert first.same_effects(second)
    assert sandbox.run("true", files, setup=setup).changes == {}
