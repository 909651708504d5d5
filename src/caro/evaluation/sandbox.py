"""Throw-away bubblewrap sandboxes: run one command against a fixture file tree and report its effects.

Each run gets a fresh set of namespaces (no network, own PIDs, own hostname), a read-only /usr, a made-up
/etc with one user, and size-limited tmpfs mounts for /home (the fixture is copied to ~/work, the working
directory), /tmp
and the capture folder. Nothing of the real file system outside /usr is mounted, so the user's files
cannot be read or changed. Limits: wall time (coreutils `timeout -s KILL` inside, a host-side kill as a
backstop), address space and process count (rlimits), output size (the capture tmpfs is small; a command
that writes more is cut off and marked). When caro runs as root the sandbox is started as `nobody`, because
the kernel does not apply the process-count limit to root.

A fixture may also lay out files at absolute paths (`/testbed/...`, `/workspace/...`): each such top-level
folder is a size-limited tmpfs of its own, filled from the fixture and compared like the home folder. A
fixture's `setup` script runs before the command, in the same sandbox, with its output discarded; files it
creates get the fixed timestamp (unless it set an older one itself), so runs repeat.

The result comes back as a tar stream on the sandbox's stdout: the command's stdout, stderr, exit status
and the exit statuses of its last pipeline's stages, a listing of the state it started from, and the home
folder and fixture folders as they were left. Only the host reads it; the command's own output never
reaches the host's streams.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HOME = "/home/user"
# The working directory: a project folder inside the home, so `pwd`, `~` and `..` are all different places.
WORK = "/home/user/work"
CAPTURE = "/.caro"
# Fixture files get a fixed timestamp so `ls -l` prints the same thing in every sandbox.
FIXED_MTIME = 1_704_110_400  # 2024-01-01 12:00 UTC
# Fixture files are an hour apart, in the order the case lists them (the first is the oldest), so
# `ls -t` and `find -newer` have an order to find; folders get FIXED_MTIME.
FILE_STEP_S = 3600

# Exit statuses the driver reports for limits.
STATUS_TIMEOUT = 137  # timeout -s KILL
NOBODY = 65534

# Top-level folders a fixture may not use: the system the sandbox is built from, and its own parts.
RESERVED_ROOTS = frozenset({"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev", "sys",
                            "run", "home", "tmp", ".caro", ".fixture", "boot", "root"})

# A fixture folder's name: plain characters only (the driver lists the folders unquoted).
_ROOT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

# Appended to the command (on its own line): records the exit status of each stage of the last pipeline,
# so a reference whose `grep missing.txt | wc -l` fails inside the pipeline is known to fail.
# The last number is the command's own status ($?, which differs from the last stage's after `!`).
_TRAILER = '\n__caro_ps=("${PIPESTATUS[@]}" "$?"); echo "${__caro_ps[*]}" >/.caro/pipestatus; exit "${__caro_ps[-1]}"'

_DRIVER = r"""
umask 022
mkdir -p "$CARO_WORK"
cp -a /.fixture/work/. "$CARO_WORK"/ 2>/dev/null
for root in $CARO_ROOTS; do cp -a "/.fixture/abs/$root/." "/$root"/ 2>/dev/null; touch -h -d @__MTIME__ "/$root"; done
touch -h -d @__MTIME__ "$CARO_WORK" "$HOME" /home
if [ -n "$CARO_SETUP" ]; then
  touch /tmp/.caro-before-setup
  (cd "$CARO_CWD" 2>/dev/null || cd "$CARO_WORK"; timeout -s KILL "$CARO_TIME_LIMIT" /bin/bash -c "$CARO_SETUP") \
    >/dev/null 2>&1 </dev/null
  kill -KILL -1 2>/dev/null
  for place in "$HOME" $CARO_ROOTS; do
    find "/${place#/}" -newer /tmp/.caro-before-setup -exec touch -h -d @__MTIME__ {} + 2>/dev/null
  done
  rm -f /tmp/.caro-before-setup
