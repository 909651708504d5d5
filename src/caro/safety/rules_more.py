"""Rules by meaning for what destroys without `rm`: overwriting in place, disks beyond dd, infrastructure
CLIs, the network and power, processes by name, the crontab, and secrets sent elsewhere.

Each function takes one simple command and returns findings, like the rules in rules.py; `judge_more()` is
called for every command. Levels follow the same scale: the whole machine, a home folder, a disk or the
network cut off is critical or high; one project file is moderate.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety.model import CRITICAL, HIGH, MODERATE, Command, Finding, LazyPattern
from caro.safety.paths import scope

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

    Check = Callable[[Command], list[Finding]]
_TABLE: dict[str, Check] = {}


def _on(*names: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        for name in names:
            _TABLE[name] = fn
        return fn

    return register


def _said(cmd: Command, level: int, sentence: str) -> Finding:
    from caro.safety.rules import said

    return said(cmd, level, sentence)


def _operands(cmd: Command, valued: str = "") -> list[str]:
    """Operands of a POSIX command line; `valued` lists the short options that take a value."""
    out: list[str] = []
    skip = False
    done = False
    for arg in cmd.args:
        if skip:
            skip = False
            continue
        if done or not arg.startswith("-") or arg == "-":
            out.append(cmd.resolved.get(arg, arg))
        elif arg == "--":
            done = True
        elif not arg.startswith("--") and arg[-1] in valued and len(arg) == 2:
            skip = True
    return out


# ----- overwriting in place --------------------------------------------------------------------------------
_SYSTEM_LOG = LazyPattern(r"/var/log/(?:auth|secure|syslog|messages|kern|wtmp|btmp|lastlog|faillog|audit|journal|"
                          r"daemon|boot|dmesg|sudo|cron|maillog|mail\.log|system\.log|utmp)")
_NOTHING = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "nul", "$null")


def overwrite_findings(cmd: Command, targets: list[str], how: str, *, edit: bool = False) -> list[Finding]:
    """Levels for emptying or rewriting `targets` in place, by what they reach. `edit`: the content is edited
    (sed -i, gzip), not destroyed, so a project folder's files are moderate rather than high."""
    found: list[Finding] = []
    if "{}" in targets and cmd.found is not None:
        roots = [r or "." for r in cmd.found.roots]
        targets = [t for t in targets if t != "{}"] + roots
        if cmd.found.narrowed:
            wide = [r for r in roots if scope(r).kind in ("root", "home", "system", "system-sub", "device")]
            level = HIGH if wide else MODERATE
            return [_said(cmd, level, f"{how} the files it finds under {wide[0] if wide else ', '.join(roots)}.")]
    for target in targets:
        sc = scope(target)
        low = target.lower()
        if low in _NOTHING or low.startswith(("/dev/fd/", "/dev/std", "/dev/tty")):
            continue
        if sc.kind == "device":
            found.append(_said(cmd, CRITICAL, f"{how} the disk device {target}: everything on it is destroyed."))
        elif sc.critical_file or sc.kind in ("root", "home", "system"):
            found.append(_said(cmd, CRITICAL, f"{how} {sc.describe()} ({target}); the system or your account stops working."))
        elif low.startswith("/var/log/") and _SYSTEM_LOG.search(low):
            found.append(_said(cmd, HIGH, f"{how} {target}, a system or security log (a common way to hide what was done)."))
        elif sc.kind == "system-sub" and not low.startswith("/var/log/"):
            found.append(_said(cmd, HIGH, f"{how} {target}, which the operating system relies on."))
        elif sc.sensitive:
            found.append(_said(cmd, HIGH, f"{how} {target}, which holds keys, logins, start-up settings or history."))
        elif sc.kind in ("cwd", "parent", "unknown", "home-sub"):
            found.append(_said(cmd, MODERATE if edit else HIGH, f"{how} {sc.describe()} ({target})."))
        elif sc.maybe_empty:
            found.append(_said(cmd, HIGH, f"{how} {sc.describe()} if a variable in {target} is empty."))
        else:
            found.append(_said(cmd, MODERATE, f"{how} {target}."))
    return found


