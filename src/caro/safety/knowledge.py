"""What programs do, as data: each known program (and subcommand) has an effect class.

The classes, from harmless to not:

- ``read``     only reads and prints (files, the system's state, the network): ``ls``, ``git log``, ``curl URL``
- ``write``    creates or changes files in place: ``mkdir``, ``cp``, ``git commit``, ``sed -i``
- ``delete``   deletes files or data: ``rm``, ``git clean``, ``docker rm``
- ``run``      runs code it is given or finds (scripts, builds, servers): ``make``, ``python app.py``
- ``send``     sends data somewhere else: ``git push``, ``scp``, ``curl -d``
- ``install``  installs or removes software: ``apt install``, ``pip install``
- ``kill``     stops processes: ``kill``, ``pkill``
- ``system``   changes the machine itself: services, network, mounts, users, power
- ``wrapper``  runs another command given to it; the engine judges that command instead

A command line is `safe` only when every simple command in it is known and of class ``read``. The rules in
rules.py then raise the level by meaning and scope (what is deleted, where it is written). A program this
table does not know is at least `moderate`: caro does not know what it does.

Flags and operands that change a class (``find -delete``, ``sed -i``, ``curl -o``, ``sort -o``) are in
``classify()``. The table is parsed on first use: importing this module costs nothing.
"""

from __future__ import annotations

from caro.safety.model import Command

TYPE_CHECKING = False  # typing only for the type checker: it is not on the start path
if TYPE_CHECKING:
    from typing import Any

READ, WRITE, DELETE, RUN, SEND, INSTALL, KILL, SYSTEM, WRAPPER = (
   "read", "write", "delete", "run", "send", "install", "kill", "system", "wrapper")
ONLY_READ = "=read"  # from _flag_classes(): this form of the command only reads, whatever its program does
CLASSES = (READ, WRITE, DELETE, RUN, SEND, INSTALL, KILL, SYSTEM, WRAPPER)

# What each class does, in the words a reason uses.
VERBS = {
   READ: "reads", WRITE: "changes files", DELETE: "deletes data", RUN: "runs code", SEND: "sends data elsewhere",
   INSTALL: "installs or removes software", KILL: "stops processes", SYSTEM: "changes the system",
   WRAPPER: "runs another command",
}

