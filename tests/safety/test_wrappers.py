"""Every entry of the tables of programs that run a command they are given (wrappers.RUNNERS, SUB_RUNNERS, the
terminal and string runners) and of programs that hide a command in an option (options.HIDDEN) is tested: the
command they carry is judged as if typed, so `X … rm -rf ~` is critical and `X … ls` is not."""

from __future__ import annotations

import pytest

from caro.safety import assess, options, wrappers

PAYLOAD = "rm -rf ~"
OPERANDS = {"chrt": "99", "taskset": "0x1", "chroot": "/srv/jail", "sg": "staff", "faketime": "'2020-01-01'",
            "s6-setuidgid": "nobody"}
SUB_OPERANDS = {("direnv", "exec"): ".", ("aws-vault", "exec"): "prod --", ("distrobox", "enter"): "box --",
                ("lxc", "exec"): "c1 --", ("docker", "exec"): "web", ("podman", "exec"): "web",
                ("kubectl", "exec"): "pod --", ("flatpak", "run"): "org.app.X", ("nix", "develop"): "-c",
                ("apptainer", "exec"): "img.sif", ("singularity", "exec"): "img.sif"}


@pytest.mark.parametrize("name", sorted(wrappers.RUNNERS))
def test_every_runner_runs_the_command_after_its_options(name: str) -> None:
    line = " ".join(filter(None, [name, OPERANDS.get(name, ""), PAYLOAD]))
    assert assess(line).risk == "critical", line
    harmless = " ".join(filter(None, [name, OPERANDS.get(name, ""), "ls"]))
    assert assess(harmless).risk in ("safe", "moderate"), harmless


@pytest.mark.parametrize(("program", "sub"), sorted(wrappers.SUB_RUNNERS))
def test_every_subcommand_runner_runs_the_command_after_it(program: str, sub: str) -> None:
    line = " ".join(filter(None, [program, sub, SUB_OPERANDS.get((program, sub), ""), PAYLOAD]))
    assert assess(line).risk == "critical", line


@pytest.mark.parametrize("line", [
    "xterm -e rm -rf ~", "gnome-terminal -- rm -rf ~", "konsole -e 'rm -rf ~'", "alacritty -e rm -rf ~",
    "kitty -- rm -rf ~", "wezterm start -- rm -rf ~", "urxvt -e rm -rf ~", "terminator -x rm -rf ~",
    "tilix -e 'rm -rf ~'", "xfce4-terminal -x rm -rf ~", "lxterminal -e rm -rf ~", "x-terminal-emulator -e rm -rf ~",
    "tmux new -d 'rm -rf ~'", "tmux split-window 'rm -rf ~'", "tmux send-keys 'rm -rf ~' Enter",
    "screen -dm rm -rf ~", "byobu -dm rm -rf ~", "eval 'rm -rf ~'", "watch -n 1 'rm -rf ~'", "su -c 'rm -rf ~'",
    "script -c 'rm -rf ~'", "ssh host 'rm -rf ~'", "nix-shell --run 'rm -rf ~'", "capsh -- -c 'rm -rf ~'",
    "timeout 5 rm -rf ~", "flock /tmp/l rm -rf ~", "flock /tmp/l -c 'rm -rf ~'", "xargs rm -rf <<< ~",
    "parallel ::: 'rm -rf ~'", "parallel rm -rf ::: ~", "env -S 'rm -rf ~'", "sudo -u root rm -rf ~",
    "doas rm -rf ~", "pkexec rm -rf ~", "alias ll='rm -rf ~'", "trap 'rm -rf ~' EXIT", "busybox sh -c 'rm -rf ~'",
    "npx -c 'rm -rf ~'", "npm exec -c 'rm -rf ~'",
])
def test_every_terminal_and_string_runner(line: str) -> None:
    assert assess(line).risk == "critical", line


HIDDEN_EXAMPLES = {
    "gdb": "gdb -batch -ex 'shell rm -rf ~'", "vim": "vim -c ':!rm -rf ~'", "vi": "vi +'!rm -rf ~'",
    "nvim": "nvim --cmd '!rm -rf ~'", "ex": "ex -c '!rm -rf ~'", "view": "view -c ':!rm -rf ~' x",
    "git": "git -c alias.x='!rm -rf ~' x", "tar": "tar -cf /dev/null x --to-command='rm -rf ~'",
    "bsdtar": "bsdtar -cf a.tar --use-compress-program='rm -rf ~' x", "rsync": "rsync -e 'rm -rf ~' a h:b",
    "ssh": "ssh -o ProxyCommand='rm -rf ~' h", "scp": "scp -o ProxyCommand='rm -rf ~' a h:b",
    "sftp": "sftp -o ProxyCommand='rm -rf ~' h", "zip": "zip z.zip f -T -TT 'rm -rf ~'",
    "man": "man -P 'rm -rf ~' ls", "sed": "sed '1e rm -rf ~' f", "gsed": "gsed -n '1e rm -rf ~' f",
    "sqlite3": "sqlite3 :memory: '.shell rm -rf ~'", "make": "printf 'a:\\n\\trm -rf ~\\n' | make -f -",
    "gmake": "printf 'a:\\n\\trm -rf ~\\n' | gmake -f /dev/stdin", "less": "less +'!rm -rf ~' f",
    "ansible": "ansible all -m shell -a 'rm -rf ~'", "hyperfine": "hyperfine 'rm -rf ~'",
    "entr": "ls | entr -s 'rm -rf ~'", "watchexec": "watchexec 'rm -rf ~'", "nodemon": "nodemon --exec 'rm -rf ~'",
    "psql": "psql -c '\\! rm -rf ~'", "mysql": "mysql -e 'system rm -rf ~'", "mariadb": "mariadb -e '\\! rm -rf ~'",
    "schtasks": 'schtasks /create /tn x /tr "rd /s /q C:\\"', "forfiles": 'forfiles /c "cmd /c rd /s /q C:\\"',
    "crontab": "echo '@reboot rm -rf ~' | crontab -", "expect": "expect -c 'spawn rm -rf ~; expect eof'",
    "emacs": "emacs --batch --eval '(shell-command \"rm -rf ~\")'",
}


@pytest.mark.parametrize("name", sorted(n for n in options.HIDDEN if n != "find"))
def test_every_program_with_a_command_in_an_option(name: str) -> None:
    line = HIDDEN_EXAMPLES[name]
    shell = "cmd" if name in ("schtasks", "forfiles") else "bash"
    assert assess(line, shell=shell).risk == "critical", line


def test_a_program_caro_does_not_know_is_moderate_and_its_arguments_are_read() -> None:
    verdict = assess("frobnicate --fast input.txt")
    assert verdict.risk == "moderate"
    assert verdict.reasons == ["moderate: caro does not know what frobnicate does; read it before running it."]
    assert assess("frobnicate --then rm -rf ~").risk == "critical"
    assert assess("frobnicate --run 'rm -rf ~'").risk == "critical"