@_on("truncate")
def _truncate(cmd: Command) -> list[Finding]:
    return overwrite_findings(cmd, _operands(cmd, "sr"), "empties")


@_on("sed", "gsed")
def _sed_in_place(cmd: Command) -> list[Finding]:
    args = cmd.args
    if not any(a.startswith(("-i", "--in-place")) or (a.startswith("-") and not a.startswith("--") and "i" in a[1:])
               for a in args):
        return []
    operands = _operands(cmd, "ef")
    if not any(a in ("-e", "-f") or a.startswith(("--expression", "--file")) for a in args):
        operands = operands[1:]  # the first operand is the script
    operands = [o for o in operands if o != "''" and o != ""]
    return [f for f in overwrite_findings(cmd, operands, "rewrites in place", edit=True) if f.level >= HIGH]


@_on("perl")
def _perl_in_place(cmd: Command) -> list[Finding]:
    if not any(a.startswith("-") and not a.startswith("--") and "i" in a[1:] for a in cmd.args):
        return []
    code_next = False
    targets: list[str] = []
    for arg in cmd.args:
        if code_next:
            code_next = False
            continue
        if arg.startswith("-") and not arg.startswith("--"):
            code_next = arg.endswith(("e", "E"))
            continue
        targets.append(arg)
    return [f for f in overwrite_findings(cmd, targets, "rewrites in place", edit=True) if f.level >= HIGH]


@_on("sort")
def _sort_output(cmd: Command) -> list[Finding]:
    from caro.safety.options import _values

    return overwrite_findings(cmd, _values(cmd.argv, ("-o", "--output")), "overwrites")


@_on("cp", "copy-item", "install", "dd", "cat")
def _copy_nothing(cmd: Command) -> list[Finding]:
    """`cp /dev/null ~/.bashrc`, `find … -exec cp /dev/null {} \\;`: copying nothing over a file empties it."""
    if cmd.name == "install":
        return _install(cmd)
    if cmd.name == "dd":
        source = next((a[3:] for a in cmd.args if a.startswith("if=")), "")
        out = next((a[3:] for a in cmd.args if a.startswith("of=")), "")
        if source.lower() in _NOTHING and out and scope(out).kind != "device":
            return [f for f in overwrite_findings(cmd, [out], "overwrites with zeros or noise") if f.level >= HIGH]
        return []
    operands = _operands(cmd, "tSo")
    if cmd.name in ("cp", "copy-item") and len(operands) >= 2 and operands[0].lower() in _NOTHING:
        return overwrite_findings(cmd, operands[-1:], "overwrites with nothing")
    return []


_SHELLISH = LazyPattern(r"(?:^|/)(?:ba|z|da|k|c|tc|fi)?sh$|(?:^|/)(?:python[\d.]*|perl|ruby|env|find|vim?|awk|busybox)$")


def _install(cmd: Command) -> list[Finding]:
    from caro.safety.options import _values

    modes = _values(cmd.argv, ("-m", "--mode"))
    operands = _operands(cmd, "mogtS")
    if any(rx.fullmatch(r"0?[4-7][0-7]{3}", m) or "s" in m for m in modes) and operands:
        level = CRITICAL if _SHELLISH.search(operands[0]) else HIGH
        return [_said(cmd, level, f"installs {operands[-1]} with the setuid/setgid bit: it then runs with its owner's "
                                  "rights (a classic privilege escalation).")]
    return []