_PROGRAMS = """
read: ls dir vdir fdupes jdupes rdfind eslint ruff pg_dump mysqldump mongodump ssh-add ssh-copy-id smartctl
  exit logout unset speedtest ll la tree exa eza lsd cat tac bat batcat less more most head tail nl od xxd hexdump hd strings
  file stat wc grep egrep fgrep rg ag ack zgrep zcat zless bzcat xzcat lzcat zstdcat find fd fdfind locate mlocate
  plocate which whereis type whence command hash pwd cd pushd popd dirs echo printf true false test [ [[ : sleep
  date cal ncal uptime whoami who w users id groups last lastlog finger hostname hostnamectl uname arch lsb_release
  sw_vers env printenv set declare typeset local readonly export alias unalias shopt help man info apropos whatis
  tldr df du free vmstat iostat mpstat sar top htop btop atop glances ps pgrep pidof pstree lsof fuser ss netstat
  ip ifconfig iwconfig route arp ping ping6 traceroute tracepath mtr dig nslookup host whois nmap curl wget http
  https xh httpie sort uniq cut paste join comm diff diff3 cmp sdiff colordiff tr fold fmt column expand unexpand
  rev shuf seq yes basename dirname realpath readlink md5sum sha1sum sha256sum sha512sum b2sum cksum sum base64
  base32 jq yq xq xmllint tidy csvlook csvcut fx gron awk gawk mawk nawk sed lsblk blkid lscpu lsusb lspci lshw
  lsmod dmidecode nproc getconf ulimit locale localectl timedatectl journalctl dmesg systemd-analyze loginctl
  getent id tty stty clear reset tput history fc jobs fg bg wait times read mapfile readarray let expr bc dc
  numfmt factor units watch time column iconv uconv printf sensors acpi upower inxi
  neofetch fastfetch screenfetch lsattr getfacl namei findmnt ncdu dust duf gdu vnstat iftop
  nethogs bmon nload speedtest speedtest-cli fzf peco sk glow mdcat open xdg-open code subl idea
  vim vi nvim nano emacs micro pico ed gedit kate mousepad zed helix hx cursor stty
  openssl pgrep lsns
  atq sestatus getenforce
  aa-status
  ioreg system_profiler plutil mdfind mdls scutil
  ifstat xrandr xdpyinfo xprop xwininfo wmctrl glxinfo vulkaninfo nvidia-smi rocm-smi clinfo
  sha224sum sha384sum shasum md5 zipinfo lsar
  tokei cloc scc sloccount exiftool identify mediainfo ffprobe pdfinfo pdftotext
  pg_isready mysqlshow
  cut column pr look spell wdiff dwdiff delta difft
  ssh-keyscan logname
  shellcheck hadolint yamllint jsonlint
  markdownlint mypy pyright flake8 pylint

write: psql mysql mariadb mongosh mongo sqlcmd
  mkdir touch cp mv ln install rsync tee truncate dd split csplit tar zip unzip gzip gunzip bzip2 bunzip2
  xz unxz zstd unzstd 7z 7za rar unrar lz4 compress uncompress pigz pbzip2 cpio ar patch dos2unix unix2dos
  convert magick ffmpeg sox pandoc wkhtmltopdf mkfifo mknod mktemp chmod chown chgrp chattr setfacl umask
  git-apply rename prename perl-rename mmv wget2 aria2c yt-dlp youtube-dl gallery-dl
  ssh-keygen gpg certbot mkcert htpasswd sqlite3 duckdb cookiecutter copier yo
  direnv git-lfs pre-commit ctags gtags uglifyjs terser esbuild tsc babel sass lessc postcss
  prettier black isort autopep8 yapf gofmt rustfmt clang-format shfmt ruff-format
run: source . powershell pwsh cmd make cmake ninja meson bazel buck gradle gradlew mvn mvnw ant sbt lein cargo go rustc gcc g++ cc c++ clang
  clang++ javac java kotlin kotlinc scala dotnet swift swiftc ghc stack cabal zig nim crystal dart flutter
  elixir mix erl julia r rscript octave matlab python python2 python3 pypy pypy3 node nodejs deno bun
  ruby perl php lua luajit tclsh wish osascript
  pytest tox nox coverage unittest jest vitest mocha karma cypress playwright
  rspec rake bundle rails django-admin flask uvicorn gunicorn hypercorn celery jupyter ipython bpython
  streamlit gradio hugo jekyll gatsby next nuxt vite webpack rollup parcel nodemon pm2 forever
  vagrant packer buildah kaniko qemu-system-x86_64
  qemu virt-install virtualbox VBoxManage vboxmanage wine tmux screen byobu zellij sh bash zsh dash ksh fish
  csh tcsh expect ghci irb pry psysh
send: scp sftp ftp lftp mail mailx sendmail mutt msmtp swaks wall write talk nc ncat netcat socat
  telnet
install: apt apt-get aptitude dpkg dnf yum rpm zypper pacman apk brew snap flatpak port pkg emerge nix-env
  choco winget scoop pip pip3 pipx uv poetry pdm hatch conda mamba micromamba npm yarn pnpm gem
  composer cpan cpanm luarocks opam nix asdf mise rtx
  sdk sdkman nvm fnm volta pyenv rbenv rustup xbps-install
kill: kill killall killall5 pkill skill slay xkill stop-process taskkill
system: cpupower powerprofilesctl tlp su systemctl service rc-service launchctl sc net shutdown reboot halt poweroff
  init telinit mount umount swapon swapoff sysctl modprobe insmod rmmod depmod ifup ifdown nmcli
  iptables ip6tables nft ufw firewall-cmd pfctl useradd userdel usermod groupadd groupdel gpasswd passwd
  chpasswd adduser deluser visudo setcap setenforce
  update-alternatives update-grub grub-install efibootmgr crontab at batch chroot mkfs fdisk parted
  ldconfig rtcwake pmset tmutil dscl csrutil spctl fdesetup nvram bless kextload kmutil
  wpa_cli iw rfkill tc brctl ovs-vsctl vgcreate lvcreate pvcreate lvextend lvresize lvreduce
  cryptsetup zpool zfs mdadm losetup kexec dracut mkinitcpio update-initramfs
read: invoke-webrequest iwr invoke-restmethod irm get-childitem gci get-content gc get-process gps get-service gsv select-object select where-object where ?
  sort-object sort format-table ft format-list fl format-wide fw measure-object measure test-path
  test-connection test-netconnection resolve-path get-item gi get-location gl set-location sl write-output
  write-host write-verbose out-host out-string out-null convertto-json convertfrom-json convertto-csv
  convertfrom-csv select-string sls get-command gcm get-help get-date get-member gm get-filehash get-psdrive
  get-volume get-disk get-partition get-netipaddress get-netadapter get-ciminstance get-wmiobject gwmi
  get-eventlog get-winevent get-hotfix get-computerinfo get-variable gv get-alias gal get-module get-package
  get-itemproperty gp get-acl get-history ghy get-host get-culture get-uptime get-timezone get-nettcpconnection
  get-dnsclientcache resolve-dnsname get-localuser get-localgroup get-scheduledtask group-object compare-object
  get-unique findstr more ver vol ipconfig systeminfo tasklist tracert getmac chcp cls title
  driverquery assoc ftype fc comp dir type echo hostname pathping arp nbtstat query
write: copy xcopy robocopy md ren rename attrib new-item ni copy-item cpi move-item mi rename-item rni set-content
  add-content ac out-file set-item si set-itemproperty sp new-itemproperty compress-archive expand-archive
  export-csv export-clixml tee-object set-variable new-variable
install: install-module install-package install-script update-module uninstall-module uninstall-package
system: stop-service start-service restart-service set-service stop-computer restart-computer set-executionpolicy
  new-localuser add-localgroupmember reg netsh bcdedit schtasks format diskpart set-netfirewallprofile
  set-mppreference set-date set-timezone enable-netadapter disable-netadapter set-netipaddress
delete: clear-content clc clear-item cli remove-itemproperty rp clear-recyclebin
wrapper: foreach-object % invoke-command icm start-job call
delete: rm rmdir unlink shred wipe srm trash trash-put trash-empty rimraf del erase rd remove-item
wrapper: sudo doas pkexec run0 gosu su-exec env nice nohup time exec builtin stdbuf ionice setsid unbuffer
  caffeinate strace ltrace chrt taskset busybox catchsegv command runuser sg systemd-run firejail torsocks torify
  proxychains proxychains4 timeout flock xargs parallel eval watch script ssh alias trap unshare valgrind
  fakeroot fakechroot xvfb-run nsenter npx bunx pnpx flatpak-spawn setpriv bwrap proot numactl cgexec prlimit
  eatmydata faketime chronic sem mpirun mpiexec srun entr watchexec xterm gnome-terminal konsole
  alacritty kitty wezterm dbus-launch dbus-run-session capsh schroot distrobox toolbox nix-shell
  aws-vault with-contenv s6-setuidgid chpst daemonize start-stop-daemon hyperfine perf ccache distcc
  retry lxc-attach cmd iex invoke-expression start-process saps start invoke-command icm
  powershell pwsh
"""

