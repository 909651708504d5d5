"""What the catalog answers, what it declines, and how it writes slot values into commands."""

from __future__ import annotations

import shlex

import pytest

from caro import catalog
from caro.context import Context

LINUX = Context("linux", "bash", "/home/me")
MACOS = Context("macos", "zsh", "/Users/me")
POWERSHELL = Context("windows", "powershell", "C:\\")
CMD = Context("windows", "cmd", "C:\\")


def command(prompt: str, context: Context = LINUX) -> str | None:
    found = catalog.match(prompt, context)
    return found.command if found else None


def test_the_readme_quick_start_works_offline() -> None:
    assert command("list docker containers") == "docker ps"
    assert command("list docker containers", MACOS) == "docker ps"


def test_plain_requests_the_old_rules_missed_are_answered() -> None:
    assert command("list files in current directory") == "ls -la"
    assert command("show me all running processes") == "ps aux"


@pytest.mark.parametrize(
    "prompt",
    [
        "fix it",
        "do the thing",
        "find and kill",
        "kill the process",
        "kill it",
        "stop the container",
        "delete it",
        "help",
        "git",
        "restart",
        "copy the file",
        "list all files except the hidden ones",
        "write a python script that sorts a list",
        "make my computer faster",
        "",
    ],
)
def test_vague_or_out_of_scope_requests_are_declined(prompt: str) -> None:
    assert catalog.match(prompt, LINUX) is None


def test_find_and_kill_never_produces_a_literal_placeholder() -> None:
    for prompt in ("find and kill", "find the process and kill it", "kill pid", "kill process PID"):
        found = command(prompt)
        assert found is None or "PID" not in found


def test_platform_flavours_differ_where_the_tools_do() -> None:
    assert command("show the size of each folder in /var") == "du -h --max-depth=1 /var | sort -hr"
    assert command("show the size of each folder in /var", MACOS) == "du -h -d 1 /var | sort -hr"
    assert command("replace foo with bar in notes.txt") == "sed -i 's/foo/bar/g' notes.txt"
    assert command("replace foo with bar in notes.txt", MACOS) == "sed -i '' 's/foo/bar/g' notes.txt"


def test_windows_gets_powershell_where_the_task_exists_and_declines_elsewhere() -> None:
    assert command("find files larger than 100MB", POWERSHELL) == (
        "Get-ChildItem -Path . -Recurse -File | Where-Object Length -gt 104857600"
    )
    assert command("list docker containers", POWERSHELL) == "docker ps"
    assert (
        command("show the contents of notes.txt", CMD)
        == 'powershell -NoProfile -Command "Get-Content notes.txt"'
    )
    assert command("reverse the order of lines in notes.txt", LINUX) == "tac notes.txt"
    assert command("reverse the order of lines in notes.txt", POWERSHELL) is None


def test_sizes_durations_ports_and_counts_are_understood() -> None:
    assert command("find files bigger than 1.5GB in /data") == "find /data -type f -size +1536M"
    assert command("files modified in the last 3 days") == "find . -type f -mtime -3"
    assert command("which files changed in the past 30 minutes") == "find . -type f -mmin -30"
    assert command("what is running on port 8080") == "sudo lsof -i :8080"
    assert command("show the last 25 lines of app.log") == "tail -n 25 app.log"
    assert command("top 5 processes by memory") == "ps aux --sort=-%mem | head -n 6"  # 5 under the header


def test_typos_polite_forms_and_extra_words_still_match() -> None:
    assert command("could you pls lsit the dokcer containers for me") == "docker ps"
    assert command("please show me how much disk space is free") == "df -h"
    assert command("shwo the git status") == "git status"


def test_names_come_from_the_prompt() -> None:
    assert command("kill firefox") == "pkill firefox"
    assert command("install htop") == "sudo apt install htop"
    assert command("install htop", MACOS) == "brew install htop"
    assert command("restart the nginx service") == "sudo systemctl restart nginx"
    assert command("create a new branch called feature/login") == "git switch -c feature/login"


def test_slot_values_are_quoted_for_the_shell() -> None:
    found = command('search for "a b; rm -rf ~" in all files')
    assert found is not None
    assert shlex.split(found) == ["grep", "-rn", "a b; rm -rf ~", "."]
    found = command("delete the file 'x $(reboot).txt'")
    assert found == "rm 'x $(reboot).txt'"
    assert command('delete the file "it\'s here.txt"', POWERSHELL) == "Remove-Item 'it''s here.txt'"


def test_a_home_path_stays_expandable_and_a_quoted_folder_stays_one_argument() -> None:
    assert command("how big is the folder ~/Downloads") == "du -sh ~/Downloads"
    assert command('list files in "~/My Folder"') == "ls -la ~/'My Folder'"
    assert command('find all .log files in "~/My Logs"') == "find ~/'My Logs' -type f -name '*.log'"


def test_the_explanation_names_the_values() -> None:
    found = catalog.match("find files larger than 100MB in /var", LINUX)
    assert found is not None
    assert "100MB" in found.explanation and "/var" in found.explanation


def test_values_cmd_would_expand_are_declined_there() -> None:
    assert command("delete the file '%USERPROFILE%.txt'", CMD) is None
    assert command("delete the file '%USERPROFILE%.txt'", POWERSHELL) == "Remove-Item '%USERPROFILE%.txt'"


