"""Rules by meaning: each looks at one simple command (name, flags, targets, pipes) and says what it does.

A rule returns Findings: a level and a sentence the user can read. Rules see commands after wrappers
are peeled off, with quotes removed, so `\\rm`, `/bin/rm`, `'rm'`, `sudo rm` and `bash -c 'rm …'` all
reach the same `rm` rule, while text that is only data (`echo 'rm -rf /'`) never becomes a command.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety import code, effects, rules_more, wrappers
from caro.safety.model import (
    CRITICAL,
    HIGH,
    MODERATE,
    SAFE,
    Command,
    Finding,
    Found,
    LazyPattern,
    Redirect,
    _quoted,
)
from caro.safety.paths import Scope, normalise, scope

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

    Rule = Callable[[Command], list[Finding]]
GLOBBED = LazyPattern(r"[*?\[]")
RULES: dict[str, Rule] = {}


def rule(*names: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for name in names:
            RULES[name] = fn
        return fn

    return register


def said(cmd: Command, level: int, sentence: str) -> Finding:
    """A finding that names the command it is about."""
    via = f" (through {', '.join(v for v in cmd.via if v)})" if cmd.via else ""
    return Finding(level, f"{cmd.label()}{via}: {sentence}")


def flags(args: list[str]) -> tuple[set[str], set[str], list[str]]:
    """(short letters, long options, operands, brace-expanded) of a POSIX-style argument list."""
    short: set[str] = set()
    long: set[str] = set()
    operands: list[str] = []
    done = False
    for arg in args:
        if done or arg == "-" or not arg.startswith("-"):
            operands.extend(expand_braces(arg))
        elif arg == "--":
            done = True
        elif arg.startswith("--"):
            long.add(arg.split("=", 1)[0])
        else:
            short.update(arg[1:])
    return short, long, operands


def expand_braces(word: str) -> list[str]:
    """`/{bin,etc}` -> ['/bin', '/etc'] (one level, enough to see what is reached)."""
    match = rx.search(r"\{([^{}]*,[^{}]*)\}", word)
    if not match:
        return [word]
    return [word[:match.start()] + part + word[match.end():] for part in match.group(1).split(",")][:16]


def ps_param(args: list[str], name: str, shortest: int = 1) -> bool:
    """PowerShell switch given by any unambiguous prefix (-r, -Rec, -Recurse), or cmd's /S style."""
    for arg in args:
        low = arg.lower().split(":", 1)[0]
        if low.startswith("-") and len(low) - 1 >= shortest and name.startswith(low[1:]):
            return True
    return False


# ----- deletion ------------------------------------------------------------------------------------
def in_cwd(cmd: Command, target: str) -> str:
    """A relative target seen from the folder an earlier `cd` moved to (`cd ~ && rm -rf *`)."""
    if cmd.cwd and not target.startswith(("/", "~", "$")) and not rx.match(r"^[A-Za-z]:", target):
        return cmd.cwd.rstrip("/") + "/" + target
    return target


def deletion_level(sc: Scope, recursive: bool) -> int:
    kind = sc.kind
    if sc.critical_file:
        return CRITICAL
    if sc.sensitive and kind not in ("root", "home", "system", "device"):
        return HIGH
    if kind in ("root", "home", "system", "device"):
        if recursive or kind in ("system", "device"):
            return CRITICAL
        return HIGH
    if kind in ("home-sub", "system-sub", "cwd", "parent", "unknown"):
        return HIGH if recursive or kind == "system-sub" else MODERATE
    return HIGH if sc.sensitive else MODERATE


def _scope_sentence(sc: Scope, recursive: bool) -> str:
    how = "recursively deletes" if recursive else "deletes"
    if sc.maybe_empty:
        return f"{how} {sc.describe()} if a variable in {sc.path} is empty or unset."
    if sc.kind == "root":
        return f"{how} the whole filesystem ({sc.path}): every file on the machine."
    if sc.sensitive and sc.kind not in ("root", "home", "system", "device"):
        return f"{how} {_quoted(sc.path)}, which holds keys, credentials or shell history."
    if sc.kind == "file":
        return f"{how} {_quoted(sc.path)}; deleted files do not go to a trash can."
    return f"{how} {sc.describe()} ({sc.path})."


def judge_deletion(cmd: Command, targets: list[str], recursive: bool, *, force_all: bool = False) -> list[Finding]:
    found: list[Finding] = []
    scopes = [scope(in_cwd(cmd, cmd.resolved.get(t, t))) for t in targets if t != "{}"]
    if cmd.found is not None and ("{}" in targets or not targets or "xargs" in cmd.via[-1:]):
        for root in cmd.found.roots:
            sc = scope(root) if root else Scope("unknown", "the paths piped in")
            level = deletion_level(sc, True)
            if cmd.found.narrowed and level >= HIGH:
                routine = normalise(root).startswith(("/var/log", "/var/cache", "/tmp", "/var/tmp"))
                level = HIGH if sc.kind in ("root", "system", "device") and not routine else MODERATE
            elif cmd.found.filtered and level >= HIGH and sc.kind not in ("root", "home", "system", "device"):
                level = MODERATE  # `find . -mtime +30 -delete`: old files in a project; from ~ or / it could be all
            what = "files it finds under" if root else "every path it reads from its input:"
            found.append(said(cmd, level, f"deletes {what} {sc.describe() if root else ''} ({root or 'stdin'})."
                              .replace("  ", " ")))
    for sc in scopes:
        level = deletion_level(sc, recursive or force_all)
        found.append(said(cmd, level, _scope_sentence(sc, recursive)))
    return found


@rule("rm", "unlink", "srm", "trash", "trash-put", "gio")
def _rm(cmd: Command) -> list[Finding]:
    if cmd.name == "gio" and cmd.args[:1] not in (["remove"], ["trash"]):
        return []
    short, long, operands = flags(cmd.args)
    if cmd.name == "gio":
        operands = operands[1:]
    recursive = bool({"r", "R"} & short) or "--recursive" in long
    found = judge_deletion(cmd, operands, recursive)
    if "--no-preserve-root" in long:
        found.append(said(cmd, CRITICAL, "--no-preserve-root removes the last guard against deleting /."))
    if cmd.name in ("trash", "trash-put", "gio"):
        found = [Finding(min(f.level, MODERATE), f.reason) for f in found]
    return found


@rule("rmdir")
def _rmdir(cmd: Command) -> list[Finding]:
    _, _, operands = flags(cmd.args)
    if cmd.windows or any(a.lower() == "/s" for a in cmd.args):
        return _windows_delete(cmd)
    return [said(cmd, MODERATE, f"removes {scope(t).describe()} ({t}) if it is empty.")
            for t in operands if scope(t).kind in ("root", "system", "home")]


@rule("shred", "wipe")
def _shred(cmd: Command) -> list[Finding]:
    short, _, operands = flags(cmd.args)
    found: list[Finding] = []
    if cmd.found is not None and ("{}" in operands or not operands or cmd.via[-1:] == ("xargs",)):
        found += [Finding(f.level, f.reason.replace("deletes", "overwrites beyond recovery", 1))
                  for f in judge_deletion(cmd, ["{}"], True)]
        operands = [o for o in operands if o != "{}"]
    for t in operands:
        sc = scope(t)
        if sc.kind == "device":
            found.append(said(cmd, CRITICAL, f"overwrites the disk device {t} with random data: everything on it is destroyed."))
        else:
            level = max(deletion_level(sc, "r" in short), HIGH if sc.sensitive else MODERATE)
            found.append(said(cmd, level, f"overwrites {t} so it can never be recovered."))
    return found


@rule("remove-item", "del", "erase", "rd")
def _windows_delete(cmd: Command) -> list[Finding]:
    args = cmd.args
    lower = [a.lower() for a in args]
    recursive = ps_param(args, "recurse") or "/s" in lower
    valued = {"-include", "-exclude", "-filter", "-stream", "-credential"}
    targets: list[str] = []
    skip = False
    for arg, low in zip(args, lower, strict=True):
        if skip:
            skip = False
            continue
        if low in valued:
            skip = True
            continue
        if low in ("-path", "-literalpath", "-lp"):
            continue
        if low.startswith(("-path:", "-literalpath:")):
            targets.append(arg.split(":", 1)[1])
            continue
        if low.startswith("-") or (low.startswith("/") and len(low) == 2):
            continue
        targets.extend(t for t in arg.split(",") if t)
    if not targets:
        lister = next((u for u in cmd.upstream if u.name in ("get-childitem", "gci", "dir", "ls", "get-item", "gi")), None)
        if lister is not None:
            # `Get-ChildItem C:\ -Recurse | Remove-Item`: what is deleted is what the listing finds
            args, roots, narrowed, skip = lister.args, [], False, False
            for arg in args:
                low = arg.lower()
                if skip:
                    skip = False
                    continue
                if low in ("-include", "-filter", "-exclude", "-name"):
                    narrowed, skip = True, low != "-name"
                elif not low.startswith("-"):
                    roots.append(arg)
            narrowed = narrowed or any(GLOBBED.search(r.rsplit("\\", 1)[-1].rsplit("/", 1)[-1]) and
                                       r.rsplit("\\", 1)[-1] not in ("*", "*.*") for r in roots)
            probe = Command(argv=[cmd.argv[0], "{}"], text=cmd.text, via=cmd.via, windows=True,
                            found=Found(tuple(roots) or (".",), narrowed))
            return judge_deletion(probe, ["{}"], True)
    registry = [t for t in targets if rx.match(r"^(?:hk\w+:|registry::|hkey_)", t, rx.IGNORECASE)]
    if registry:
        machine = any(rx.match(r"^(?:hklm:|registry::hkey_local_machine|hkey_local_machine|hkcr:)", t, rx.IGNORECASE)
                      for t in registry)
        level = CRITICAL if machine and recursive else HIGH
        return [said(cmd, level, f"deletes registry keys{' and everything under them' if recursive else ''} "
                                 f"({registry[0]}); Windows or its programs may stop working.")]
    return judge_deletion(cmd, targets, recursive)