# Subcommands: program -> {subcommand: class}; "*" is the class of a subcommand not listed.
_SUBCOMMANDS = """
git *=write status=read log=read diff=read show=read branch=read tag=read remote=read blame=read grep=read
  shortlog=read describe=read rev-parse=read rev-list=read ls-files=read ls-tree=read ls-remote=read
  cat-file=read config=read reflog=read whatchanged=read help=read version=read count-objects=read
  fsck=read cherry=read name-rev=read for-each-ref=read show-ref=read bisect=write worktree=write
  fetch=read clone=write pull=write push=send clean=delete rm=delete filter-branch=write filter-repo=write
  archive=write format-patch=write send-email=send request-pull=read gc=write prune=delete lfs=write
  submodule=write stash=write checkout=write switch=write restore=write reset=write revert=write merge=write
  rebase=write cherry-pick=write commit=write add=write mv=write init=write am=write apply=write notes=write
docker *=run ps=read images=read logs=read inspect=read version=read info=read stats=read top=read
  history=read search=read port=read diff=read events=read login=write logout=write pull=write build=write
  tag=write create=write cp=write commit=write save=write load=write export=write import=write push=send
  start=system stop=system restart=system pause=system unpause=system kill=kill rm=delete rmi=delete
  prune=delete run=run exec=run compose=run network=system volume=write image=write container=write
  system=write buildx=write context=read manifest=read trust=read scout=read
podman =docker
nerdctl =docker
kubectl *=write get=read describe=read logs=read top=read explain=read version=read api-resources=read
  api-versions=read cluster-info=read config=read auth=read diff=read wait=read events=read port-forward=read
  proxy=read exec=run run=run debug=run attach=run cp=write apply=write create=write patch=write edit=write
  label=write annotate=write scale=write set=write rollout=write expose=write autoscale=write replace=write
  delete=delete drain=system cordon=system uncordon=system taint=system certificate=system
oc =kubectl
helm *=write list=read ls=read status=read get=read history=read show=read search=read template=read
  lint=read version=read env=read repo=write install=write upgrade=write rollback=write uninstall=delete
  delete=delete del=delete un=delete
terraform *=write plan=read show=read output=read validate=read fmt=write version=read providers=read
  graph=read state=read console=read init=write apply=system destroy=delete import=write taint=write
  workspace=write refresh=write login=write get=write
tofu =terraform
pulumi *=write preview=read stack=read config=read whoami=read about=read logs=read up=system
  update=system destroy=delete refresh=write
cdk *=write synth=read diff=read ls=read list=read doctor=read deploy=system destroy=delete
npm *=run ls=read list=read view=read info=read show=read outdated=read audit=read search=read help=read
  config=read root=read bin=read prefix=read whoami=read doctor=read explain=read why=read query=read
  version=read -v=read --version=read install=install i=install ci=install add=install update=install
  uninstall=install remove=install rm=install un=install r=install publish=send unpublish=delete link=write
  init=write pack=write cache=write run=run test=run start=run exec=run x=run
yarn =npm
pnpm =npm
pip *=install list=read show=read freeze=read check=read search=read help=read debug=read config=read
  index=read inspect=read download=write wheel=write cache=write hash=read
pip3 =pip
cargo *=run check=read tree=read metadata=read search=read version=read --version=read doc=write fmt=write
  clippy=read install=install uninstall=install publish=send new=write init=write add=write remove=write
  clean=delete update=write fetch=write
go *=run version=read env=read list=read doc=read vet=read fmt=write mod=write get=install install=install
  clean=delete work=write
apt *=install list=read search=read show=read policy=read depends=read rdepends=read changelog=read
  download=write source=write moo=read update=read check=read
apt-get =apt
apt-cache *=read
dpkg *=install -l=read -L=read -s=read -S=read --list=read --status=read --search=read --listfiles=read
  -c=read --contents=read -I=read --info=read --get-selections=read --print-architecture=read
brew *=install list=read ls=read info=read search=read outdated=read deps=read uses=read doctor=read
  config=read --version=read leaves=read home=read cat=read desc=read services=system cleanup=delete
snap *=install list=read info=read find=read version=read changes=read connections=read services=read
  logs=read
flatpak *=install list=read info=read search=read remotes=read history=read ps=read run=run
systemctl *=system status=read show=read cat=read list-units=read list-unit-files=read list-timers=read
  list-sockets=read list-jobs=read list-dependencies=read is-active=read is-enabled=read is-failed=read
  get-default=read help=read --version=read --failed=read -a=read --all=read
service *=system --status-all=read status=read
launchctl *=system list=read print=read blame=read print-disabled=read
journalctl *=read
aws *=write ls=read describe=read list=read get=read help=read
gcloud *=write list=read describe=read info=read config=read auth=read version=read help=read
az *=write list=read show=read account=read version=read
gh *=read create=write merge=write close=write delete=delete edit=write clone=write fork=write
  checkout=write run=run api=read
kubeadm *=system version=read config=read token=write
minikube *=system status=read version=read ip=read profile=read logs=read dashboard=read delete=delete
kind *=system get=read version=read delete=delete
ip *=system addr=read address=read a=read link=read l=read route=read r=read neigh=read n=read rule=read
  -s=read -br=read -c=read -4=read -6=read maddr=read monitor=read netns=read
nmcli *=system general=read device=read dev=read d=read connection=read con=read c=read monitor=read
  radio=read -t=read
ufw *=system status=read app=read
crontab *=system -l=read
sqlite3 *=write
conda *=install list=read info=read search=read env=read run=wrapper activate=read deactivate=read
uv *=install run=wrapper tool=install venv=write pip=install lock=write sync=install tree=read version=read
  python=install init=write add=install remove=install build=write publish=send
poetry *=install run=wrapper show=read check=read version=read env=read config=read build=write
  publish=send new=write init=write lock=write shell=run
pipenv *=install run=wrapper graph=read check=read --venv=read --where=read shell=run
pdm *=install run=wrapper list=read show=read info=read
hatch *=write run=wrapper env=write version=read status=read
rye *=install run=wrapper show=read
bundle *=install exec=wrapper list=read show=read info=read outdated=read check=read
rclone *=write ls=read lsd=read lsl=read lsf=read size=read about=read listremotes=read config=write
  check=read cat=read tree=read version=read ncdu=read md5sum=read sha1sum=read copy=write sync=delete
  move=write delete=delete deletefile=delete purge=delete rmdir=delete rmdirs=delete cleanup=delete
tmux *=run ls=read list-sessions=read list-windows=read list-panes=read display=read display-message=read
  show-options=read -V=read attach=run a=run attach-session=run kill-server=kill kill-session=kill
screen *=run -ls=read -list=read -r=run -x=run -S=run
virsh *=system list=read dominfo=read domstate=read net-list=read pool-list=read vol-list=read
  nodeinfo=read version=read dumpxml=read undefine=delete destroy=kill
redis-cli *=write
openssl *=read genrsa=write genpkey=write req=write x509=read enc=write rand=read s_client=read
  s_server=run dgst=read verify=read version=read
ssh-keygen *=write -l=read -lf=read -F=read -y=read -R=write
gpg *=write --list-keys=read -k=read --list-secret-keys=read -K=read --verify=read --fingerprint=read
  --version=read
defaults *=write read=read domains=read find=read read-type=read
diskutil *=system list=read info=read activity=read listFilesystems=read
sysctl *=read -w=system
mount *=system -l=read --list=read
hostnamectl *=read set-hostname=system hostname=system
timedatectl *=read set-time=system set-timezone=system set-ntp=system
localectl *=read set-locale=system set-keymap=system
loginctl *=read terminate-session=kill terminate-user=kill kill-session=kill kill-user=kill poweroff=system
  reboot=system lock-session=system lock-sessions=system
at *=system -l=read
virtualenv *=write
python -m=run -V=read --version=read -c=run
ansible *=run --version=read --list-hosts=read
ansible-playbook *=run --syntax-check=read --list-tasks=read --list-hosts=read --check=read -C=read
etcdctl *=write get=read member=read endpoint=read version=read watch=read del=delete
gsutil *=write ls=read cat=read du=read stat=read rm=delete
s3cmd *=write ls=read la=read du=read info=read get=write del=delete rm=delete rb=delete
doctl *=write
eksctl *=write get=read utils=read version=read delete=delete create=system
heroku *=write logs=read ps=read apps=read info=read config=read releases=read destroy=delete
vercel *=write ls=read list=read inspect=read logs=read whoami=read remove=delete rm=delete
firebase *=write list=read projects:list=read
netlify *=write status=read
wrangler *=write whoami=read tail=read
fly *=write status=read logs=read list=read
flyctl =fly
"""