@_on("tar", "bsdtar", "zip", "7z", "7za", "gzip", "bzip2", "xz", "zstd", "pigz")
def _archive_removes(cmd: Command) -> list[Finding]:
    """Archivers that delete or replace what they pack: `tar --remove-files`, `zip -m`, `7z -sdel`, `gzip -r`."""
    from caro.safety.rules import judge_deletion

    args = cmd.args
    if cmd.name in ("tar", "bsdtar") and "--remove-files" in args:
        operands = [a for a in _operands(cmd, "fCTXb") if not a.endswith((".tar", ".tgz", ".gz", ".xz", ".zst", ".bz2"))]
        return [Finding(f.level, f.reason.replace("deletes", "packs, then deletes", 1))
                for f in judge_deletion(cmd, operands, True)]
    if cmd.name == "zip" and any(a.startswith("-") and not a.startswith("--") and "m" in a[1:] for a in args):
        return judge_deletion(cmd, _operands(cmd)[1:], any("r" in a for a in args if a.startswith("-")))
    if cmd.name in ("7z", "7za") and "-sdel" in args:
        return judge_deletion(cmd, _operands(cmd)[2:], True)
    if cmd.name in ("gzip", "bzip2", "xz", "zstd", "pigz") and not any(a in ("-d", "-k", "-c", "-l", "-t", "--keep",
                                                                              "--stdout", "--decompress") for a in args):
        return [f for f in overwrite_findings(cmd, _operands(cmd, "S"), "replaces with compressed copies", edit=True)
                if f.level >= HIGH]
    return []


@_on("rimraf", "del-cli", "trash-empty", "rm-rf")
def _node_rm(cmd: Command) -> list[Finding]:
    from caro.safety.rules import judge_deletion

    if cmd.name == "trash-empty":
        return [_said(cmd, MODERATE, "empties the trash for good.")]
    return judge_deletion(cmd, [o.rstrip("*").rstrip("/") or "/" if o.endswith("/**") else o for o in _operands(cmd)], True)


# ----- disks and volumes -----------------------------------------------------------------------------------
def _devices(cmd: Command) -> list[str]:
    return [a.split("=", 1)[-1] for a in cmd.args if scope(a.split("=", 1)[-1]).kind == "device"
            or rx.match(r"^/dev/(?:sg\d+|nvme\d+|vg\w*/.+|md\d+)$", a.split("=", 1)[-1])]


@_on("ddrescue", "dcfldd", "dc3dd")
def _copiers(cmd: Command) -> list[Finding]:
    outs = [a.split("=", 1)[1] for a in cmd.args if a.startswith(("of=", "wipe=", "hof=", "ofs="))]
    if cmd.name == "ddrescue":
        operands = _operands(cmd, "bcimoOsTx")
        outs += operands[1:2]
    hits = [o for o in outs if scope(o).kind == "device"]
    if hits:
        return [_said(cmd, CRITICAL, f"overwrites the disk device {hits[0]}: everything on it is destroyed.")]
    return []


_DISK_VERBS = {
    "nvme": ({"format", "sanitize", "delete-ns", "detach-ns", "write-zeroes", "write-uncor", "fw-download",
              "fw-commit", "set-feature", "security-send"}, "erases or rewrites an NVMe drive"),
    "zpool": ({"create", "labelclear", "destroy", "add", "attach", "replace", "split", "remove"},
              "takes over or wipes the disks of a ZFS pool"),
    "mdadm": ({"--create", "-C", "--zero-superblock", "--build", "--grow", "--remove", "--fail"},
              "builds or breaks a RAID array over existing disks"),
    "flashrom": ({"-w", "--write", "-E", "--erase"}, "rewrites or erases the machine's firmware (BIOS/UEFI)"),
    "sg_format": ({"--format", "-F", "-f"}, "low-level formats a SCSI disk"),
    "sg_sanitize": ({"--block", "--crypto", "--overwrite", "-B", "-C", "-O"}, "sanitizes (erases) a disk"),
    "sg_unmap": ({"--lba", "-l", "--all", "-a"}, "discards blocks on a disk"),
    "scrub": (set(), "overwrites data so it can never be recovered"),
    "lvreduce": (set(), "shrinks a logical volume; data past the new end is lost"),
    "lvresize": ({"-L", "--size", "-l", "--extents"}, "resizes a logical volume; shrinking loses data"),
    "vgreduce": (set(), "removes a disk from a volume group"),
    "pvmove": (set(), "moves data off a physical volume"),
    "e4defrag": (set(), ""), "zfs": ({"destroy", "rollback", "receive", "recv"}, "destroys or rolls back ZFS data"),
    "btrfs": ({"delete", "remove", "replace"}, "deletes btrfs subvolumes or devices"),
}


