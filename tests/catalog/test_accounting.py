"""What a catalog answer must account for: every word of the request, values of the right shape, and an
exact target for commands that delete, move or kill. Each test names the guess the catalog once made."""

from __future__ import annotations

import shlex

import pytest

from caro import catalog
from caro.context import Context

LINUX = Context("linux", "bash", "/")
MACOS = Context("macos", "zsh", "/")


def command(prompt: str, context: Context = LINUX) -> str | None:
    found = catalog.match(prompt, context)
    return None if found is None else found.command


# -- numbers, ordinals and qualifiers reach the command, or the catalog declines ---------------------


def test_the_singular_first_and_last_line_ask_for_one_line() -> None:
    assert command("print the first line of build.sh") in ("head -n 1 build.sh", "sed -n '1p' build.sh")
    assert command("print the last line of build.sh") == "tail -n 1 build.sh"
    assert command("show the final line of build.sh") == "tail -n 1 build.sh"


def test_an_ordinal_is_a_line_number_and_a_range_is_a_range() -> None:
    assert command("print the 3rd line of hosts.txt") == "sed -n '3p' hosts.txt"
    assert command("show the tenth line of hosts.txt") == "sed -n '10p' hosts.txt"
    assert command("print lines 10 to 20 of hosts.txt") == "sed -n '10,20p' hosts.txt"


def test_in_bytes_changes_the_command_and_an_unknown_qualifier_declines() -> None:
    assert command("size of sum.c in bytes") == "stat -c %s sum.c"
    assert command("size of sum.c in bytes", MACOS) == "stat -f %z sum.c"
    assert command("size of sum.c") == "du -sh sum.c"
    assert command("add user test to the slackers group as administrator") is None
    assert command("add user test to the slackers group") == "sudo usermod -aG slackers test"


def test_without_overwriting_is_a_parameter_not_a_word_to_drop() -> None:
    assert command("copy notes.txt to backup.txt without overwriting") == "cp -n notes.txt backup.txt"
    assert command("copy notes.txt to backup.txt") == "cp notes.txt backup.txt"


def test_each_and_the_total_is_not_the_total_alone() -> None:
    assert command("show the line count of each .js file and the total") == "wc -l *.js"
    assert command("count lines, words and characters in essay.txt") == "wc -lwm essay.txt"


def test_a_scope_word_decides_between_here_and_everything_below() -> None:
    assert (
        command("print the number of files in the current directory") == "find . -maxdepth 1 -type f | wc -l"
    )
    assert (
        command("count the files in /etc not counting subfolders") == "find /etc -maxdepth 1 -type f | wc -l"
    )
    assert command("count all files recursively in /srv") == "find /srv -type f | wc -l"


# -- slots take values of their own shape ------------------------------------------------------------


def test_common_words_never_become_paths_or_names() -> None:
    found = command("find files in /workspace directory modified within 30 days")
    assert found is None or ("modified" not in found and "-name /workspace" not in found)
    assert command("Find files/directories named blah under current directory") != (
        "find . -type d -name files/directories"
    )
    found = command("count all the lines of all php files in /testbed recursively")
    assert found is None or "recursively" not in found


def test_find_name_never_gets_a_path() -> None:
    for prompt in ("find a file named /workspace", "show only the names of the files in /etc"):
        found = command(prompt)
        assert found is None or "-name /" not in found, found


def test_a_pattern_the_user_wrote_is_kept_exactly() -> None:
    assert command("remove all vmware-*.log files under current directory") == (
        "find . -type f -name 'vmware-*.log' -delete"
    )
    assert command("move report-*.pdf into archive/") == "mv report-*.pdf archive/"


@pytest.mark.parametrize(
    ("prompt", "variable"),
    [
        ('display all the files in the folder "$ORIG_DIR"', '"$ORIG_DIR"'),
        ("find all files under $dir directory", '"$dir"'),
        ("show the disk usage of ${CACHE_DIR}", '"${CACHE_DIR}"'),
        ("cd to $WORKSPACE", '"$WORKSPACE"'),
    ],
)
def test_a_variable_stays_expandable(prompt: str, variable: str) -> None:
    found = command(prompt)
    assert found is not None and variable in found, found
    assert f"'{variable.strip(chr(34))}'" not in found


def test_an_interface_slot_checks_its_shape() -> None:
    assert command("Gets IP address of 'en1' network interface") == "ip addr show en1"
    assert command("show the ip address of google") is None


def test_a_name_after_named_is_not_text_to_search_for() -> None:
    assert command('find all files named "filename"') == "find . -name filename"
    assert command("find suspicious php files") is None


# -- the right program ---------------------------------------------------------------------------------


def test_changing_directory_is_cd_never_mv() -> None:
    assert command("Change the working directory to /var") == "cd /var"
    assert command("cd to /var") == "cd /var"
    assert command("go up one directory") == "cd .."


def test_a_compressed_file_is_read_decompressed_or_not_at_all() -> None:
    assert command("count number of lines in X.fastq.gz") == "gzip -dc X.fastq.gz | wc -l"
    for prompt in ("show the first 5 lines of app.log.gz", "sort names.txt.gz"):
        found = command(prompt)
        assert found is None or shlex.split(found)[0] not in ("head", "sort"), found


def test_an_explanation_names_places_in_words() -> None:
    found = catalog.match("find a file named notes.txt in ..", LINUX)
    assert found is not None and found.command == "find .. -name notes.txt"
    assert "the parent folder" in found.explanation and " .. " not in found.explanation


# -- destructive commands act only on what the request wrote out ---------------------------------------


def test_a_destructive_answer_needs_the_target_in_the_users_words() -> None:
    assert command("find all the backup files in the current folder and delete them") is None
    assert command("delete all python files") is None  # "python" -> *.py is a reading, fine to list
    assert command("list all python files") == "find . -type f -name '*.py'"
    assert command("delete all .pyc files") == "find . -type f -name '*.pyc' -delete"


def test_a_destructive_answer_never_takes_a_whole_place() -> None:
    assert command("delete everything in the current directory") is None
    assert command('move all files from the current directory to "target"') is None
    assert command("remove the folder build") == "rm -r build"


def test_a_destructive_answer_needs_its_whole_phrasing_said() -> None:
    # "empty" is what makes deleting folders safe; a request that does not say it is not that task.
    assert command("find all the directories in the current folder and delete them") is None
    assert (
        command("delete all empty directories under the current directory") == "find . -type d -empty -delete"
    )