def _parse_programs() -> dict[str, str]:
    table: dict[str, str] = {}
    current = READ
    for raw in _PROGRAMS.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        head, sep, rest = line.partition(":")
        if sep and head in CLASSES and not raw.startswith(" "):
            current, line = head, rest
        for word in line.split():
            table.setdefault(word, current)
    return table


def _parse_subcommands() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    name = ""
    for raw in _SUBCOMMANDS.strip().splitlines():
        words = raw.split()
        if not words:
            continue
        if not raw.startswith(" "):
            name, words = words[0], words[1:]
            if words and words[0].startswith("="):
                table[name] = table[words[0][1:]]
                continue
            table[name] = {}
        for word in words:
            sub, _, cls = word.partition("=")
            table[name][sub] = cls
    return table


_TABLES: list[Any] = []  # [programs, subcommands], parsed on first use


def programs() -> dict[str, str]:
    if not _TABLES:
        _TABLES.extend((_parse_programs(), _parse_subcommands()))
    table: dict[str, str] = _TABLES[0]
    return table


def subcommands() -> dict[str, dict[str, str]]:
    if not _TABLES:
        programs()
    table: dict[str, dict[str, str]] = _TABLES[1]
    return table


def known(name: str) -> bool:
    return name in programs() or name in subcommands()