@_on(*_DISK_VERBS)
def _disk_tools(cmd: Command) -> list[Finding]:
    verbs, what = _DISK_VERBS[cmd.name]
    if not what or any(a in ("-h", "--help", "list", "status", "show", "-V", "--version") for a in cmd.args[:1]):
        return []
    if verbs and not any(a in verbs or a.split("=", 1)[0] in verbs for a in cmd.args):
        return []
    devices = _devices(cmd)
    if cmd.name == "scrub":
        targets = _operands(cmd, "pbsSrf")
        if any(scope(t).kind == "device" for t in targets):
            return [_said(cmd, CRITICAL, f"{what}: the disk {targets[-1]} is destroyed.")]
        return overwrite_findings(cmd, targets, "overwrites beyond recovery")
    level = CRITICAL if devices or cmd.name in ("flashrom", "zpool", "mdadm", "nvme", "sg_format", "sg_sanitize") else HIGH
    if cmd.name in ("lvreduce", "lvresize", "vgreduce", "pvmove", "btrfs"):
        level = HIGH
    return [_said(cmd, level, f"{what}{' (' + ', '.join(devices[:2]) + ')' if devices else ''}.")]


# ----- infrastructure -------------------------------------------------------------------------------------
_INFRA = {"aws", "gcloud", "az", "gsutil", "s3cmd", "rclone", "gh", "glab", "heroku", "vercel", "netlify", "fly",
          "flyctl", "firebase", "wrangler", "doctl", "linode-cli", "hcloud", "scw", "oci", "ibmcloud", "vault", "consul",
          "nomad", "etcdctl", "cdk", "pulumi", "tofu", "terraform", "serverless", "sls", "sam", "eksctl", "podman",
          "docker", "kubectl", "oc", "helm", "mc", "restic", "borg", "kopia", "supabase", "railway", "render", "openstack",
          "gcloud-alpha", "cf", "juju", "lxc", "multipass", "vagrant", "virsh"}
_REMOVE_VERB = LazyPattern(
    r"^(?:[\w-]+:)?(?:delete|destroy|purge|terminate|remove|rm|del|drop|flush\w*|reset|wipe|uninstall|un|prune|disable"
    r"|deletefile|rmdir|rmdirs|rb|teardown|nuke|erase|forget|cleanup|undefine|deregister|decommission)"
    r"(?:[:-][\w-]+)?$", rx.IGNORECASE)
_KEEP = {"docker", "podman", "kubectl", "oc", "terraform", "pulumi"}  # judged by their own rules in rules.py