def test_every_quoted_value_survives_the_posix_shell_unchanged() -> None:
    answered = 0
    for value in ["a b", "it's", 'say "hi"', "$(id)", "`id`", "a;b", "x|y", "~user", "*.py", "a\\b"]:
        found = catalog.match(f"search for '{value}' in app.log", LINUX) if "'" not in value else None
        if found is None:
            found = catalog.match(f'search for "{value}" in app.log', LINUX)
        if found is None:
            continue
        answered += 1
        words = shlex.split(found.command)
        assert value in words, (value, found.command)
    assert answered == 10


def test_a_value_that_looks_like_an_option_is_declined() -> None:
    assert command("search for '-rf' in app.log") is None
    assert command("search for 'rf' in app.log") == "grep -n rf app.log"


@pytest.mark.parametrize(
    "prompt",
    [
        "kill the stuck process",  # a state, not a process name
        "stop the database container",  # a role, not a container name
        "restart the failing service",
        "switch to notes.txt",  # not `git restore -- notes.txt`: discarding edits must be asked for
        "show line numbers for main.c",  # numbering the lines is not counting them
        "print the second column of data.csv",  # a .csv is split by commas, not spaces
        "list all the directories here",  # this folder, not every folder below it
        "find python files and count their lines each",  # `wc -l *.py` would not search below
        "remove unused stuff",  # 'packages' unsaid: not `apt autoremove`
        "kill every process except bash",  # not `pkill except`
        "copy file.txt into container web",  # not the copy out of the container
        "reset to origin/main",  # a destination, not a file to unstage
        "unzip archive.zip into out",  # not a plain `unzip` that drops "into out"
        "find the file 'filename.txt' in the usr folder",  # /usr or ./usr?
        "remove the log files",  # particular files, not every *.log below here
    ],
)
def test_red_team_lures_are_declined(prompt: str) -> None:
    assert command(prompt) is None


def test_start_up_files_are_read_not_restarted() -> None:
    assert command("reload bashrc") == "source ~/.bashrc"
    assert command("show the contents of ~/.bashrc") == "cat ~/.bashrc"


def test_states_do_not_block_real_names() -> None:
    assert command("stop the redis container") == "docker stop redis"
    assert command("kill the Spotify process", MACOS) == "pkill Spotify"
    assert command("stop container named old") == "docker stop old"


def test_a_variable_name_slot_gets_the_name() -> None:
    assert command("show the value of $JAVA_HOME") == "printenv JAVA_HOME"


def test_numbers_stressed_by_only_are_kept() -> None:
    assert command("head of log.txt but only 15 lines") == "head -n 15 log.txt"
    assert command("show the top 3 processes by memory") == "ps aux --sort=-%mem | head -n 4"  # 3 under the header
    assert command("ping google.com 4 times") == "ping -c 4 google.com"


def test_one_word_that_is_the_command_is_answered() -> None:
    assert command("uptime") == "uptime"
    assert command("htop") == "htop"
    assert command("git") is None  # a topic, not a request


@pytest.mark.parametrize(
    "prompt",
    ["ls", "ls -lh /var/log", "cat notes.txt", "df -h", "tail -n 50 /var/log/syslog", "du -sh *", "git log --oneline"],
)
def test_a_request_typed_as_a_plain_command_is_answered_as_typed(prompt: str) -> None:
    found = catalog.match(prompt, LINUX)
    assert found is not None and found.command == prompt and found.intent_id == "literal"


@pytest.mark.parametrize(
    "prompt",
    ["cat notes.txt | sh", "rm -rf build", "free up some space", "sort names.txt by length", "head 20 f.txt", "ls src"],
)
def test_only_plain_read_only_commands_with_file_shaped_words_pass_as_typed(prompt: str) -> None:
    found = catalog.match(prompt, LINUX)
    assert found is None or found.intent_id != "literal"


def test_a_linux_only_program_is_not_passed_through_on_macos() -> None:
    assert catalog.match("free -m", MACOS) is None


def test_show_or_print_a_file_name_prints_it_but_a_bare_word_or_folder_path_declines() -> None:
    assert _command("print readme.md") == "cat readme.md"
    assert _command("show /etc/hosts") == "cat /etc/hosts"
    assert _command("whats in my downloads folder") == "ls -la ~/Downloads"
    assert _command("show /var/log") == "ls -la /var/log"  # a system folder
    assert catalog.match("show /srv/app/current", LINUX) is None  # a folder or a file: cat would be a guess
    assert catalog.match("show notes", LINUX) is None


def test_a_folder_written_with_a_slash_names_its_archive_without_it() -> None:
    assert _command("create a tar.gz of logs/") == "tar -czf logs.tar.gz logs/"


def test_a_remote_path_is_not_taken_for_a_host() -> None:
    found = catalog.match("copy file.txt to user@host:/tmp", LINUX)
    assert found is None or "/tmp:" not in found.command


def _command(prompt: str) -> str | None:
    found = catalog.match(prompt, LINUX)
    return None if found is None else found.command


def test_naming_the_system_the_command_runs_on_is_no_extra_request() -> None:
    found = catalog.match("install wget on my mac", MACOS)
    assert found is not None and found.command == "brew install wget"
    assert catalog.match("install wget on my mac", LINUX) is None  # asked for another system


@pytest.mark.parametrize("prompt", ["cat the file", "show this file", "delete that file"])
def test_a_file_referred_to_but_never_named_declines(prompt: str) -> None:
    assert catalog.match(prompt, LINUX) is None


def test_look_for_searches_rather_than_shows() -> None:
    assert _command("look for files named Dockerfile") == "find . -name Dockerfile"