@rule("find")
def _find(cmd: Command) -> list[Finding]:
    args = cmd.args
    outputs = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-fprint", "-fprint0", "-fls")]
    outputs += [args[i + 1] for i, a in enumerate(args[:-2]) if a == "-fprintf"]
    written = _writes_into(cmd, outputs)  # `find . -fprint /etc/passwd` overwrites the file it prints into
    if "-delete" not in cmd.args:
        return written
    context = wrappers.find_context(cmd)
    probe = Command(argv=["find", "{}"], text=cmd.text, via=cmd.via, found=context)
    return written + [Finding(f.level, f.reason.replace("find {}", cmd.label(), 1))
                      for f in judge_deletion(probe, ["{}"], True)]


@rule("rsync")
def _rsync(cmd: Command) -> list[Finding]:
    _, long, operands = flags(cmd.args)
    found: list[Finding] = []
    if "--remove-source-files" in long and len(operands) > 1:
        found += [Finding(f.level, f.reason.replace("deletes", "moves away (deletes after copying)", 1))
                  for f in judge_deletion(cmd, operands[:-1], True)]
    if any(o.startswith("--delete") or o == "--remove-source-files" for o in long) and operands:
        dest = operands[-1]
        sc = scope(dest.split(":", 1)[1] if rx.match(r"^[\w.@-]+:", dest) else dest)
        level = deletion_level(sc, True)
        found.append(said(cmd, level, f"--delete removes files in {sc.describe()} ({dest}) that the source lacks."))
    found += _credential_upload(cmd, operands[:-1])
    return found + _writes_into(cmd, operands[-1:]) if len(operands) > 1 else found


@rule("mv", "move-item", "move")
def _mv(cmd: Command) -> list[Finding]:
    _, _, operands = flags(cmd.args) if not cmd.windows else (set(), set(), [a for a in cmd.args if not a.startswith(("-", "/"))])
    if len(operands) < 2:
        return []
    *sources, dest = operands
    found: list[Finding] = []
    if dest in ("/dev/null", "nul", "$null"):
        return judge_deletion(cmd, sources, True)
    for src in sources:
        sc = scope(src)
        if sc.kind in ("root", "home", "system", "device") or sc.critical_file:
            found.append(said(cmd, CRITICAL, f"moves {sc.describe()} ({src}) away; the system or your account stops working."))
        elif sc.kind in ("system-sub",) or sc.sensitive:
            found.append(said(cmd, HIGH, f"moves {src} away from where the system expects it."))
    return found + _writes_into(cmd, [dest])


# ----- writes into system places -------------------------------------------------------------------
def _write_finding(cmd: Command, target: str, append: bool) -> list[Finding]:
    low = target.lower()
    if low in ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "nul", "$null", "/dev/zero") or low.startswith("/dev/fd/"):
        return []
    if low.startswith(("/dev/tcp/", "/dev/udp/")):
        return []  # judged by the network rule
    if low == "/proc/sysrq-trigger":
        return [said(cmd, CRITICAL, "writes to /proc/sysrq-trigger, which can crash or reboot the machine at once.")]
    sc = scope(target)
    if sc.kind == "device":
        return [said(cmd, CRITICAL, f"writes straight onto the disk device {target}, destroying its filesystem.")]
    if sc.critical_file:
        return [said(cmd, CRITICAL, f"{'appends to' if append else 'overwrites'} {target}, which controls logins and "
                                    "administrator rights.")]
    if sc.kind in ("system", "system-sub", "root") or low.startswith(("/proc/", "/sys/", "hklm:", "registry::")):
        return [said(cmd, HIGH, f"writes into the system path {target}.")]
    if sc.kind == "home":
        return [said(cmd, HIGH, f"overwrites {target}: every file it matches in your home folder.")]
    if sc.sensitive:
        if any(k in low for k in ("authorized_keys", "_history", ".ssh/", "sudoers")):
            return [said(cmd, HIGH, f"{'adds to' if append else 'overwrites'} {target}: keys, logins or shell history.")]
        return [said(cmd, MODERATE, f"{'adds to' if append else 'overwrites'} your shell start-up file {target}.")]
    return []


def redirect_findings(cmd: Command, red: Redirect) -> list[Finding]:
    target = red.target.lower()
    if target.startswith(("/dev/tcp/", "/dev/udp/")):
        if cmd.name in wrappers.SHELLS or cmd.name == "exec" or "-i" in cmd.args:
            return [said(cmd, CRITICAL, f"connects a shell to {red.target}: a reverse shell that hands control of "
                                        "this machine to someone else.")]
        return [said(cmd, HIGH, f"sends data to the network address {red.target}.")]
    if ">" not in red.op:
        return []
    if red.target == "{}" and cmd.found is not None:  # `find ~ -exec sh -c ': > "$1"' _ {} \;`
        return [said(cmd, deletion_level(scope(root), True), f"overwrites every file it finds under "
                                                             f"{scope(root).describe()} ({root}).")
                for root in cmd.found.roots[:3] if root]
    found = _write_finding(cmd, red.target, ">>" in red.op)
    if found and cmd.name in ("echo", "printf", "cat") and (scope(red.target).sensitive or "cron" in target):
        found += _planted(cmd, red.target)
    return found


def _planted(cmd: Command, target: str) -> list[Finding]:
    """`echo 'rm -rf ~' >> ~/.profile`: text written into a file the shell or cron runs is judged as the command
    it will become there."""
    from caro.safety.parse import parse

    text = " ".join(cmd.args) if cmd.name != "cat" else (cmd.stdin_text or "")
    text = rx.sub(r"^(?:[\d*/,-]+\s+){5}", "", text.strip())  # a crontab line's five time fields
    if not text or len(text) > 2000:
        return []
    worst = max((f.level for c in parse(text, "bash", fallback_on_error=False).commands for f in judge(c)), default=0)
    if worst < HIGH:
        return []
    return [said(cmd, CRITICAL, f"writes a command into {target}, which runs it later (at every shell start or "
                                "on schedule); that command is judged as if it ran.")]


def _writes_into(cmd: Command, targets: list[str], append: bool = False) -> list[Finding]:
    found: list[Finding] = []
    for t in targets:
        found += _write_finding(cmd, t, append)
    return found


@rule("tee", "cp", "install", "ln", "set-content", "add-content", "out-file", "copy-item", "sed",
      "perl-i", "clear-content", "clc", "xcopy", "copy")
def _writers(cmd: Command) -> list[Finding]:
    short, long, operands = flags(cmd.args)
    name = cmd.name
    if name == "tee":
        return _writes_into(cmd, operands, "a" in short or "--append" in long)
    if name == "sed":
        if "i" not in short and not any(o.startswith("--in-place") for o in long):
            return []
        return _writes_into(cmd, operands[1:] if not ({"e", "f"} & short) else operands)
    if name == "ln":
        found = []
        if operands and operands[0] == "/dev/null" and len(operands) > 1 and scope(operands[-1]).sensitive:
            found.append(said(cmd, HIGH, f"points {operands[-1]} at /dev/null, silently discarding what is saved there."))
        return found + (_writes_into(cmd, operands[-1:]) if len(operands) > 1 else [])
    if name in ("xcopy", "copy") and cmd.windows:  # `xcopy C:\empty C:\Windows /e /y`: the last path is written
        return _writes_into(cmd, [a for a in cmd.args if not a.startswith("/")][1:][-1:])
    if name in ("set-content", "add-content", "out-file", "clear-content", "clc"):
        targets = [a for a in cmd.args if not a.startswith("-")][:1]
        return _writes_into(cmd, targets, name == "add-content")
    if len(operands) > 1:
        found = _writes_into(cmd, operands[-1:])
        return found + _credential_upload(cmd, [])
    return []


# ----- disks and filesystems -----------------------------------------------------------------------
def _devices(args: list[str]) -> list[str]:
    return [a.split("=", 1)[-1] for a in args
            if ("/dev/" in a or "\\\\." in a or "//./" in a or ("rive" in a and "physicaldrive" in a.lower()))
            and scope(a.split("=", 1)[-1]).kind == "device"]


@rule("mkfs", "mke2fs", "mkswap", "newfs", "newfs_apfs", "newfs_hfs", "wipefs", "blkdiscard", "mkfs.ext4", "mkfs.ext3",
      "mkfs.ext2", "mkfs.xfs", "mkfs.btrfs", "mkfs.vfat", "mkfs.fat", "mkfs.ntfs", "mkfs.exfat", "mkfs.f2fs",
      "mkntfs", "mkdosfs", "mkfs.msdos", "mkfs.minix", "mkfs.bfs", "mkfs.cramfs", "mkfs.jfs", "mkfs.reiserfs")
def _mkfs(cmd: Command) -> list[Finding]:
    if any(a in ("-h", "--help", "-V", "--version") for a in cmd.args) or (cmd.name == "wipefs" and not any(
            a in ("-a", "--all") or a.startswith(("-o", "--offset", "-a")) for a in cmd.args)):
        return [] if cmd.name != "wipefs" or not _devices(cmd.args) else [
            said(cmd, MODERATE, "lists or changes filesystem signatures on a disk device.")]
    devices = _devices(cmd.args)
    operands = [a for a in cmd.args if not a.startswith("-")]
    if not devices and operands and all(scope(o).kind == "file" and not o.startswith(("/dev/", "$")) for o in operands[-1:]):
        return [said(cmd, MODERATE, f"writes a new, empty filesystem into {operands[-1]}, replacing what it held.")]
    where = ", ".join(devices) or "the given device"
    return [said(cmd, CRITICAL, f"erases {where} and everything stored on it (a new, empty filesystem or none).")]


@rule("dd")
def _dd(cmd: Command) -> list[Finding]:
    out = next((a[3:] for a in cmd.args if a.startswith("of=")), "")
    src = next((a[3:] for a in cmd.args if a.startswith("if=")), "")
    if out and scope(out).kind == "device":
        return [said(cmd, CRITICAL, f"overwrites the disk device {out}: everything on it is destroyed.")]
    found = _write_finding(cmd, out, False) if out else []
    if src and scope(src).kind == "device":
        found.append(said(cmd, MODERATE, f"reads the raw disk device {src}."))
    return found