@_on(*_INFRA)
def _infrastructure(cmd: Command) -> list[Finding]:
    name, args = cmd.name, cmd.args
    words = [a for a in args if not a.startswith("-")][:4]
    lower = [a.lower() for a in args]
    if name in ("terraform", "tofu") and words[:1] == ["plan"]:
        return []  # a plan, even `-destroy`, only shows what would change
    if name == "tofu" and (words[:1] == ["destroy"] or ("-destroy" in lower and words[:1] == ["apply"])):
        return [_said(cmd, HIGH, "tofu destroy deletes all the infrastructure it manages.")]
    if name == "terraform" and "-destroy" in lower and words[:1] == ["apply"]:
        return [_said(cmd, HIGH, "terraform apply -destroy deletes all the infrastructure it manages.")]
    if (name in ("aws", "rclone", "gsutil", "s3cmd", "mc") and "sync" in words and any(
            a.startswith(("--delete", "--delete-removed", "-d")) for a in lower)) or (name == "rclone" and words[:1] == ["sync"]):
        return [_said(cmd, HIGH, f"{name} sync deletes everything at the destination that the source lacks.")]
    if name in _KEEP:
        if name in ("docker", "podman") and words[:2] == ["system", "reset"]:
            return [_said(cmd, HIGH, f"{name} system reset deletes every container, image and volume.")]
        if name in ("kubectl", "oc") and words[:1] == ["delete"] and any(cmd.subst.values()):
            return [_said(cmd, HIGH, f"{name} delete on a list computed when it runs: possibly everything.")]
        return []
    verb = next((w for w in words if _REMOVE_VERB.match(w)), None)
    if verb is None:
        return []
    if name in ("aws", "gsutil", "s3cmd", "mc") and verb in ("rm", "del") and not any(
            a in ("--recursive", "-r", "-R", "--force") for a in lower):
        return []  # one object: rules.py's cloud rule says moderate
    return [_said(cmd, HIGH, f"{name} {verb} deletes or disables remote resources or data; there is no undo.")]


@_on("curl", "http", "https", "xh", "httpie", "wget")
def _http_delete(cmd: Command) -> list[Finding]:
    args = cmd.args
    lowered = [a.lower() for a in args]
    method = None
    for i, arg in enumerate(lowered):
        if arg in ("-x", "--request") and i + 1 < len(args):
            method = lowered[i + 1]
        elif arg.startswith("-x") and len(arg) > 2 and not arg.startswith("--"):
            method = arg[2:]
        elif arg.startswith("--request="):
            method = arg.split("=", 1)[1]
    if cmd.name in ("http", "https", "xh", "httpie") and lowered and lowered[0] in ("delete", "purge"):
        method = lowered[0]
    found: list[Finding] = _output_targets(cmd) if cmd.name in _OUTPUTS else []
    if method in ("delete", "purge"):
        url = next((a for a in args if "://" in a or rx.match(r"^[\w.-]+(?::\d+)?/", a)), "")
        path = rx.sub(r"^[a-z]+://", "", url).split("?", 1)[0].partition("/")[2].rstrip("/")
        last = path.rsplit("/", 1)[-1]
        single = "/" in path and bool(rx.search(r"\d", last)) and not rx.search(r"[*]|_all", path)
        level = MODERATE if single else HIGH  # one item by its id, or a whole collection, index or everything
        found.append(_said(cmd, level, "sends an HTTP DELETE: it deletes "
                                       f"{'that item' if single else 'data'} on the server, and servers rarely ask twice."))
    found += _exfiltration(cmd)
    return found


_OUTPUTS = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document", "-o", "--output-file"),
            "git": ("--output",), "gcc": ("-o",), "g++": ("-o",), "cc": ("-o",), "clang": ("-o",), "go": ("-o",),
            "pandoc": ("-o", "--output"), "yt-dlp": ("-o", "--output"), "youtube-dl": ("-o", "--output"),
            "openssl": ("-out",), "aria2c": ("-o", "--out"), "xh": ("-o", "--output"), "http": ("-o", "--output")}


def _output_targets(cmd: Command) -> list[Finding]:
    """`curl -o /etc/passwd …`, `wget -O /etc/shadow …`: a file a program writes its output to."""
    from caro.safety.model import Redirect
    from caro.safety.options import _values
    from caro.safety.rules import redirect_findings

    found: list[Finding] = []
    for target in _values(cmd.argv, _OUTPUTS[cmd.name]):
        if target not in ("-", "/dev/null"):
            found += redirect_findings(cmd, Redirect(">", target, target))
    return found