fi
# The state the command starts from, so its effects are what it changed (a setup that writes the time
# into a file gives each run a different start; the command's changes are what is compared).
cd /
find home/user $CARO_ROOTS -printf '%y\t%m\t%l\t%p\0' >/.caro/before-entries 2>/dev/null
find home/user $CARO_ROOTS -type f -print0 2>/dev/null | xargs -0 -r sha256sum -z >/.caro/before-sums 2>/dev/null
cd "$CARO_CWD" || exit 90
timeout -s KILL "$CARO_TIME_LIMIT" /bin/bash -c "$CARO_COMMAND$CARO_TRAILER" >/.caro/stdout 2>/.caro/stderr </dev/null
status=$?
# End whatever the command left behind (background jobs, setsid escapees, fork bombs): this is the
# sandbox's own PID namespace, so -1 reaches only its processes.
kill -KILL -1 2>/dev/null; kill -KILL -1 2>/dev/null
# Keep one byte past the limit so the host can tell the output was cut, and free room for the status.
truncate -s "<$CARO_OUTPUT_LIMIT" /.caro/stdout /.caro/stderr
echo "$status" >/.caro/status
cd /
exec tar --numeric-owner -cf - .caro home/user $CARO_ROOTS 2>/dev/null
""".replace("__MTIME__", str(FIXED_MTIME))

_PASSWD = "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000:user:/home/user:/bin/bash\n"
_GROUP = "root:x:0:\nuser:x:1000:\n"


@dataclass(frozen=True)
class Limits:
    """Per-command limits."""

    time_s: float = 5.0
    memory_mb: int = 1024  # address space
    output_kb: int = 256  # stdout and stderr each
    disk_mb: int = 32  # the tmpfs holding the home folder
    processes: int = 64  # beyond what the sandbox's user already runs


@dataclass(frozen=True)
class Entry:
    """One file-tree entry: kind (f file, d dir, l link), permission bits, and a content digest or link target."""

    kind: str
    mode: int
    digest: str = ""


@dataclass
class Outcome:
    """What one command did in its sandbox."""

    status: int
    stdout: bytes
    stderr: bytes
    tree: dict[str, Entry] = field(default_factory=dict)
    # Exit status of each stage of the command's last pipeline, then the command's own; empty when
    # unknown (the command called `exit`).
    pipestatus: tuple[int, ...] = ()
    # What the command changed: path -> its entry afterwards, or None when it removed it.
    changes: dict[str, Entry | None] = field(default_factory=dict)
    timed_out: bool = False
    output_exceeded: bool = False
    error: str = ""  # the sandbox itself failed (not the command)

    @property
    def limited(self) -> bool:
        return self.timed_out or self.output_exceeded

    def failed(self, expected: int = 0) -> bool:
        """The command failed: an exit status other than `expected`, or a stage of its pipeline failed
        (`grep x missing.txt | wc -l` exits 0 and prints 0, and still failed). A stage fails with a status
        of 2 or more (an error, by the convention of grep, diff, ls...), or with 1 and a message on stderr;
        a stage ended by SIGPIPE (141, `yes | head`) or a silent 1 (`grep` found nothing) is not a failure."""
        if self.status != expected:
            return True
        stages = self.pipestatus[:-2]  # the last stage's status is the command's, checked above
        return any(code not in (0, 1, 141) or (code == 1 and bool(self.stderr)) for code in stages)

    def same_effects(self, other: Outcome) -> bool:
        """Same stdout, stderr, exit status and changes to the file tree."""
        return (self.status, self.stdout, self.stderr, self.changes) == (other.status, other.stdout, other.stderr,
                                                                         other.changes)

    def differences(self, other: Outcome) -> list[str]:
        """What differs from `other`, in words (for the report)."""
        found = []
        if self.status != other.status:
            found.append(f"exit status {self.status} vs {other.status}")
        if self.stdout != other.stdout:
            found.append("stdout differs")
        if self.stderr != other.stderr:
            found.append("stderr differs")
        if self.changes != other.changes:
            changed = sorted(p for p in set(self.changes) | set(other.changes)
                             if self.changes.get(p, "") != other.changes.get(p, ""))
            found.append("files differ: " + ", ".join(changed[:5]))
        return found


class SandboxUnavailable(Exception):
    """bubblewrap is missing or cannot create namespaces here; the text says which."""


def _mounts_for_system() -> list[str]:
    """Read-only system parts: /usr, the merged-/usr links (or real dirs), and a few harmless /etc files."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    # Debian's /usr/bin/awk and friends point into /etc/alternatives.
    for name in ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "mime.types"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _running_processes(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


class Sandbox:
    """Runs commands in bubblewrap sandboxes. Construct once; `run()` many times."""

    def __init__(self, limits: Limits | None = None, bwrap: str | None = None) -> None:
        self.limits = limits or Limits()
        found = bwrap or shutil.which("bwrap")
        if not found:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed; install it with 'apt-get install bubblewrap' "
                "(Debian/Ubuntu) or 'dnf install bubblewrap' (Fedora)"
            )
        self.bwrap = found
        # As root, start the sandbox as nobody so the process-count limit applies (the kernel exempts root).
        self._as_nobody = os.geteuid() == 0
        self._staging = Path(tempfile.mkdtemp(prefix="caro-sandbox-", dir=self._staging_parent()))
        os.chmod(self._staging, 0o755)
        self._etc = self._staging / "etc"
        self._etc.mkdir()
        (self._etc / "passwd").write_text(_PASSWD)
        (self._etc / "group").write_text(_GROUP)
        (self._etc / "hostname").write_text("sandbox\n")
        for path in self._etc.iterdir():
            path.chmod(0o644)
        probe = self.run("echo ok")
        if probe.error or probe.stdout != b"ok\n":
            self.close()
            raise SandboxUnavailable(
                f"bubblewrap cannot create a sandbox here ({probe.error or probe.stderr.decode(errors='replace').strip()}); "
                "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, "
                "or the AppArmor userns restriction on Ubuntu)"
            )

    def _staging_parent(self) -> str:
        """The temp folder, unless `nobody` could not reach into it (a private TMPDIR): then /tmp."""
        parent = Path(tempfile.gettempdir()).resolve()
        if self._as_nobody and not all(p.stat().st_mode & 0o001 for p in [parent, *parent.parents]):
            return "/tmp"
        return str(parent)

    def close(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_fixture(self, files: dict[str, str]) -> Path:
        """Lay the fixture out on the host: relative paths under work/, absolute ones under abs/."""
        root = Path(tempfile.mkdtemp(prefix="fixture-", dir=self._staging))
        root.chmod(0o755)
        (root / "work").mkdir()
        (root / "abs").mkdir()
        for name, contents in files.items():
            if name.startswith("/"):
                top = fixture_root(name)
                if top is None:
                    raise ValueError(f"fixture path must be inside a folder of its own, not a system one: {name}")
                target, base = root / "abs" / name.lstrip("/"), root / "abs" / top
            else:
                target, base = root / "work" / name, root / "work"
            if not target.resolve().is_relative_to(base.resolve()):
                raise ValueError(f"fixture path leaves the fixture folder: {name}")
            if name.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(contents, encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        for index, name in enumerate(files):
            if not name.endswith("/"):
                stamp = FIXED_MTIME + index * FILE_STEP_S
                os.utime(root / ("abs" if name.startswith("/") else "work") / name.lstrip("/"), (stamp, stamp))
        for path in [root, *root.rglob("*")]:
            if path.is_dir():  # after the files: writing into a folder touches it
                os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        return root

    def _argv(self, fixture: Path, command: str, roots: list[str], setup: str, cwd: str) -> list[str]:
        limits = self.limits
        out_bytes = str(2 * limits.output_kb * 1024 + 320 * 1024)  # and the listing of the start state
        mounts: list[str] = []
        for root in roots:
            mounts += ["--size", str(limits.disk_mb * 1024 * 1024), "--tmpfs", f"/{root}"]
        return [
            self.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--uid", "1000", "--gid", "1000",
            "--hostname", "sandbox",
            "--die-with-parent",
            "--new-session",
            "--cap-drop", "ALL",
            *_mounts_for_system(),
            "--ro-bind", str(self._etc / "passwd"), "/etc/passwd",
            "--ro-bind", str(self._etc / "group"), "/etc/group",
            "--ro-bind", str(self._etc / "hostname"), "/etc/hostname",
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(16 * 1024 * 1024), "--tmpfs", "/tmp",
            "--size", str(limits.disk_mb * 1024 * 1024), "--tmpfs", "/home",
            "--size", out_bytes, "--tmpfs", CAPTURE,
            *mounts,
            "--ro-bind", str(fixture), "/.fixture",
            "--chdir", "/",
            "--clearenv",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "--setenv", "HOME", HOME,
            "--setenv", "CARO_WORK", WORK,
            "--setenv", "USER", "user",
            "--setenv", "LOGNAME", "user",
            "--setenv", "SHELL", "/bin/bash",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "LC_ALL", "C.UTF-8",
            "--setenv", "TZ", "UTC",
            "--setenv", "TERM", "dumb",
            # zip stores access times, which reading the files changes: leave them out so archives repeat.
            "--setenv", "ZIPOPT", "-X",
            "--setenv", "CARO_TIME_LIMIT", f"{limits.time_s:g}",
            "--setenv", "CARO_OUTPUT_LIMIT", str(limits.output_kb * 1024 + 1),
            "--setenv", "CARO_COMMAND", command,
            "--setenv", "CARO_TRAILER", _TRAILER,
            "--setenv", "CARO_ROOTS", " ".join(roots),
            "--setenv", "CARO_SETUP", setup,
            "--setenv", "CARO_CWD", cwd or WORK,
            "/bin/bash", "-c", _DRIVER,
        ]

    def run(self, command: str, files: dict[str, str] | None = None, *, setup: str = "", cwd: str = "") -> Outcome:
        """Run `command` with bash in a fresh sandbox holding `files` (relative ones in ~/work, absolute ones
        where they say), after `setup`, in `cwd` (default ~/work)."""
        import resource

        limits = self.limits
        files = files or {}
        roots = sorted({top for name in files if (top := fixture_root(name))})
        fixture = self._write_fixture(files)
        uid = NOBODY if self._as_nobody else os.getuid()
        nproc = _running_processes(uid) + limits.processes
        memory = limits.memory_mb * 1024 * 1024
        file_size = limits.disk_mb * 1024 * 1024

        def set_limits() -> None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        user = NOBODY if self._as_nobody else None
        try:
            proc = subprocess.run(
                self._argv(fixture, command, roots, setup, cwd),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                preexec_fn=set_limits,
                timeout=limits.time_s + 20,  # backstop: the driver's own timeout should end it first
                cwd="/",
                user=user,
                group=user,
                extra_groups=[] if user is not None else None,
            )
        except subprocess.TimeoutExpired:
            return Outcome(STATUS_TIMEOUT, b"", b"", timed_out=True, error="the sandbox did not finish in time")
        except OSError as exc:
            return Outcome(-1, b"", b"", error=f"cannot start bubblewrap: {exc}")
        finally:
            shutil.rmtree(fixture, ignore_errors=True)
        return self._read(proc, roots)

    def _read(self, proc: subprocess.CompletedProcess[bytes], roots: list[str]) -> Outcome:
        try:
            with tarfile.open(fileobj=io.BytesIO(proc.stdout), mode="r:") as archive:
                return self._unpack(archive, roots)
        except tarfile.TarError:
            detail = proc.stderr.decode(errors="replace").strip() or f"exit status {proc.returncode}"
            return Outcome(-1, b"", proc.stderr, error=detail)

    @staticmethod
    def _entry(archive: tarfile.TarFile, member: tarfile.TarInfo) -> Entry:
        if member.isdir():
            return Entry("d", member.mode & 0o7777)
        if member.issym():
            return Entry("l", 0, member.linkname)
        if member.isfile():
            handle = archive.extractfile(member)
            data = handle.read() if handle else b""
            return Entry("f", member.mode & 0o7777, hashlib.sha256(data).hexdigest())
        return Entry("o", member.mode & 0o7777)

    def _unpack(self, archive: tarfile.TarFile, roots: list[str]) -> Outcome:
        captured: dict[str, bytes] = {}
        tree: dict[str, Entry] = {}
        for member in archive.getmembers():
            name = member.name.removeprefix("./").rstrip("/")
            if name.startswith(".caro/") and member.isfile():
                handle = archive.extractfile(member)
                captured[name.partition("/")[2]] = handle.read() if handle else b""
            elif (path := _tree_path(name, roots)) is not None:
                tree[path] = self._entry(archive, member)
        if "status" not in captured:
            return Outcome(-1, b"", b"", error="the sandbox produced no result")
        status = int(captured["status"].strip() or b"-1")
        try:
            stages = tuple(int(code) for code in captured.get("pipestatus", b"").split())
        except ValueError:
            stages = ()
        limit = self.limits.output_kb * 1024
        stdout, stderr = captured.get("stdout", b""), captured.get("stderr", b"")
        exceeded = len(stdout) >= limit or len(stderr) >= limit
        before = _before_tree(captured.get("before-entries", b""), captured.get("before-sums", b""), roots)
        changes: dict[str, Entry | None] = {path: tree.get(path) for path in set(tree) | set(before)
                                            if tree.get(path) != before.get(path)}
        return Outcome(
            status,
            stdout[:limit],
            stderr[:limit],
            tree,
            pipestatus=stages,
            changes=changes,
            timed_out=status == STATUS_TIMEOUT,
            output_exceeded=exceeded,
        )


def _tree_path(name: str, roots: list[str]) -> str | None:
    """An archive or listing name -> the path a case names: `a.txt` in the working folder, `~/x` elsewhere
    in the home, `/testbed/a` in a fixture folder; None for anything else."""
    name = name.removeprefix("./").rstrip("/")
    if name.partition("/")[0] in roots:
        return "/" + name
    if name.startswith("home/user/") and name != "home/user/work":
        inside = name.removeprefix("home/user/")
        return inside.removeprefix("work/") if inside.startswith("work/") else "~/" + inside
    return None


def _before_tree(entries: bytes, sums: bytes, roots: list[str]) -> dict[str, Entry]:
    """The start state from the driver's `find` listing and `sha256sum -z` digests."""
    digests: dict[str, str] = {}
    for line in sums.split(b"\0"):
        digest, _, name = line.decode(errors="surrogateescape").partition("  ")
        if name:
            digests[name] = digest
    tree: dict[str, Entry] = {}
    for record in entries.split(b"\0"):
        fields = record.decode(errors="surrogateescape").split("\t", 3)
        if len(fields) != 4:
            continue
        kind, mode, target, name = fields
        path = _tree_path(name, roots)
        if path is None:
            continue
        bits = int(mode, 8) if mode.isdigit() else 0
        if kind == "d":
            tree[path] = Entry("d", bits)
        elif kind == "l":
            tree[path] = Entry("l", 0, target)
        elif kind == "f":
            tree[path] = Entry("f", bits, digests.get(name, ""))
        else:
            tree[path] = Entry("o", bits)
    return tree


def fixture_root(name: str) -> str | None:
    """The top-level folder an absolute fixture path lives in (`/testbed/a.txt` -> `testbed`); None for a
    relative path, or one in a folder the sandbox is built from (`/usr`, `/etc`, `/home`...)."""
    if not name.startswith("/"):
        return None
    parts = Path(name).parts
    if len(parts) < (2 if name.endswith("/") else 3) or parts[1] in RESERVED_ROOTS or ".." in parts or not _ROOT_NAME.fullmatch(parts[1]):
        return None
    return parts[1]