def _subcommand(cmd: Command) -> str | None:
    """The first operand word (skipping options and their usual values)."""
    args = cmd.args
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-C", "-c", "-n", "--namespace", "-f", "--file", "--context", "--profile", "--region", "-p",
                   "--project", "-o", "--output", "--git-dir", "--work-tree", "-H", "--host", "-u") and cmd.name in (
                "git", "kubectl", "oc", "helm", "docker", "podman", "aws", "gcloud", "az", "terraform", "tofu"):
            i += 2
            continue
        if arg.startswith("-") and cmd.name not in ("dpkg", "crontab", "screen", "tmux", "ssh-keygen", "gpg", "at",
                                                     "sysctl", "mount", "python", "ip", "nmcli", "service", "systemctl"):
            i += 1
            continue
        return arg
    return None


# Flags that turn a read-only program into a writer, deleter or runner.
_FIND_ACTIONS = {"-delete": DELETE, "-exec": WRAPPER, "-execdir": WRAPPER, "-ok": WRAPPER, "-okdir": WRAPPER,
                 "-fprint": WRITE, "-fprint0": WRITE, "-fprintf": WRITE, "-fls": WRITE}


def classify(cmd: Command) -> tuple[set[str], bool]:
    """(effect classes, known) for one simple command, flags and subcommands included."""
    if not cmd.argv:
        return ({WRITE} if cmd.redirects else {READ}), True
    key = (cmd.name, tuple(cmd.args))
    cached = _CLASSIFIED.get(key)
    if cached is None:
        cached = _classify(cmd)
        if len(_CLASSIFIED) > 4096:
            _CLASSIFIED.clear()
        _CLASSIFIED[key] = cached
    return set(cached[0]), cached[1]