@rule("fdisk", "sfdisk", "gdisk", "cfdisk", "sgdisk", "parted", "diskpart", "partprobe", "diskutil", "format",
      "format-volume", "clear-disk", "initialize-disk", "remove-partition", "hdparm", "badblocks", "cryptsetup",
      "mdadm", "zpool", "zfs", "vgremove", "lvremove", "pvremove", "set-partition", "resize-partition", "dmsetup")
def _partitioning(cmd: Command) -> list[Finding]:
    name, args = cmd.name, cmd.args
    lower = [a.lower() for a in args]
    listing = {"-l", "--list", "print", "-p", "--print", "list", "info", "status", "--show", "-h", "--help",
               "/?", "-v", "--version", "--query", "-d", "--detail", "-i"}
    if name in ("format-volume", "clear-disk", "remove-partition"):
        return [said(cmd, CRITICAL, "erases a disk or volume and everything on it.")]
    if name == "initialize-disk":
        return [said(cmd, HIGH, "writes a new partition table to a disk.")]
    if name in ("set-partition", "resize-partition"):
        return [said(cmd, HIGH, "changes a disk partition.")]
    if name == "format":
        if any(rx.fullmatch(r"[a-z]:\\?", a) for a in lower):
            return [said(cmd, CRITICAL, "formats a drive, erasing everything on it.")]
        return []
    if name == "diskpart":
        return [said(cmd, CRITICAL if "/s" in lower else HIGH,
                     "runs the Windows disk partitioner, which can erase whole disks.")]
    if name == "diskutil":
        verb = lower[0] if lower else ""
        if verb.startswith(("erase", "zero", "secureerase", "partitiondisk", "reformat", "randomdisk")):
            return [said(cmd, CRITICAL, f"diskutil {args[0]} erases a disk or volume.")]
        if verb in ("unmountdisk", "eject", "unmount"):
            return [said(cmd, MODERATE, f"diskutil {args[0]} detaches a disk.")]
        return []
    if name == "hdparm":
        if any("security-erase" in a or "trim-sector" in a or a == "--write-sector" for a in lower):
            return [said(cmd, CRITICAL, "erases the drive at the hardware level.")]
        return []
    if name == "badblocks":
        return [said(cmd, CRITICAL, "-w overwrites the whole device to test it, destroying its data.")] if any(
            a.startswith("-") and "w" in a for a in args) else []
    if name == "cryptsetup":
        if any(a in ("luksformat", "erase", "luksErase".lower(), "reencrypt") for a in lower):
            return [said(cmd, CRITICAL, f"cryptsetup {args[0] if args else ''} destroys the data or keys on the device.")]
        return []
    if name == "mdadm":
        return [said(cmd, CRITICAL, "wipes RAID metadata from the device.")] if "--zero-superblock" in lower else []
    if name in ("zpool", "zfs"):
        return [said(cmd, CRITICAL, f"{name} destroy deletes a pool or dataset with all its data.")] if lower[:1] == ["destroy"] else []
    if name in ("vgremove", "lvremove", "pvremove"):
        return [said(cmd, HIGH, "removes an LVM volume and the data on it.")]
    if name == "dmsetup":
        return [said(cmd, HIGH, "removes device-mapper devices.")] if lower[:1] in (["remove"], ["remove_all"]) else []
    if name == "parted" and any(v in lower for v in ("mklabel", "rm", "mkpart", "resizepart", "mkpartfs")):
        return [said(cmd, CRITICAL, "rewrites the partition table; the data on the disk is lost.")]
    if any(a in listing for a in lower) and name != "sgdisk":
        return []
    if name == "sgdisk":
        if any(a in ("-z", "--zap", "-Z", "--zap-all", "-o", "--clear", "-n", "--new", "-d", "--delete", "-g")
               or a.startswith(("--zap", "-n", "-d")) for a in args):
            return [said(cmd, CRITICAL, "rewrites or wipes the partition table.")]
        return []
    if name == "parted" and any(v in lower for v in ("mklabel", "rm", "mkpart", "resizepart", "mkpartfs")):
        return [said(cmd, CRITICAL, "rewrites the partition table; the data on the disk is lost.")]
    if name == "sfdisk" or (cmd.stdin_text is not None and name in ("fdisk", "gdisk")):
        return [said(cmd, CRITICAL, "writes a new partition table to the disk.")] if _devices(args) else []
    if _devices(args):
        return [said(cmd, HIGH, f"opens the partition editor on {', '.join(_devices(args))}; one wrong key erases the disk.")]
    return []


# ----- permissions and ownership -------------------------------------------------------------------
_SHELL_BINARIES = LazyPattern(r"(?:^|/)(?:ba|z|da|k|c|tc|fi)?sh$|(?:^|/)(?:python[\d.]*|perl|ruby|find|vim?|nano|less"
                             r"|more|env|awk|nmap|cp|tar|zip|node)$")