@_on(*(k for k in _OUTPUTS if k not in ("curl", "http", "xh", "wget")))
def _writes_output(cmd: Command) -> list[Finding]:
    return _output_targets(cmd)


# ----- network, power, processes, cron -------------------------------------------------------------------
@_on("ip")
def _ip(cmd: Command) -> list[Finding]:
    words = [a.lower() for a in cmd.args if not a.startswith("-")]
    if not words:
        return []
    obj = words[0]
    if obj in ("link", "l") and any(w in ("down", "del", "delete") for w in words):
        return [_said(cmd, HIGH, "takes a network interface down: connections through it, yours included, are cut.")]
    if obj in ("route", "r", "ro", "addr", "address", "a", "neigh", "rule") and any(w in ("flush", "del", "delete") for w in words):
        return [_said(cmd, HIGH, f"ip {obj} {'flush' if 'flush' in words else 'del'} removes addresses or routes: the "
                                 "machine can lose its network.")]
    if any(w in ("add", "set", "change", "replace") for w in words[1:2]):
        return [_said(cmd, MODERATE, "changes the network configuration.")]
    return []


@_on("nmcli", "ifdown", "ifconfig", "rfkill", "iw", "iwconfig", "wpa_cli", "networksetup", "tc", "rtcwake")
def _network_power(cmd: Command) -> list[Finding]:
    name = cmd.name
    lower = [a.lower() for a in cmd.args]
    switched_off = ("networking" in lower or "radio" in lower or "n" in lower[:1]) and "off" in lower
    if name == "nmcli" and switched_off:
        return [_said(cmd, HIGH, "switches networking off: the machine (and a remote session) loses the network.")]
    if name == "nmcli" and any(w in ("down", "disconnect", "delete") for w in lower):
        return [_said(cmd, MODERATE, "drops or deletes a network connection.")]
    if name == "ifdown" or (name == "ifconfig" and "down" in lower):
        return [_said(cmd, HIGH, "takes network interfaces down.")]
    if name == "rfkill" and "block" in lower:
        return [_said(cmd, HIGH, "switches off wireless devices.")]
    if name in ("iw", "iwconfig", "wpa_cli") and any(w in ("disconnect", "off", "down") for w in lower):
        return [_said(cmd, HIGH, "disconnects the wireless network.")]
    if name == "networksetup" and any(w.startswith("-set") for w in lower) and "off" in lower:
        return [_said(cmd, HIGH, "switches a network service off.")]
    if name == "tc" and any(w in ("loss", "netem", "blackhole") for w in lower):
        return [_said(cmd, HIGH, "makes the network drop or delay traffic.")]
    if name == "rtcwake" and any(m in lower for m in ("off", "mem", "disk", "freeze", "standby", "no")):
        return [_said(cmd, HIGH, "suspends or powers off the machine (to wake later).")]
    return []


_INTERPRETERS = LazyPattern(r"^(?:python\d?(?:\.\d+)?|node|java|ruby|perl|php)$", rx.IGNORECASE)
_VITAL = LazyPattern(r"^(?:bash|zsh|sh|fish|sshd?|systemd\w*|init|dbus\w*"
                     r"|xorg|x|wayland|gnome-shell|kwin\w*|plasmashell|gdm\w*|sddm|lightdm|login|getty|agetty|"
                     r"networkmanager|dockerd|containerd|kubelet|postgres\w*|mysqld|mariadbd|nginx|apache2|httpd|"
                     r"explorer(?:\.exe)?|lsass|csrss|winlogon|svchost|wininit|smss|services|launchd|windowserver|finder"
                     r"|loginwindow|cron|rsyslogd|journald|udevd|polkitd)$", rx.IGNORECASE)