_CLASSIFIED: dict[tuple[str, tuple[str, ...]], tuple[frozenset[str], bool]] = {}  # classify() depends on argv only


def _classify(cmd: Command) -> tuple[frozenset[str], bool]:
    classes, found = _classes(cmd)
    return frozenset(classes), found


def _classes(cmd: Command) -> tuple[set[str], bool]:
    name = cmd.name
    if not name:
        return {WRITE} if cmd.redirects else {READ}, True
    if name == "=":
        return {READ}, True
    subs = subcommands().get(name)
    classes: set[str] = set()
    if name in _CLOUD:
        return _cloud_classes(cmd), True
    if subs is not None:
        sub = _subcommand(cmd)
        cls = subs.get(sub or "", subs.get("*", READ)) if sub is not None else subs.get("", READ if name in (
            "git", "docker", "kubectl", "helm", "npm", "pip", "cargo", "go", "apt", "brew", "snap", "journalctl",
            "systemctl", "ip", "nmcli", "ufw", "crontab", "tmux", "screen", "gh", "hostnamectl", "timedatectl",
            "localectl", "loginctl", "sysctl", "mount", "openssl", "defaults", "diskutil", "dpkg") else subs.get("*", READ))
        classes.add(cls)
        found = True
    elif name in programs():
        classes.add(programs()[name])
        found = True
    else:
        return set(), False
    flagged = _flag_classes(cmd)
    if ONLY_READ in flagged:
        return {READ}, True  # `iptables -L`, `docker volume ls`, `tar -tf`: this form only reads
    classes |= flagged
    if READ in classes and len(classes) > 1:
        classes.discard(READ)
    return classes, found