@rule("chmod", "chown", "chgrp", "setfacl", "icacls", "takeown", "cacls", "chattr")
def _permissions(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    if name in ("icacls", "takeown", "cacls"):
        lower = [a.lower() for a in args]
        recursive = "/t" in lower or "/r" in lower
        targets = [a for a in args if not a.startswith("/") and ":" not in a[2:]][:1]
        loose = any("everyone" in a or "*s-1-1-0" in a for a in lower)
        found: list[Finding] = []
        for t in targets:
            sc = scope(t)
            if sc.kind in ("root", "system", "home") and (recursive or loose):
                found.append(said(cmd, CRITICAL, f"changes permissions or ownership of {sc.describe()} ({t}) for everything inside."))
            elif loose:
                found.append(said(cmd, MODERATE, f"gives everyone access to {t}."))
        return found
    short, long, operands = flags(args)
    recursive = "R" in short or "--recursive" in long or (name == "chattr" and "R" in short)
    mode = ""
    symbolic = next((a for a in args if rx.match(r"^[ugoa]*[-+=][rwxXstugo]+$", a)), None) if name == "chmod" else None
    if symbolic is not None and symbolic.startswith("-"):
        mode = symbolic  # `chmod -x /usr/bin/*`: -x is the mode, not an option
        operands = [a for a in args if a != symbolic and not a.startswith("-")]
        recursive = recursive or "-R" in args
    elif name in ("chmod", "chattr") and operands:
        mode, operands = operands[0], operands[1:]
    elif name in ("chown", "chgrp") and operands:
        operands = operands[1:]
    elif name == "setfacl":
        operands = [a for a in operands if not rx.match(r"^[ugmo]:", a)]
    if "{}" in operands and cmd.found is not None:
        operands = [o for o in operands if o != "{}"] + [r or "." for r in cmd.found.roots]
        recursive = recursive or not cmd.found.narrowed
    world = name == "chmod" and bool(rx.search(r"(?:^|[^0-7])[0-7]*[2367]$", mode) or (rx.search(r"[ao]?\+[rwx]*w", mode)
                                     and not mode.startswith(("u", "g"))))
    setuid = name == "chmod" and bool((rx.match(r"^[0-7]*[4567][0-7]{3}$", mode) and len(mode) == 4)
                                      or rx.search(r"[ug]*\+[rwx]*s", mode))
    found = []
    verb = {"chmod": "changes permissions of", "chown": "changes the owner of", "chgrp": "changes the group of",
            "setfacl": "changes access lists of", "chattr": "changes attributes of"}[name]
    for t in operands:
        sc = scope(in_cwd(cmd, t))
        kind = sc.kind
        if setuid:
            shellish = bool(_SHELL_BINARIES.search(t))
            found.append(said(cmd, CRITICAL if shellish else HIGH,
                              f"sets the setuid/setgid bit on {t}: it then runs with its owner's rights (a classic "
                              "privilege escalation)."))
        if kind in ("root", "system", "device") or sc.critical_file:
            level = CRITICAL if recursive or world or sc.critical_file or kind == "root" else HIGH
            found.append(said(cmd, level, f"{verb} {sc.describe()} ({t}){' and everything inside' if recursive else ''}; "
                                          "the system may stop working or become open to every user."))
        elif kind == "home":
            locked = name == "chmod" and bool(rx.fullmatch(r"0*|[augo]*-[rwx]+", mode))  # chmod 000 ~ locks you out
            level = CRITICAL if recursive and (world or name != "chmod" or locked) else HIGH if recursive or world or locked \
                else MODERATE
            found.append(said(cmd, level, f"{verb} your whole home folder ({t}){' recursively' if recursive else ''}."))
        elif kind == "system-sub":
            level = HIGH if recursive or world or (name in ("chown", "chgrp") and recursive) else MODERATE
            found.append(said(cmd, level, f"{verb} {t}, which the system relies on."))
        elif world and (recursive or kind in ("cwd", "parent", "unknown", "home-sub")):
            found.append(said(cmd, HIGH if kind in ("cwd", "parent", "unknown", "home-sub") else MODERATE,
                              f"makes {t}{' and everything inside' if recursive else ''} writable by every user."))
        elif world:
            found.append(said(cmd, MODERATE, f"makes {t} writable by every user."))
        elif recursive and kind in ("cwd", "parent", "unknown", "home-sub"):
            found.append(said(cmd, MODERATE, f"{verb} everything under {t}."))
        elif sc.sensitive and name == "chmod" and world:
            found.append(said(cmd, HIGH, f"exposes {t}, which holds keys or credentials."))
    return found


# ----- processes, power, services ------------------------------------------------------------------
@rule("kill", "killall", "killall5", "pkill", "stop-process", "taskkill", "skill", "slay")
def _kill(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    lower = [a.lower() for a in args]
    if name == "killall5":
        return [said(cmd, CRITICAL, "signals every process on the system.")]
    if name == "kill":
        pids = [a for a in args if not a.startswith("-") or rx.fullmatch(r"-1", a)]
        skip_sig = [a for i, a in enumerate(args) if i > 0 and args[i - 1] in ("-s", "-n")]
        pids = [p for p in pids if p not in skip_sig]
        if "-1" in args[1:] or ("-1" in pids and (len(args) > 1 or args == ["-1"]) and args.index("-1") > 0) or (args[-1:] == ["-1"] and len(args) >= 2):
            return [said(cmd, CRITICAL, "kills every process you are allowed to signal (as root: the whole system).")]
        if "1" in pids:
            return [said(cmd, CRITICAL, "signals PID 1 (init): the system goes down.")]
        return [said(cmd, MODERATE, "forcibly kills processes without letting them clean up.")] if any(
            a in ("-9", "-KILL", "-SIGKILL") for a in args) else []
    if name in ("stop-process", "taskkill") and any(rx.fullmatch(
            r"(?:lsass|csrss|winlogon|wininit|smss|services|svchost|system|dwm|explorer)(?:\.exe)?", a) for a in lower):
        return [said(cmd, CRITICAL, "stops a process Windows cannot run without: the machine crashes or logs you out.")]
    if name == "stop-process":
        if any(u.name == "get-process" and not [a for a in u.args if not a.startswith("-")] for u in cmd.upstream) or "*" in lower:
            return [said(cmd, CRITICAL, "stops every running process.")]
        return []
    if name == "taskkill":
        if "*" in lower or (any(a in ("/im",) for a in lower) and "*" in " ".join(lower)):
            return [said(cmd, CRITICAL, "kills every running program.")]
        return []
    if "-u" in args or any(a.startswith("--user") for a in args):
        return [said(cmd, HIGH, "kills every process of a user (which logs them out).")]
    if any(a in (".", ".*", "''", "") for a in args) or (name == "pkill" and args[-1:] in (["."], [".*"])):
        return [said(cmd, CRITICAL, "matches and kills every process.")]
    return []


@rule("shutdown", "reboot", "halt", "poweroff", "init", "telinit", "stop-computer", "restart-computer", "systemctl",
      "service", "rc-service", "launchctl", "sc", "stop-service", "set-service", "net", "loginctl", "pmset", "openrc")
def _power_services(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    lower = [a.lower() for a in args]
    if name in ("shutdown", "reboot", "halt", "poweroff", "stop-computer", "restart-computer"):
        if any(a in ("--help", "/?", "-?") for a in lower) or (name == "shutdown" and any(a in ("-c", "/a") for a in lower)):
            return []  # cancelling a shutdown, or asking for help
        return [said(cmd, HIGH, "shuts down or restarts the machine; unsaved work and running jobs are lost.")]
    if name in ("init", "telinit"):
        return [said(cmd, HIGH, f"switches the system to runlevel {args[0]}: a shutdown, reboot or single-user mode.")] if lower[:1] and lower[0] in ("0", "1", "6", "s") else []
    if name == "systemctl":
        verbs = [a for a in lower if not a.startswith("-")]
        verb = verbs[0] if verbs else ""
        if verb in ("poweroff", "reboot", "halt", "kexec", "suspend", "hibernate", "hybrid-sleep", "rescue",
                    "emergency", "soft-reboot"):
            return [said(cmd, HIGH, f"systemctl {verb} stops or restarts the machine.")]
        if verb == "isolate":
            return [said(cmd, HIGH, "switches the system to another target, stopping services.")]
        if verb in ("stop", "disable", "mask", "kill"):
            units = " ".join(verbs[1:]) or "a service"
            return [said(cmd, HIGH, f"stops or disables {units}; whatever depends on it stops working.")]
        if verb in ("restart", "start", "enable", "reload", "try-restart", "daemon-reload", "set-default", "unmask"):
            return [said(cmd, MODERATE, f"systemctl {verb} changes running services.")]
        return []
    if name in ("service", "rc-service", "openrc"):
        if any(a in ("stop", "disable") for a in lower):
            return [said(cmd, HIGH, f"stops the {args[0] if args else ''} service.")]
        return [said(cmd, MODERATE, "changes a running service.")] if any(a in ("restart", "start", "reload") for a in lower) else []
    if name == "launchctl":
        if lower[:1] and lower[0] in ("unload", "bootout", "remove", "disable", "stop", "kill"):
            return [said(cmd, HIGH, f"launchctl {args[0]} stops or removes a system service.")]
        return []
    if name in ("sc", "stop-service", "set-service", "net"):
        if name == "sc" and lower[:1] and lower[0] in ("stop", "delete", "config"):
            return [said(cmd, HIGH, f"sc {args[0]} stops, deletes or reconfigures a Windows service.")]
        if name == "stop-service" or (name == "set-service" and any("disabled" in a for a in lower)):
            return [said(cmd, HIGH, "stops or disables a Windows service.")]
        if name == "net" and lower[:1] == ["user"] and any(a.startswith("/active:yes") for a in lower):
            return [said(cmd, HIGH, "switches on a built-in account (often the administrator's).")]
        if name == "net" and lower[:1] == ["stop"]:
            return [said(cmd, HIGH, "stops a Windows service.")]
        if name == "net" and lower[:1] in (["user"], ["localgroup"]) and ("/add" in lower or "/delete" in lower):
            level = HIGH if "administrators" in lower or "/add" in lower else MODERATE
            return [said(cmd, level, "adds or removes a user account or administrator rights.")]
        return []
    if name == "loginctl" and lower[:1] and lower[0].startswith(("terminate", "kill", "poweroff", "reboot")):
        return [said(cmd, HIGH, "ends user sessions or stops the machine.")]
    if name == "pmset" and lower[:1] and lower[0] in ("sleepnow", "restoredefaults"):
        return [said(cmd, MODERATE, "puts the machine to sleep or resets power settings.")]
    return []


@rule("crontab")
def _crontab(cmd: Command) -> list[Finding]:
    short, _, operands = flags(cmd.args)
    if "r" in short:
        level = MODERATE if "i" in short else HIGH
        return [said(cmd, level, "deletes all your scheduled cron jobs at once, without a backup.")]
    source = operands[:1] + [r.target for r in cmd.redirects if r.op.startswith("<")][:1]
    empty = (any(s in ("/dev/null", "nul") for s in source) or (cmd.stdin_text is not None and not cmd.stdin_text.strip())
             or any(u.name in ("true", ":") or (u.name in ("echo", "printf") and not "".join(u.args).strip("-n '\""))
                    or (u.name == "cat" and u.args == ["/dev/null"]) for u in cmd.upstream))
    if empty:  # `crontab < /dev/null`, `echo | crontab -`: the new table is empty
        return [said(cmd, HIGH, "replaces your whole crontab with nothing: every scheduled job is deleted.")]
    if source or cmd.upstream or cmd.stdin_text is not None:
        return [said(cmd, MODERATE, "replaces your whole crontab (your scheduled jobs).")]
    return []


# ----- firewall and security switches --------------------------------------------------------------
@rule("iptables", "ip6tables", "iptables-legacy", "iptables-nft", "ufw", "nft", "firewall-cmd", "pfctl", "netsh",
      "set-netfirewallprofile", "disable-netfirewallrule", "setenforce", "csrutil", "spctl", "set-mppreference",
      "set-executionpolicy", "fdesetup", "auditctl")
def _firewall(cmd: Command) -> list[Finding]:
    name = cmd.name
    lower = [a.lower() for a in cmd.args]
    joined = " ".join(lower)
    if name.startswith(("iptables", "ip6tables")):
        args = cmd.args  # case matters: -P is the policy, -p the protocol
        policy = "-P" in args or "--policy" in args
        if any(a in ("-F", "--flush", "-X", "--delete-chain") for a in args) or (policy and "ACCEPT" in args):
            return [said(cmd, HIGH, "flushes the firewall rules or opens the default policy: the machine loses its protection.")]
        if policy and "DROP" in args:
            return [said(cmd, HIGH, "sets the default policy to DROP, which can cut off all network access, yours included.")]
        return [said(cmd, MODERATE, "changes firewall rules.")] if any(a in ("-A", "-I", "-D", "-R", "--append", "--insert", "--delete") for a in args) else []
    if name == "ufw":
        if lower[:1] in (["disable"], ["reset"]) or ("--force" in lower and "reset" in lower):
            return [said(cmd, HIGH, f"ufw {lower[0] if lower else ''} turns off or wipes the firewall.")]
        return [said(cmd, MODERATE, "changes firewall rules.")] if lower[:1] in (["allow"], ["deny"], ["delete"], ["enable"]) else []
    if name == "nft":
        if "flush" in lower or ("delete" in lower and "table" in lower):
            return [said(cmd, HIGH, "flushes or deletes firewall rules.")]
        return []
    if name == "firewall-cmd":
        if "--panic-on" in lower or "trusted" in joined:
            return [said(cmd, HIGH, "opens the firewall wide or cuts the network.")]
        return []
    if name == "pfctl":
        return [said(cmd, HIGH, "disables or flushes the packet filter firewall.")] if any(
            a in ("-d", "-f", "-fa", "-f all", "-F") or (a.startswith("-f") and "all" in joined) for a in cmd.args) and ("-d" in lower or "all" in lower) else []
    if name == "netsh":
        if "firewall" in joined and ("off" in lower or "disable" in lower or "reset" in lower):
            return [said(cmd, HIGH, "turns off or resets the Windows firewall.")]
        return []
    if name == "set-netfirewallprofile" and ("false" in joined or "$false" in joined):
        return [said(cmd, HIGH, "turns off the Windows firewall.")]
    if name == "disable-netfirewallrule":
        return [said(cmd, MODERATE, "disables firewall rules.")]
    if name == "setenforce" and lower[:1] in (["0"], ["permissive"]):
        return [said(cmd, HIGH, "turns off SELinux enforcement.")]
    if name == "csrutil" and "disable" in lower:
        return [said(cmd, HIGH, "turns off macOS System Integrity Protection.")]
    if name == "spctl" and any("disable" in a for a in lower):
        return [said(cmd, HIGH, "turns off macOS Gatekeeper app checks.")]
    if name == "fdesetup" and "disable" in lower:
        return [said(cmd, HIGH, "turns off disk encryption.")]
    if name == "set-mppreference" and "disable" in joined and "$true" in joined:
        return [said(cmd, HIGH, "turns off Microsoft Defender protection.")]
    if name == "set-executionpolicy" and any(p in lower for p in ("unrestricted", "bypass")):
        return [said(cmd, HIGH if "localmachine" in joined else MODERATE,
                     "lets every PowerShell script run, signed or not.")]
    if name == "auditctl" and any(a in ("-D", "-e") for a in cmd.args):
        return [said(cmd, HIGH, "deletes or switches off audit rules.")]
    return []


# ----- privileges, accounts, credentials, history --------------------------------------------------
@rule("sudo", "doas", "pkexec", "run0", "su", "gosu")
def _root(cmd: Command) -> list[Finding]:
    inner = wrappers.unwrap(cmd, lambda *a: [])
    own = cmd.args[:len(cmd.args) - len(inner[0].argv)] if inner else cmd.args  # sudo's options, not the program's
    if cmd.name == "su" or not inner or (cmd.name == "sudo" and any(a in ("-i", "-s", "--login", "--shell") for a in own)):
        if any(a in ("-l", "--list", "-v", "--validate", "-k", "-K", "-h", "--help", "-V", "--version") for a in own):
            return []
        return [said(cmd, MODERATE, "opens a shell with administrator (root) rights.")]
    return [said(cmd, MODERATE, "runs with administrator (root) rights.")]


@rule("usermod", "useradd", "adduser", "passwd", "chpasswd", "gpasswd", "visudo", "setcap", "userdel", "deluser",
      "groupdel", "add-localgroupmember", "new-localuser", "remove-localuser", "dscl")
def _accounts(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    lower = [a.lower() for a in args]
    joined = " ".join(lower)
    admin_groups = rx.compile(r"(?:^|[,\s])(?:sudo|wheel|admin|root|adm|administrators|docker|disk|shadow)(?:$|[,\s])")
    if name in ("usermod", "gpasswd", "adduser", "add-localgroupmember", "dscl") and admin_groups.search(joined):
        if rx.search(r"(?:^|[,\s])docker(?:$|[,\s])", joined) and not rx.search(
                r"(?:^|[,\s])(?:sudo|wheel|admin|root|adm|administrators|disk|shadow)(?:$|[,\s])", joined):
            # the usual step after installing Docker; still worth a look: the group is root-equivalent
            return [said(cmd, MODERATE, "adds an account to the docker group, which amounts to root access.")]
        return [said(cmd, HIGH, "gives an account administrator (or equivalent) rights.")]
    if name == "useradd" and (rx.search(r"(?:-u|--uid)\s*0\b", joined) or "-o" in lower):
        return [said(cmd, CRITICAL, "creates a second root account (user id 0).")]
    if name == "passwd":
        if "-d" in lower or "--delete" in lower:
            return [said(cmd, HIGH, "removes an account's password, so anyone can log in as it.")]
        if "root" in lower or any(a in ("-u", "-l") for a in lower):
            return [said(cmd, HIGH, "changes or locks another account's password (root's included).")]
        return [said(cmd, MODERATE, "changes a password.")]
    if name == "chpasswd":
        return [said(cmd, HIGH, "sets account passwords in bulk.")]
    if name == "setcap" and rx.search(r"cap_(?:setuid|setgid|sys_admin|dac_override|sys_ptrace|chown)", joined):
        return [said(cmd, HIGH, "grants a program root-level capabilities.")]
    if name in ("userdel", "deluser", "groupdel", "remove-localuser"):
        everyone = name == "remove-localuser" and not args and bool(cmd.upstream)  # `Get-LocalUser | Remove-LocalUser`
        level = HIGH if ("-r" in lower or "--remove-home" in lower or everyone
                         or {"root", "administrator", "admin", "$user", "$env:username"} & set(lower)) else MODERATE
        return [said(cmd, level, "deletes an account (with -r, its home folder too).")]
    if name == "visudo":
        return [said(cmd, MODERATE, "edits who may use sudo.")]
    if name in ("useradd", "adduser", "new-localuser"):
        return [said(cmd, MODERATE, "creates a user account.")]
    return []


@rule("history", "unset", "export", "set", "=", "declare", "typeset", "setopt", "unsetopt", "clear-history",
      "wevtutil", "clear-eventlog", "journalctl")
def _history(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    joined = " ".join(args)
    if name == "history" and any(a in ("-c", "-cw", "-wc") or (a.startswith("-") and "c" in a) or a == "-d" for a in args):
        return [said(cmd, HIGH, "erases your shell history (a common way to hide what was done).")]
    if name == "clear-history":
        return [said(cmd, HIGH, "erases your PowerShell history.")]
    if name in ("wevtutil", "clear-eventlog"):
        if name == "clear-eventlog" or (args[:1] and args[0].lower() in ("cl", "clear-log")):
            return [said(cmd, HIGH, "clears Windows event logs.")]
        return []
    if name == "journalctl" and any(a.startswith(("--vacuum", "--rotate")) for a in args):
        return [said(cmd, MODERATE, "deletes old system journal entries.")]
    if name == "set" and rx.search(r"\+o\s+history", joined):
        return [said(cmd, HIGH, "turns off shell history.")]
    if name in ("unsetopt", "setopt") and "hist" in joined.lower() and name == "unsetopt":
        return [said(cmd, MODERATE, "changes how shell history is saved.")]
    if name == "unset" and rx.search(r"\bHIST(FILE|SIZE)\b", joined):
        return [said(cmd, HIGH, "stops the shell saving history (a common way to hide what was done).")]
    if rx.search(r"\bHIST(?:FILE)?=(?:/dev/null|0|$)|\bHISTFILESIZE=0\b|\bHISTSIZE=0\b|\bHISTFILE=$", joined):
        return [said(cmd, HIGH, "stops the shell saving history (a common way to hide what was done).")]
    if rx.search(r"\bLD_PRELOAD=", joined) and name in ("export", "="):
        return [said(cmd, MODERATE, "makes every program load an extra library (LD_PRELOAD).")]
    return []


_CREDENTIAL = LazyPattern(r"(?:\.ssh/|id_rsa|id_ed25519|id_ecdsa|\.aws/credentials|\.netrc|\.git-credentials|\.pgpass"
                         r"|/etc/shadow|\.gnupg|\.kube/config|\.docker/config\.json|\.password-store|keychain)", rx.IGNORECASE)


def _credential_upload(cmd: Command, sources: list[str]) -> list[Finding]:
    hits = [s for s in sources if _CREDENTIAL.search(s) and not s.endswith(".pub")]
    if hits and (cmd.name in ("scp", "rsync", "sftp") and any(":" in a for a in cmd.args)):
        return [said(cmd, HIGH, f"copies private keys or credentials ({hits[0]}) to another machine.")]
    return []


# ----- network: download-and-execute, reverse shells, uploads --------------------------------------
DOWNLOADERS = {"curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-download", "lwp-request", "get",
               "invoke-webrequest", "invoke-restmethod", "iwr", "irm", "certutil", "bitsadmin", "ftp", "tftp",
               "nc", "ncat", "netcat", "socat", "telnet", "openssl", "wget2", "curlie", "httpie"}
NETWORK_TOOLS = {"nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "socat", "telnet", "openssl", "cryptcat"}


def _downloads(cmds: list[Command], depth: int = 0) -> bool:
    for c in cmds:
        if c.name in DOWNLOADERS or (c.name.startswith("nc.") and depth >= 0):
            return True
        if depth < 4 and any(_downloads(v, depth + 1) for v in c.subst.values()):
            return True
    return False


@rule("scp", "sftp")
def _scp(cmd: Command) -> list[Finding]:
    _, _, operands = flags(cmd.args)
    return _credential_upload(cmd, operands[:-1])


@rule("curl", "wget", "http", "https", "invoke-webrequest", "invoke-restmethod")
def _upload(cmd: Command) -> list[Finding]:
    joined = " ".join(cmd.args)
    if _CREDENTIAL.search(joined) and rx.search(r"(?:^|\s)(?:-d|--data\S*|-F|--form|-T|--upload-file|--post-file\S*|-InFile)\s*\S*@?", joined):
        return [said(cmd, HIGH, "uploads private keys or credentials to a web server.")]
    return []


_REVSHELL_CODE = LazyPattern(
    r"(?:socket|TCPSocket|fsockopen|net\.Socket|require\(['\"]net['\"]\)|Net\.Sockets\.TCPClient|IO::Socket|"
    r"socket\.socket)[\s\S]*(?:subprocess|pty\.spawn|dup2|exec|/bin/(?:ba)?sh|cmd\.exe|spawn|system|popen|iex|"
    r"Invoke-Expression|child_process)", rx.IGNORECASE)
_FORK_CODE = LazyPattern(r"fork\s+while\s+fork|while\s*\(?\s*(?:1|true|True)\s*\)?\s*[:{]?\s*(?:os\.)?fork\(|"
                        r"loop\s*\{\s*fork|\bfork\(\)\s*while|for\s*\(\s*;;\s*\)\s*\{?\s*fork|"
                        r"while\s+True:\s*os\.fork", rx.IGNORECASE)


def _local_script(up: Command) -> bool:
    """`cat setup.sh | bash`: a script file on this machine, no different from `bash setup.sh`."""
    operands = [a for a in up.args if not a.startswith("-")]
    return up.name == "cat" and len(operands) == 1 and not up.upstream and not up.subst and \
        not operands[0].startswith(("/dev/", "<(")) and scope(operands[0]).kind == "file"


_NET_NAMES = frozenset({*NETWORK_TOOLS, "invoke-expression", "iex", "powershell", "pwsh"})


def network_findings(cmd: Command) -> list[Finding]:
    """Download-and-execute, reverse and bind shells, code received from the network."""
    name = cmd.name
    found: list[Finding] = []
    if not cmd.upstream and not cmd.subst and name not in _NET_NAMES and not name.startswith("nc") \
            and not wrappers.is_interpreter(name):
        return found  # nothing piped in, nothing substituted, not a program that talks to the network or runs code
    if wrappers.reads_stdin_code(cmd) and _downloads(cmd.upstream):
        found.append(said(cmd, CRITICAL, "runs code straight from the network without showing it to you "
                                         "(download-and-execute); read the script first."))
    if wrappers.reads_stdin_code(cmd) and cmd.upstream and wrappers.literal_stdin(cmd) is None and not found \
            and _local_script(cmd.upstream[-1]):
        found.append(said(cmd, MODERATE, f"runs the script file {cmd.upstream[-1].args[-1]}; read it first."))
    elif wrappers.reads_stdin_code(cmd) and cmd.upstream and wrappers.literal_stdin(cmd) is None and not found:
        decoders = [u for u in cmd.upstream if u.name in ("base64", "base32", "xxd", "openssl", "gunzip", "zcat",
                                                          "rev", "tr", "uudecode", "gpg", "certutil")]
        level = HIGH
        what = "decoded or transformed text" if decoders else "text from a pipe"
        found.append(said(cmd, level, f"runs {what} as code; caro cannot see what it will do."))
    runs_code = (name in wrappers.SHELLS or wrappers.is_interpreter(name) or name in ("source", ".", "eval", "exec",
                 "iex", "invoke-expression", "powershell", "pwsh", "xargs") or cmd.dynamic)
    if runs_code and any(_downloads(v) for v in cmd.subst.values()):
        found.append(said(cmd, CRITICAL, "runs code downloaded from the network as it arrives "
                                         "(download-and-execute); read the script first."))
    if name in ("invoke-expression", "iex") or (name in ("powershell", "pwsh") and cmd.args):
        text = " ".join(cmd.args).lower()
        if any(k in text for k in ("downloadstring", "invoke-webrequest", "iwr ", "irm ", "invoke-restmethod",
                                   "net.webclient", "downloadfile", "http://", "https://")):
            found.append(said(cmd, CRITICAL, "runs a script downloaded from the network without showing it."))
    if name in ("invoke-expression", "iex") and not cmd.args and _downloads(cmd.upstream):
        found.append(said(cmd, CRITICAL, "runs a script downloaded from the network without showing it."))
    lower = [a.lower() for a in cmd.args]
    if name in NETWORK_TOOLS or name.startswith("nc"):
        if any(a in ("-e", "-c", "--exec", "--sh-exec", "--lua-exec") or (a.startswith("-") and not a.startswith("--")
               and "e" in a[1:] and len(a) <= 6) for a in lower) and name != "openssl":
            found.append(said(cmd, CRITICAL, "connects a shell to the network (a reverse or bind shell): whoever is "
                                             "on the other side controls this machine."))
        if name == "socat" and any(rx.match(r"^(?:exec|system):", a) for a in lower):
            found.append(said(cmd, CRITICAL, "socat EXEC/SYSTEM hands a shell to the network (reverse or bind shell)."))
        if any(u.name in wrappers.SHELLS and ("-i" in u.args or wrappers.reads_stdin_code(u)) for u in cmd.upstream):
            found.append(said(cmd, CRITICAL, "pipes an interactive shell to the network: a reverse shell."))
    if wrappers.is_interpreter(name) or name in ("powershell", "pwsh", "invoke-expression", "iex"):
        for code in wrappers.code_strings(cmd) or ([" ".join(cmd.args)] if name not in wrappers.SHELLS else []):
            if _REVSHELL_CODE.search(code):
                found.append(said(cmd, CRITICAL, "opens a network socket and attaches a shell to it: a reverse shell."))
                break
            if _FORK_CODE.search(code):
                found.append(said(cmd, CRITICAL, "forks processes without end: a fork bomb that freezes the machine."))
                break
    return found


# ----- version control, containers, clusters, cloud ------------------------------------------------
@rule("git")
def _git(cmd: Command) -> list[Finding]:
    args = cmd.args
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in ("-C", "-c", "--git-dir", "--work-tree", "--namespace") else 1
    if i >= len(args):
        return []
    verb, rest = args[i], args[i + 1:]
    short, long, operands = flags(rest)
    if verb == "push":
        if {"--force", "--mirror"} & long or "f" in short or any(o.startswith("+") for o in operands):
            return [said(cmd, HIGH, "force-pushes, overwriting history on the remote; others' commits can be lost.")]
        if any(o.startswith("--force-with-lease") or o.startswith("--force-if-includes") for o in long):
            return [said(cmd, MODERATE, "force-pushes (with a lease), rewriting history on the remote.")]
        if "--delete" in long or "d" in short or any(o.startswith(":") for o in operands):
            branches = [o.lstrip(":").rsplit("/", 1)[-1] for o in operands[1:]]
            if any(b in ("main", "master", "trunk", "develop", "production", "prod", "release", "stable") for b in branches):
                return [said(cmd, HIGH, "deletes the main branch on the remote, for everyone who uses it.")]
            return [said(cmd, MODERATE, "deletes a branch or tag on the remote.")]
        return []
    if verb == "reset" and "--hard" in long:
        return [said(cmd, HIGH, "git reset --hard throws away all uncommitted changes for good.")]
    if verb == "clean" and "n" not in short and "--dry-run" not in long:
        if "f" in short or "--force" in long:
            level = HIGH if {"d", "x", "X"} & short else MODERATE
            return [said(cmd, level, "deletes untracked files (with -x, ignored ones too); they are not recoverable.")]
        return []
    if verb in ("checkout", "restore", "switch"):
        if "f" in short or "--force" in long or "--discard-changes" in long:
            return [said(cmd, HIGH, f"git {verb} --force throws away uncommitted changes.")]
        if verb == "restore" and "--staged" in long and "--worktree" not in long:
            return []
        if ("." in operands or ":/" in operands) and (verb == "restore" or "--" in rest or operands == ["."]):
            return [said(cmd, HIGH, f"git {verb} . throws away every uncommitted change in the folder.")]
        if verb == "restore" and operands:
            return [said(cmd, MODERATE, "git restore throws away uncommitted changes to these files.")]
        return []
    if verb in ("filter-branch", "filter-repo"):
        return [said(cmd, HIGH, f"git {verb} rewrites the whole history of the repository.")]
    if (verb == "reflog" and operands[:1] == ["expire"]) or (verb == "gc" and any("--prune=now" in a for a in rest)):
        return [said(cmd, HIGH if verb == "reflog" else MODERATE,
                     "expires the reflog / prunes unreachable commits: the safety net for lost work is gone.")]
    if verb == "branch" and ("D" in short or ("d" in short and "f" in short)):
        return [said(cmd, MODERATE, "force-deletes a branch even if it is not merged.")]
    if verb == "stash" and operands[:1] in (["clear"], ["drop"]):
        return [said(cmd, MODERATE, f"git stash {operands[0]} deletes stashed work.")]
    if verb == "rm" and ("r" in short) and ("." in operands or "*" in operands):
        return [said(cmd, MODERATE, "removes every tracked file from the working tree.")]
    return []


@rule("docker", "podman", "nerdctl", "docker-compose")
def _containers(cmd: Command) -> list[Finding]:
    args = [a for a in cmd.args if a not in ("container", "image")] if cmd.args[:1] in (["container"], ["image"]) else cmd.args
    lower = [a.lower() for a in args]
    if not lower:
        return []
    verb = lower[0]
    if verb == "compose" or cmd.name == "docker-compose":
        rest = lower[1:] if verb == "compose" else lower
        if "down" in rest and any(a in ("-v", "--volumes") for a in rest):
            return [said(cmd, MODERATE, "stops the services and deletes their volumes (their data).")]
        return []
    if verb == "system" and lower[1:2] == ["prune"]:
        if any(a in ("-a", "--all", "--volumes") or a.startswith("-a") for a in lower[2:]):
            return [said(cmd, HIGH, "deletes every unused image, container, network (and volume): cached work and data are gone.")]
        return [said(cmd, MODERATE, "deletes stopped containers, unused networks and dangling images.")]
    if verb == "volume" and lower[1:2] in (["prune"], ["rm"]):
        level = HIGH if lower[1] == "prune" else MODERATE
        return [said(cmd, level, "deletes volumes and the data stored in them.")]
    if verb in ("rm", "rmi", "kill") and any(cmd.subst.values()) and any(("-a" in a or "-q" in a) for a in " ".join(cmd.text.split()).split()):
        listers = [c for found in cmd.subst.values() for c in found if c.name in ("docker", "podman", "nerdctl")]
        if listers and all(any(a in ("-f", "--filter") or a.startswith(("--filter=", "-f=")) for a in c.args) for c in listers):
            return [said(cmd, MODERATE, f"{cmd.name} {verb} on the containers or images the filter picks "
                                        "(stopped or dangling ones).")]
        return [said(cmd, HIGH, f"{cmd.name} {verb} on every container or image at once.")]
    if verb in ("rm", "rmi", "prune", "image", "network") and any(a in ("-f", "--force", "prune") for a in lower):
        return [said(cmd, MODERATE, "force-removes containers, images or networks.")]
    if verb in ("run", "create") and ("--privileged" in lower or any(rx.match(r"^(?:-v|--volume)?=?/:/", a) for a in lower)
                                     or any(a.startswith("/:") for a in lower) or "--pid=host" in lower):
        return [said(cmd, HIGH, "gives the container full control of this machine (privileged or the host's / mounted).")]
    return []


@rule("kubectl", "oc", "helm", "terraform", "pulumi", "aws", "gcloud", "az", "gsutil", "eksctl", "kind", "minikube",
      "k3d", "s3cmd", "doctl")
def _cloud(cmd: Command) -> list[Finding]:
    name = cmd.name
    lower = [a.lower() for a in cmd.args]
    words = [a for a in lower if not a.startswith("-")]
    if name in ("kubectl", "oc"):
        if not words or words[0] != "delete":
            if words[:1] == ["drain"] or (words[:1] == ["scale"] and "--replicas=0" in lower):
                return [said(cmd, MODERATE, f"{name} {words[0]} takes workloads off the cluster.")]
            return []
        kinds = words[1].split(",") if len(words) > 1 else []
        if any(k in ("ns", "namespace", "namespaces", "node", "nodes", "no", "pv", "persistentvolume", "pvc",
                     "persistentvolumeclaim", "crd", "customresourcedefinition", "all", "clusterrole",
                     "clusterrolebinding") for k in kinds) or any(a in ("--all", "-a", "--all-namespaces") for a in lower):
            return [said(cmd, HIGH, f"{name} delete removes a namespace, nodes, volumes or everything of a kind, "
                                    "with all that runs in it.")]
        return [said(cmd, MODERATE, f"{name} delete removes cluster resources.")]
    if name == "helm" and words[:1] in (["uninstall"], ["delete"], ["del"], ["un"]):
        return [said(cmd, MODERATE, "uninstalls a release from the cluster.")]
    if name in ("terraform", "pulumi"):
        if words[:1] == ["destroy"] or ("-destroy" in lower and words[:1] == ["apply"]):
            return [said(cmd, HIGH, f"{name} destroy deletes all the infrastructure it manages.")]
        if words[:1] in (["apply"], ["up"]) and any(a in ("-auto-approve", "--yes", "-y", "--skip-preview") for a in lower):
            return [said(cmd, MODERATE, "changes infrastructure without showing the plan first.")]
        return []
    if name in ("kind", "minikube", "k3d", "eksctl") and "delete" in words:
        return [said(cmd, MODERATE if name != "eksctl" else HIGH, f"{name} delete removes a cluster.")]
    if name in ("aws", "s3cmd", "gsutil"):
        if ("rb" in words and "--force" in lower) or ("rm" in words and ("--recursive" in lower or "-r" in lower)) or \
                any(w in ("terminate-instances", "delete-db-instance", "delete-db-cluster", "delete-bucket",
                          "delete-stack", "delete-table", "delete-cluster") for w in words):
            return [said(cmd, HIGH, "deletes cloud resources or every object under a prefix; there is no undo.")]
        if any(w.startswith("delete") for w in words):
            return [said(cmd, MODERATE, "deletes cloud resources.")]
        return []
    if name in ("gcloud", "az", "doctl") and "delete" in words:
        level = HIGH if any(w in ("projects", "group", "project") for w in words) else MODERATE
        return [said(cmd, level, f"{name} … delete removes cloud resources.")]
    return []


# ----- databases -----------------------------------------------------------------------------------
_SQL_DROP = LazyPattern(r"\b(?:drop\s+(?:database|schema|table|keyspace|user|role|collection)|truncate\s+(?:table\s+)?\w"
                       r"|dropdatabase\s*\(|\.drop\s*\(\s*\)|flushall|flushdb|deletemany\s*\(\s*\{\s*\}\s*\)"
                       r"|delete\s+from\s+[\w.\"`\[\]]+\s*(?:;|$)|remove\s*\(\s*\{\s*\}\s*\))", rx.IGNORECASE)
_SQL_UPDATE_ALL = LazyPattern(r"\bupdate\s+[\w.\"`]+\s+set\s+(?:(?!\bwhere\b)[^;])*(?:;|$)", rx.IGNORECASE)
DB_CLIENTS = {"psql", "mysql", "mariadb", "sqlite3", "sqlite", "mongo", "mongosh", "redis-cli", "cqlsh",
              "clickhouse-client", "clickhouse", "sqlcmd", "duckdb", "invoke-sqlcmd", "cockroach", "usql", "pgcli",
              "mycli", "litecli", "valkey-cli", "keydb-cli", "influx", "bq"}


@rule(*DB_CLIENTS, "dropdb", "dropuser", "mysqladmin")
def _databases(cmd: Command) -> list[Finding]:
    name = cmd.name
    if name in ("dropdb", "dropuser"):
        return [said(cmd, HIGH, f"{name} deletes a database or role with all its data.")]
    if name == "mysqladmin":
        return [said(cmd, HIGH, "mysqladmin drop deletes a database.")] if any(a.lower() == "drop" for a in cmd.args) else []
    texts = [" ".join(cmd.args)]
    if cmd.stdin_text:
        texts.append(cmd.stdin_text)
    for up in cmd.upstream:
        if up.name in ("echo", "printf", "cat"):
            texts.append(" ".join(up.args) + " " + (up.stdin_text or ""))
    sql = " ".join(texts)
    if _SQL_DROP.search(sql):
        return [said(cmd, HIGH, "drops, truncates or empties a database, table or key store; the data is gone.")]
    if _SQL_UPDATE_ALL.search(sql):
        return [said(cmd, MODERATE, "updates every row of a table (no WHERE clause).")]
    return []


# ----- packages ------------------------------------------------------------------------------------
_ESSENTIAL = LazyPattern(r"^(?:libc6|libc-bin|glibc|bash|coreutils|systemd|systemd-sysv|sudo|apt|dpkg|rpm|yum|dnf|pacman"
                        r"|linux-image.*|linux-firmware|kernel.*|grub.*|shim.*|base-files|base-passwd|init|login|passwd"
                        r"|util-linux|libsystemd0|zlib1g|libpam.*|openssh-server|python3|python3-minimal|perl-base"
                        r"|dash|filesystem|glibc-common|busybox|\*|\.\*)(?::\w+)?$", rx.IGNORECASE)
_PKG_REMOVE = {"remove", "purge", "erase", "autoremove", "uninstall", "rm", "del", "autopurge", "-r", "-e", "-P",
               "--remove", "--purge", "--erase"}


@rule("apt", "apt-get", "aptitude", "dpkg", "dnf", "yum", "rpm", "zypper", "pacman", "apk", "brew", "snap", "flatpak",
      "port", "pkg", "emerge", "xbps-remove", "nix-env", "choco", "winget", "scoop", "uninstall-package", "yay", "paru",
      "microdnf", "tdnf", "opkg", "pip", "pip3", "pipx", "npm", "gem")
def _packages(cmd: Command) -> list[Finding]:
    name = cmd.name
    args = cmd.args
    lower = [a.lower() for a in args]
    if name == "uninstall-package":
        return [said(cmd, MODERATE, "uninstalls a package.")]
    removing = bool(set(lower) & _PKG_REMOVE) or (name in ("pacman", "yay", "paru") and any(
        a.startswith("-r") and not a.startswith("--") for a in lower)) or name == "xbps-remove" or (
        name == "nix-env" and any(a in ("-e", "--uninstall") for a in lower))
    if name in ("npm", "pip", "pip3", "pipx", "gem", "brew") and removing:
        forced = any(a in ("--force", "-f", "--zap", "--ignore-dependencies") for a in lower)
        return [said(cmd, MODERATE if not forced else HIGH, "uninstalls packages.")]
    if removing:
        pkgs = [a for a in args if not a.startswith("-") and a.lower() not in _PKG_REMOVE]
        essential = [p for p in pkgs if _ESSENTIAL.match(p.strip("'\""))]
        forced = any(a.startswith("--force") or a in ("--nodeps", "--allow-remove-essential", "-rdd", "-rddn", "--noscripts")
                     or (a.startswith("-r") and a.count("d") >= 2 and name == "pacman") for a in lower)
        if essential:
            return [said(cmd, CRITICAL, f"removes {', '.join(essential)}, which the system needs to boot or work.")]
        if forced:
            return [said(cmd, HIGH, "force-removes packages, ignoring what depends on them; the system can break.")]
        return [said(cmd, MODERATE, "removes installed packages.")]
    if name in ("apt", "apt-get", "aptitude", "dnf", "yum", "zypper", "pacman", "apk", "snap", "port", "emerge",
                "choco", "winget", "microdnf", "yay", "paru", "flatpak", "pkg", "dpkg", "rpm") and any(
            a in ("install", "upgrade", "dist-upgrade", "full-upgrade", "update", "-s", "-syu", "-i", "add", "refresh",
                  "--install", "-u", "-ivh", "-uvh") for a in lower):
        if any(a.startswith("--force") or a in ("--nodeps", "--allow-downgrades", "--allow-unauthenticated") for a in lower):
            return [said(cmd, HIGH, "forces a package change past the safety checks.")]
        return [said(cmd, MODERATE, "installs or upgrades system packages.")]
    return []


# ----- everything else with a fixed meaning --------------------------------------------------------
@rule("insmod", "rmmod", "modprobe", "kexec", "swapoff", "umount", "mount", "sysctl", "vssadmin", "wmic", "bcdedit",
      "cipher", "reg", "remove-itemproperty", "set-itemproperty", "new-itemproperty", "bless", "nvram", "efibootmgr", "grub-install", "update-grub", "tmutil",
      "fsck", "e2fsck", "xfs_repair", "debugfs", "tune2fs", "resize2fs", "chroot", "dracut", "mkinitcpio", "kmutil")
def _system_misc(cmd: Command) -> list[Finding]:
    name = cmd.name
    lower = [a.lower() for a in cmd.args]
    joined = " ".join(lower)
    if (name == "vssadmin" and "delete" in lower) or (name == "wmic" and "shadowcopy" in joined and "delete" in joined):
        return [said(cmd, CRITICAL, "deletes all Windows shadow copies (backups), a typical ransomware step.")]
    if name == "bcdedit" and any(a in ("/delete", "/deletevalue", "/set") for a in lower):
        return [said(cmd, HIGH, "changes the Windows boot configuration; the machine may not start.")]
    if name == "cipher" and any(a.startswith("/w") for a in lower):
        return [said(cmd, HIGH, "wipes free space on a drive (slow, irreversible).")]
    if name == "reg" and lower[:1] in (["delete"], ["add"], ["import"]):
        level = HIGH if any(h in joined for h in ("hklm", "hkey_local_machine")) else MODERATE
        return [said(cmd, level, f"reg {lower[0]} changes the Windows registry.")]
    if name in ("remove-itemproperty", "set-itemproperty", "new-itemproperty", "rp", "sp"):
        machine = "hklm:" in joined or "hkey_local_machine" in joined
        what = "deletes" if name in ("remove-itemproperty", "rp") else "sets"
        return [said(cmd, HIGH if machine else MODERATE, f"{what} registry values"
                                                          f"{' for the whole machine (HKLM)' if machine else ''}.")]
    if name in ("insmod", "kexec") or (name == "modprobe" and "-r" not in lower):
        return [said(cmd, MODERATE if name == "modprobe" else HIGH, "loads code into the running kernel.")]
    if name == "rmmod" or (name == "modprobe" and "-r" in lower):
        return [said(cmd, MODERATE, "unloads a kernel module; hardware using it stops working.")]
    if name == "swapoff":
        return [said(cmd, MODERATE, "turns off swap; memory-hungry programs may be killed.")]
    if name == "umount":
        if "-a" in lower or any(scope(a).kind == "root" for a in cmd.args):
            return [said(cmd, HIGH, "unmounts all filesystems or the root filesystem.")]
        return []
    if name == "mount" and "remount" in joined and any(scope(a).kind == "root" for a in cmd.args):
        return [said(cmd, MODERATE, "remounts the root filesystem.")]
    if name == "sysctl" and ("-w" in lower or any("=" in a for a in lower)):
        return [said(cmd, MODERATE, "changes kernel settings.")]
    if name in ("efibootmgr", "grub-install", "update-grub", "bless", "nvram", "kmutil", "dracut", "mkinitcpio"):
        if name == "efibootmgr" and not any(a in ("-b", "-B", "-o", "-c", "--delete-bootnum", "--create") for a in cmd.args):
            return []
        if name == "nvram" and not any(a in ("-c", "-d") or "=" in a for a in cmd.args):
            return []
        return [said(cmd, HIGH, "changes how the machine boots; a mistake leaves it unable to start.")]
    if name == "tmutil" and lower[:1] and lower[0] in ("delete", "disable", "deletelocalsnapshots"):
        return [said(cmd, HIGH, "deletes or turns off Time Machine backups.")]
    if name in ("fsck", "e2fsck", "xfs_repair", "debugfs", "tune2fs", "resize2fs") and _devices(cmd.args):
        if name == "fsck" and any(a in ("-n", "-N") for a in lower):
            return []
        return [said(cmd, HIGH, f"{name} changes a filesystem's structures on {', '.join(_devices(cmd.args))}; run it only on an unmounted disk.")]
    return []


@rule("tar", "unzip", "bsdtar", "7z", "cpio")
def _extract(cmd: Command) -> list[Finding]:
    """Unpacking an archive over / or a system folder replaces system files with whatever it holds."""
    args = cmd.args
    if cmd.name in ("tar", "bsdtar"):
        first = args[0] if args else ""
        extracting = any(a in ("-x", "--extract", "--get") for a in args) or (
            first and not first.startswith("--") and "x" in first.lstrip("-"))
        where = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-C", "--directory")), None)
        where = where or next((a.split("=", 1)[1] for a in args if a.startswith("--directory=")), None)
    elif cmd.name == "unzip":
        extracting = True
        where = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "-d"), None)
    else:
        extracting = cmd.name == "7z" and args[:1] in (["x"], ["e"])
        where = next((a[2:] for a in args if a.startswith("-o")), None)
    if not extracting or where is None:
        return []
    sc = scope(in_cwd(cmd, where))
    if sc.kind in ("root", "system", "system-sub") and not normalise(where).startswith(("/usr/local", "/opt")):
        return [said(cmd, HIGH, f"unpacks an archive over {sc.describe()} ({where}), replacing system files with "
                                "whatever it contains.")]
    return []


_DEVICE_READERS = {"lsblk", "blkid", "fdisk", "sfdisk", "parted", "gdisk", "smartctl", "hdparm", "mount", "umount",
                   "eject", "cat", "head", "xxd", "hexdump", "od", "file", "stat", "udevadm", "ls", "df", "du",
                   "findmnt", "cryptsetup", "e2label", "tune2fs", "dumpe2fs", "ddrescue", "pv", "less", "strings",
                   "partprobe", "losetup", "fsck", "e2fsck", "badblocks", "lsof", "fuser", "dd", "diskutil", "wipefs",
                   "mkfs", "mkswap", "swapon", "swapoff", "shred", "blockdev", "nvme", "zpool", "mdadm", "sg_inq"}


def device_findings(cmd: Command) -> list[Finding]:
    """A raw disk device anywhere in the arguments of a program not known to be harmless with it."""
    devices = _devices(cmd.args)
    if not devices or cmd.name in _DEVICE_READERS or cmd.name.startswith("mkfs") or (
            cmd.name in RULES and cmd.name not in ("tar", "bsdtar", "cpio")):
        return []
    if cmd.name in ("tar", "cpio", "pax", "gzip", "xz", "zstd"):
        short, long, _ = flags(cmd.args)
        if cmd.name != "tar" or "f" in short or "--file" in long or any(a.startswith("--file=") for a in cmd.args):
            return [said(cmd, CRITICAL, f"writes onto the disk device {devices[0]}, destroying its filesystem.")]
    return [said(cmd, MODERATE, f"works on the raw disk device {devices[0]}.")]


def judge(cmd: Command) -> list[Finding]:
    """Every finding for one simple command."""
    found: list[Finding] = []
    fn = RULES.get(cmd.name)
    if fn is None and cmd.name.startswith("mkfs"):
        fn = RULES["mkfs"]
    if fn is not None:
        found += fn(cmd)
    found += network_findings(cmd)
    found += rules_more.judge_more(cmd)
    computed = effects.computed_name(cmd)
    if computed or cmd.opaque or cmd.subst or cmd.name in code.LANGUAGES or wrappers.is_interpreter(cmd.name):
        downloads = (bool(cmd.upstream) and _downloads(cmd.upstream)) or (bool(cmd.subst) and any(
            _downloads(v) for v in cmd.subst.values()))
        found += effects.dynamic_findings(cmd, downloads, computed)
        found += effects.opaque_findings(cmd, downloads)
        found += code.findings(cmd, downloads)
    found += device_findings(cmd)
    for red in cmd.redirects:
        found += redirect_findings(cmd, red)
    found = [f for f in found if f.level > SAFE]
    return found + effects.class_findings(cmd, found, computed)


_INTERPRETER_RUN = LazyPattern(r"^(?:sh|bash|zsh|dash|ksh|fish|source|\.|python[\d.]*|perl|ruby|node|php|pwsh|powershell)$")


def _downloaded_file(cmd: Command) -> str | None:
    """The file a curl / wget / Invoke-WebRequest line saves to, if it names one."""
    args = cmd.args
    for i, arg in enumerate(args):
        if cmd.name == "curl" and arg in ("-o", "--output") and i + 1 < len(args):
            return args[i + 1]
        if (cmd.name == "curl" and arg in ("-O", "--remote-name")) or (cmd.name == "curl" and arg.startswith("-") and
                                                                     not arg.startswith("--") and arg.endswith("O")):
            urls = [a for a in args if "://" in a]
            return urls[-1].rstrip("/").rsplit("/", 1)[-1] if urls else None
        if cmd.name == "wget" and arg in ("-O", "--output-document") and i + 1 < len(args):
            return args[i + 1] if args[i + 1] != "-" else None
        if cmd.name in ("invoke-webrequest", "iwr") and arg.lower() == "-outfile" and i + 1 < len(args):
            return args[i + 1]
    if cmd.name == "wget" and not any(a.startswith("-O") or a == "--output-document" for a in args):
        urls = [a for a in args if "://" in a]
        return urls[-1].rstrip("/").rsplit("/", 1)[-1] if urls else None
    return None


def script_findings(commands: list[Command]) -> list[Finding]:
    """Across commands: a script downloaded and then run in the same line."""
    fetched: dict[str, Command] = {}
    found: list[Finding] = []
    for cmd in commands:
        if cmd.name in ("curl", "wget", "invoke-webrequest", "iwr"):
            name = _downloaded_file(cmd) or next((r.target for r in cmd.redirects if ">" in r.op), None)
            if name:
                fetched[name.lstrip("./")] = cmd
            continue
        if not fetched:
            continue
        run = None
        if _INTERPRETER_RUN.match(cmd.name):
            operands = [a for a in cmd.args if not a.startswith("-")]
            run = operands[0] if operands else None
        elif cmd.argv and (cmd.argv[0].startswith(("./", "/", ".\\")) or cmd.argv[0].lower().endswith(".ps1")):
            run = cmd.argv[0].replace("\\", "/")
        if run and run.lstrip("./") in fetched:
            found.append(said(cmd, HIGH, f"runs {run}, a script downloaded from the network in the same line, "
                                         "before anyone has read it."))
    return found


_FORK_TEXT = LazyPattern(r"([\w:.]+)\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*;?\s*\}|%0\s*\|\s*%0|\bfork\s+while\s+fork\b")


def text_findings(text: str) -> list[Finding]:
    """Patterns that survive even a failed parse (fork bombs written in odd spacing)."""
    match = _FORK_TEXT.search(text)
    if match:
        return [Finding(CRITICAL, f"{match.group(0)}: a fork bomb, which starts processes without end and freezes the machine.")]
    return []


_EX_WRITE = LazyPattern(r"(?:^|[|:\s])(?:w|wq|x|xit|wa|wall|wqa|xa|write|update|up|sav|saveas)!?(?:\s|$|\|)")


@rule("vim", "vi", "nvim", "ex", "view", "vim.basic", "vim.tiny", "awk", "gawk")
def _scripted_edits(cmd: Command) -> list[Finding]:
    """`vim -es -c '%d' -c wq /etc/fstab`, `ex -sc '%d|x' /etc/passwd`, `gawk -i inplace …`: an editor driven by
    commands that save, or awk editing in place, writes the files it is given."""
    from caro.safety.options import _values

    if cmd.name in ("awk", "gawk"):
        args = cmd.args
        inplace = any(args[i] in ("-i", "--include") and i + 1 < len(args) and args[i + 1] == "inplace"
                      for i in range(len(args))) or "-iinplace" in args
        if not inplace:
            return []
        operands = [a for a in args if not a.startswith("-") and a != "inplace"][1:]
        return _writes_into(cmd, operands) or [said(cmd, MODERATE, "edits the files it is given in place.")]
    scripts = _values(cmd.argv, ("-c", "--cmd")) + [a[1:] for a in cmd.argv[1:] if a.startswith("+")]
    scripts += [cmd.argv[i + 1] for i, a in enumerate(cmd.argv[:-1]) if rx.fullmatch(r"-[a-z]*c", a)]
    if not any(_EX_WRITE.search(" " + t) for t in scripts):
        return []
    skip = {i + 1 for i, a in enumerate(cmd.argv) if rx.fullmatch(r"-[a-z]*c|--cmd", a)}
    operands = [a for i, a in enumerate(cmd.argv[1:], 1) if i not in skip and not a.startswith(("-", "+"))]
    return _writes_into(cmd, operands) or [said(cmd, MODERATE, "runs editor commands that save the files it is given.")]