@_on("pkill", "killall", "skill", "slay")
def _kill_by_name(cmd: Command) -> list[Finding]:
    args = cmd.args
    names = _operands(cmd, "sungtPGUFe")
    forced = any(a in ("-9", "-KILL", "-SIGKILL", "--signal=9", "--signal=KILL") for a in args) or \
        any(args[i - 1] in ("-s", "--signal") and a in ("9", "KILL", "SIGKILL") for i, a in enumerate(args) if i)
    if not names:
        return []
    vital = [n for n in names if _VITAL.match(n.strip("'\""))]
    if vital:
        return [_said(cmd, HIGH, f"kills every process named like {vital[0]}: the system, your session or other work "
                                 "running it stops.")]
    if _INTERPRETERS.match(names[0].strip("'\"")):
        how = "force-kills (-9)" if forced else "kills"
        return [_said(cmd, HIGH, f"{how} every {names[0]} process on the machine — other programs and system tools "
                                 f"written in {names[0]} included, not just the one you mean.")]
    return [_said(cmd, MODERATE, f"kills every process matching {names[0]}.")]


@_on("kill")
def _kill_computed(cmd: Command) -> list[Finding]:
    for found in cmd.subst.values():
        for inner in found:
            args = list(inner.args)
            narrowed = any(a in ("-p", "-C", "-u", "--pid", "-U") or a.startswith("-C") for a in args) or any(
                c.name in ("grep", "awk", "head", "tail", "sed") for c in found if c is not inner)
            if inner.name == "ps" and not inner.upstream and not narrowed:
                return [_said(cmd, CRITICAL, "kills every process that `ps` lists: the whole system goes down.")]
            if inner.name == "pgrep" and any(a in (".", ".*", "''", "") for a in args):
                return [_said(cmd, CRITICAL, "kills every process (`pgrep .` matches them all).")]
            if inner.name in ("jobs",) or (inner.name == "pgrep" and any(
                    _VITAL.match(a) or _INTERPRETERS.match(a) for a in args if not a.startswith("-"))):
                return [_said(cmd, HIGH, "kills every process of a kind the system or your session needs.")]
    return []


@_on("crontab")
def _crontab_empty(cmd: Command) -> list[Finding]:
    from caro.safety.wrappers import literal_stdin

    operands = _operands(cmd, "u")
    if operands and operands[0] == "/dev/null":
        return [_said(cmd, HIGH, "replaces your crontab with nothing: every scheduled job is deleted.")]
    if operands == ["-"] or (not operands and (cmd.upstream or cmd.stdin_text is not None)):
        text = literal_stdin(cmd)
        if text is not None and not text.strip():
            return [_said(cmd, HIGH, "replaces your crontab with nothing: every scheduled job is deleted.")]
    return []


# ----- secrets sent elsewhere --------------------------------------------------------------------------------
_SECRET = LazyPattern(r"(?:\.ssh\b|id_rsa|id_ed25519|id_ecdsa|id_dsa|\.aws\b|\.netrc|\.git-credentials|\.pgpass|/etc/shadow"
                      r"|/etc/passwd|/etc/sudoers|\.gnupg|\.kube/config|\.docker/config\.json|\.password-store|"
                      r"keychain|\.env\b|credentials|secrets?\.|\.npmrc|\.pypirc|--export-secret|\.bash_history"
                      r"|\.config/gcloud|\.azure/)", rx.IGNORECASE)
_SENDERS = {"curl", "wget", "http", "https", "xh", "nc", "ncat", "netcat", "socat", "telnet", "scp", "sftp", "rsync",
            "ftp", "mail", "mailx", "sendmail", "mutt", "ssh", "openssl", "aws", "gsutil", "rclone", "gh"}


def _reads_secret(cmds: list[Command]) -> str | None:
    for up in cmds:
        if up.name in ("env", "printenv", "set", "declare") and not up.args:
            return "every environment variable (tokens and passwords among them)"
        hit = next((a for a in up.argv if _SECRET.search(a) and not a.endswith(".pub")), None)
        if hit:
            return hit
        for red in up.redirects:
            if _SECRET.search(red.target):
                return red.target
    return None