_FLAGGED = frozenset(['invoke-webrequest', 'iwr', 'invoke-restmethod', 'irm', '7z', 'awk', 'bsdtar', 'curl', 'date', 'docker', 'fdupes', 'find', 'gawk', 'git', 'gsed', 'history', 'hostname', 'http', 'httpie', 'https', 'ifconfig', 'ip', 'ip6tables', 'iptables', 'jdupes', 'journalctl', 'mawk', 'nawk', 'nerdctl', 'nft', 'nmcli', 'npm', 'pnpm', 'podman', 'rdfind', 'sed', 'sort', 'ssh', 'tar', 'tee', 'unzip', 'wget', 'wget2', 'xh', 'yarn', 'zip'])


def _flag_classes(cmd: Command) -> set[str]:
    name, args = cmd.name, cmd.args
    out: set[str] = set()
    if name not in _FLAGGED:
        return out
    if name == "find":
        out |= {_FIND_ACTIONS[a] for a in args if a in _FIND_ACTIONS}
    elif name in ("sed", "gsed"):
        if any(a == "-i" or a.startswith(("-i", "--in-place")) or (a.startswith("-") and not a.startswith("--")
               and "i" in a[1:]) for a in args):
            out.add(WRITE)
    elif name == "sort" and any(a == "-o" or a.startswith(("-o", "--output")) for a in args):
        out.add(WRITE)
    elif name in ("curl", "http", "https", "xh", "httpie"):
        lowered = [a.lower() for a in args]
        if any(a in ("-o", "-O", "--output", "--remote-name", "-J", "--remote-name-all") or
               (a.startswith("-") and not a.startswith("--") and ("o" in a[1:] or "O" in a[1:])) for a in args):
            out.add(WRITE)
        if any(a in ("-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "-F", "--form", "-T",
                     "--upload-file", "--json") or a.startswith(("--data", "-d@", "-F", "--form")) for a in args) or \
                (any(m in lowered for m in ("post", "put", "patch", "delete")) and any(
                    a in ("-x", "--request") or a.startswith("-x") for a in lowered)):
            out.add(SEND)
    elif (name in ("invoke-webrequest", "iwr", "invoke-restmethod", "irm") and any(
            a.lower() in ("-outfile", "-method") for a in args)):
        out.add(WRITE)
    elif name in ("wget", "wget2"):
        to_stdout = any(a in ("-O-", "-qO-", "--spider", "--output-document=-") for a in args) or any(
            a in ("-O", "-qO", "--output-document") and args[i + 1:i + 2] in (["-"], ["/dev/null"])
            for i, a in enumerate(args))
        if not to_stdout:
            out.add(WRITE)
    elif name in ("awk", "gawk", "mawk", "nawk"):
        code = " ".join(args)
        if "system" in code or "|" in code or ">" in code or "-i" in args:
            out.add(RUN)
    elif name in ("tee",):
        if any(not a.startswith("-") and a not in ("/dev/null", "/dev/stderr", "/dev/stdout") for a in args):
            out.add(WRITE)
    elif (name in ("journalctl",) and any(a.startswith(("--vacuum", "--rotate", "--flush")) for a in args)) or (name in ("history",) and any(a.startswith("-") and ("c" in a or "d" in a) for a in args)):
        out.add(DELETE)
    elif (name in ("ip", "nmcli") and any(a in ("set", "add", "del", "delete", "flush", "change", "replace", "down",
                                                "up", "off", "on") for a in args)) or (name in ("ifconfig",) and any(a in ("down", "up", "netmask", "mtu", "hw") for a in args)) or (name == "hostname" and args and not args[0].startswith("-")) or (name == "date" and any(a in ("-s", "--set") for a in args)):
        out.add(SYSTEM)
    elif name in ("ssh",):
        out.add(RUN)
    elif name == "git":
        sub = _subcommand(cmd)
        if (sub in ("branch", "tag") and any(a in ("-d", "-D", "--delete") or a.startswith("-d") for a in args)) or (
                sub == "stash" and any(a in ("drop", "clear") for a in args)):
            out.add(DELETE)
        elif sub in ("branch", "tag", "remote") and any(a in ("-m", "-M", "add", "rename", "remove", "set-url") for a in args):
            out.add(WRITE)
    elif name in ("docker", "podman", "nerdctl") and _subcommand(cmd) in ("volume", "network", "image", "container",
                                                                          "system", "context", "plugin", "secret"):
        words = [a for a in args if not a.startswith("-")]
        verb = words[1] if len(words) > 1 else ""
        if verb in ("ls", "list", "inspect", "df", "info", "events", "history", "show"):
            return {ONLY_READ}
        if verb in ("rm", "remove", "prune", "reset"):
            out.add(DELETE)
    elif name in ("iptables", "ip6tables", "nft") and any(a in ("-L", "-S", "--list", "--list-rules", "list", "-nL", "-vL",
                                                                  "-nvL", "-Ln") for a in args):
        return {ONLY_READ}
    elif (name in ("npm", "yarn", "pnpm") and "cache" in args and any(a in ("clean", "clear", "rm", "prune") for a in args)) or (name in ("fdupes", "jdupes", "rdfind") and any((a.startswith("-") and "d" in a[1:]) or a.startswith("-delete")
                                                         for a in args)) or (name in ("tar", "bsdtar") and "--remove-files" in args) or (name == "7z" and "-sdel" in args) or (
            name == "zip" and any(a.startswith("-") and not a.startswith("--") and "m" in a[1:] for a in args)):
        out.add(DELETE)
    elif name in ("unzip", "tar", "7z", "zip") and _archive_reads(cmd):
        out.add(READ)
        return {ONLY_READ}
    return out