def _exfiltration(cmd: Command) -> list[Finding]:
    if cmd.name not in _SENDERS:
        return []
    hit = _reads_secret([c for c in cmd.upstream if c.name not in _SENDERS])
    if hit is None and cmd.name in ("curl", "wget", "http", "https", "xh", "nc", "ncat", "netcat", "socat", "telnet"):
        sent = [a for a in cmd.args if a.startswith("@") or "=@" in a or a.startswith(("--post-file", "--body-file"))]
        sent += [a for i, a in enumerate(cmd.args) if i and cmd.args[i - 1] in ("-T", "--upload-file", "-d", "--data",
                                                                                 "--data-binary", "-F", "--form")]
        sent += [r.target for r in cmd.redirects if r.op.startswith("<")]
        hit = next((a for a in sent if _SECRET.search(a)), None)
    if hit is None:
        return []
    return [_said(cmd, HIGH, f"sends {hit} — keys, passwords or credentials — to another machine.")]


@_on("nc", "ncat", "netcat", "socat", "telnet", "mail", "mailx", "sendmail", "mutt", "ftp", "ssh", "sftp")
def _senders(cmd: Command) -> list[Finding]:
    return _exfiltration(cmd)


@_on("iptables", "ip6tables", "iptables-legacy", "iptables-nft")
def _catch_all_drop(cmd: Command) -> list[Finding]:
    """`iptables -I INPUT -j DROP`: a rule that matches everything and drops it cuts the machine off."""
    args = cmd.args
    adding = any(a in ("-A", "-I", "--append", "--insert") for a in args)
    target = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-j", "--jump")), "")
    matches = any(a in ("-s", "-d", "-p", "--dport", "--sport", "-i", "-o", "-m", "--source", "--destination",
                        "--protocol", "--in-interface", "--out-interface") for a in args)
    if adding and target.upper() in ("DROP", "REJECT") and not matches:
        return [_said(cmd, HIGH, "adds a rule that drops all traffic of a chain: the machine (and your session) can "
                                 "be cut off.")]
    return []


@_on("robocopy")
def _robocopy(cmd: Command) -> list[Finding]:
    from caro.safety.rules import judge_deletion

    lower = [a.lower() for a in cmd.args]
    operands = [a for a in cmd.args if not a.startswith("/")]
    if ("/mir" in lower or "/purge" in lower) and len(operands) >= 2:
        return [Finding(f.level, f.reason.replace("recursively deletes", "mirrors an other folder onto, deleting "
                                                  "whatever it lacks in,", 1)) for f in judge_deletion(cmd, operands[1:2], True)]
    if "/mov" in lower or "/move" in lower:
        return judge_deletion(cmd, operands[:1], "/move" in lower)
    return []


@_on("disable-netadapter", "remove-netipaddress", "remove-netroute", "disable-netadapterbinding")
def _windows_network(cmd: Command) -> list[Finding]:
    return [_said(cmd, HIGH, "switches off network adapters or removes addresses or routes: the machine can lose "
                             "its network.")]


@_on("invoke-expression", "iex")
def _computed_code(cmd: Command) -> list[Finding]:
    """Invoke-Expression of text built when it runs (decoded, downloaded, concatenated)."""
    text = " ".join(cmd.args)
    if not text or rx.fullmatch(r"\s*(['\"]).*\1\s*", text, rx.DOTALL) or not rx.search(r"[($\[]", text):
        return []
    net = rx.search(r"irm|iwr|invoke-(?:webrequest|restmethod)|downloadstring|webclient|https?://", text, rx.IGNORECASE)
    return [_said(cmd, CRITICAL if net else HIGH, "runs text built when it runs as PowerShell code (decoded, downloaded "
                                                  "or concatenated); caro cannot see what it will be.")]


def judge_more(cmd: Command) -> list[Finding]:
    check = _TABLE.get(cmd.name)
    return check(cmd) if check is not None else []