_CLOUD = {"aws", "gcloud", "az", "gsutil", "doctl"}


def _cloud_classes(cmd: Command) -> set[str]:
    """Cloud CLIs name the operation among their words: `aws s3 ls`, `gcloud compute instances list`."""
    words = [a.lower() for a in cmd.args if not a.startswith("-")]
    if any(w in ("rm", "rb", "delete", "destroy", "remove", "purge") or w.startswith(("delete-", "terminate-", "remove-"))
           for w in words):
        return {DELETE}
    if any(w in ("ls", "list", "describe", "get", "show", "cat", "du", "help", "whoami", "get-caller-identity", "info",
                 "version") or w.startswith(("describe-", "list-", "get-")) for w in words[:4]):
        return {READ}
    if any(w in ("cp", "mv", "sync", "put", "upload", "deploy", "create", "update", "set") for w in words):
        return {WRITE} | ({SEND} if any("://" in w for w in words[1:]) and words[:1] != ["s3"] else set())
    return {WRITE}


def _archive_reads(cmd: Command) -> bool:
    args = cmd.args
    if cmd.name == "unzip":
        return any(a in ("-l", "-v", "-t", "-Z", "-p") for a in args)
    if cmd.name == "7z":
        return args[:1] in (["l"], ["t"])
    if cmd.name == "zip":
        return False
    first = args[0] if args else ""
    if first.startswith("--"):
        return "--list" in args
    return ("t" in first.lstrip("-") and not first.startswith("-" * 2)) or "--list" in args or "-t" in args
