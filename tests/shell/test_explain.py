"""`caro explain`: offline, through the real CLI and the real shell parser."""

from __future__ import annotations

import json

import pytest

from caro.terminal.explain import explain, programs, render


def _parts(command: str) -> list[tuple[str, str, int]]:
    return [(p.text, p.role, p.depth) for p in explain(command).parts]


def test_pipeline_and_redirections_through_the_cli(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("explain", "--offline", "ps aux | grep -i nginx > procs.txt 2>/dev/null")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "list running processes" in out
    assert "pipe: the output of the command on the left becomes the input" in out
    assert "ignore upper/lower case" in out
    assert "write the output to procs.txt, replacing what it held" in out
    assert "discard the errors" in out
    assert "changes:  procs.txt (overwritten)" in out
    assert "safety:" in out


def test_json_output_carries_the_safety_verdict(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("explain", "--offline", "-o", "json", "rm -rf ./build")
    data = json.loads(done.stdout)
    assert data["changes"] == ["./build (deleted)"]
    assert data["safety"]["risk"] in ("moderate", "high", "critical")
    assert data["safety"]["reasons"]
    assert {"text": "-r", "role": "flag", "meaning": "delete directories and everything in them", "depth": 0} in data["parts"]


def test_wrappers_explain_the_command_they_run() -> None:
    parts = _parts("sudo -u www timeout 5s curl -sL https://example.com -o page.html")
    assert ("www", "value", 0) in parts
    assert ("timeout", "program", 1) in parts
    assert ("curl", "program", 2) in parts
    assert ("-L", "flag", 2) in parts
    result = explain("sudo -u www timeout 5s curl -sL https://example.com -o page.html")
    assert "anything, with administrator rights" in result.changes


def test_env_xargs_and_find_exec() -> None:
    parts = _parts("env LANG=C find . -name '*.tmp' -print0 | xargs -0 rm -f")
    assert ("LANG=C", "assignment", 0) in parts
    assert ("find", "program", 1) in parts
    assert ("rm", "program", 1) in parts
    find_exec = explain("find /var/log -name '*.gz' -mtime +30 -exec rm {} \\;")
    assert ("rm", "program", 1) in [(p.text, p.role, p.depth) for p in find_exec.parts]
    assert "each file found (deleted)" in find_exec.changes


def test_shell_c_scripts_and_substitutions_are_opened_up() -> None:
    parts = _parts("bash -c 'cd /tmp && rm -r junk'")
    assert ("rm", "program", 1) in parts
    assert ("&&", "operator", 1) in parts
    subs = _parts("echo \"today: $(date +%F)\" >> log.txt; diff <(sort a) <(sort b)")
    assert ("date", "program", 1) in subs
    assert ("sort", "program", 1) in subs
    assert explain("echo $(date) >> log.txt").changes == ["log.txt (appended to)"]


def test_bundled_flags_values_and_subcommands() -> None:
    parts = _parts("tail -n20 -f app.log")
    assert ("-n", "flag", 0) in parts and ("20", "value", 0) in parts and ("-f", "flag", 0) in parts
    git = _parts("git push --force origin main")
    assert ("push", "subcommand", 0) in git
    assert any(p.text == "--force" and "OVERWRITE" in p.meaning for p in explain("git push --force").parts)
    docker = _parts("docker ps -a")
    assert ("ps", "subcommand", 0) in docker


def test_unknown_programs_and_flags_are_said_to_be_unknown() -> None:
    result = explain("frobctl --zap 3 thing")
    assert result.parts[0].meaning.startswith("a program caro has no description of")
    known = explain("ls --frobnicate")
    assert "an option of ls" in known.parts[1].meaning


@pytest.mark.parametrize("odd", ["ls 'unterminated", "if then fi", "", "case x in"])
def test_odd_input_never_raises(odd: str) -> None:
    text = render(explain(odd))
    assert "safety:" in text


def test_heredoc_and_loops() -> None:
    parts = _parts("for f in *.txt; do wc -l \"$f\"; done")
    assert ("for", "keyword", 0) in parts and ("wc", "program", 0) in parts
    here = explain("cat <<EOF > out.txt\nhello\nEOF\n")
    assert any(p.role == "redirect" and "here-document" in p.meaning for p in here.parts)
    assert "out.txt (overwritten)" in here.changes


def test_the_table_is_well_formed() -> None:
    table = programs()
    assert len(table) > 100
    for name, entry in table.items():
        assert entry["summary"], name
        assert isinstance(entry.get("flags", {}), dict), name


def test_stdin_is_read_when_no_command_is_given(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("explain", "--offline", input="du -sh * | sort -h\n")
    assert done.returncode == 0
    assert "show disk space used" in done.stdout
    empty = caro("explain", "--offline")
    assert empty.returncode == 2 and "no command to explain" in empty.stderr


def test_a_model_adds_its_summary_when_one_is_up(caro) -> None:  # type: ignore[no-untyped-def]
    """LM Studio answering with a tool call (stand-in: tests/backends/fake_lmstudio.py): its explanation
    is shown next to the offline breakdown; with --offline it is never asked."""
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    try:
        server.tool_arguments = {"command": "docker ps", "explanation": "Lists the running containers."}
        env = {"CARO_LMSTUDIO_URL": server.url, "CARO_BACKEND": "lmstudio"}
        done = caro("explain", "docker ps", env=env)
        assert done.returncode == 0, done.stderr
        assert "in short: Lists the running containers." in done.stdout
        assert "list containers (running ones unless -a)" in done.stdout
        asked = len(server.requests)
        offline = caro("explain", "--offline", "docker ps", env=env)
        assert "in short" not in offline.stdout
        assert len(server.requests) == asked
    finally:
        server.stop()


def test_bash_only_syntax_is_broken_down() -> None:
    """[[ ]], case, $(( )) and C-style loops: the shell parser reads them all (none ends in a word split)."""
    test = explain("[[ -d /srv && $mode == prod ]] && rm -r /srv/cache")
    assert ("[[", "keyword", 0) in [(p.text, p.role, p.depth) for p in test.parts]
    assert any(p.text == "-d" and "directory" in p.meaning for p in test.parts)
    assert "/srv/cache (deleted)" in test.changes
    case = explain("case $1 in start) systemctl start nginx;; stop|halt) systemctl stop nginx;; esac")
    patterns = [p.text for p in case.parts if p.meaning.startswith("a pattern")]
    assert patterns == ["start", "stop", "halt"]
    assert [p.text for p in case.parts if p.role == "program"] == ["systemctl", "systemctl"]
    arithmetic = explain("echo $((6 * 7)) > answer.txt")
    assert any("arithmetic" in p.meaning for p in arithmetic.parts)
    assert arithmetic.changes == ["answer.txt (overwritten)"]
    loop = _parts("for ((i = 0; i < 3; i++)); do touch f$i; done")
    assert ("touch", "program", 0) in loop
    for result in (test, case, arithmetic):
        assert not any("not valid shell syntax" in note for note in result.notes)


def test_here_documents_feed_a_pipeline_and_run_their_substitutions() -> None:
    result = explain("cat <<EOF | tee copy.txt\nbuilt on $(hostname)\nEOF\n")
    parts = [(p.text, p.role, p.depth) for p in result.parts]
    assert ("tee", "program", 0) in parts
    assert ("hostname", "program", 1) in parts
    assert "copy.txt (overwritten)" in result.changes
    quoted = explain("cat <<'EOF'\n$(hostname)\nEOF\n")
    assert "hostname" not in quoted.programs  # a quoted delimiter: the text is taken as it is


def test_a_syntax_error_is_said_and_what_can_be_read_is_explained() -> None:
    result = explain("ls -la 'unclosed")
    assert any("not valid shell syntax" in note for note in result.notes)
    assert ("ls", "program", 0) in [(p.text, p.role, p.depth) for p in result.parts]
    stray = explain("then rm x")
    assert any("unexpected 'then'" in note for note in stray.notes)


@pytest.mark.parametrize(("command", "reads", "changes"), [
    ("tar -xzvf a.tar.gz -C /opt", ["a.tar.gz"],
     ["/opt (the archive's files extracted into it; existing files overwritten)"]),
    ("tar xzf a.tar.gz", ["a.tar.gz"],
     ["the archive's files, extracted into the current directory (existing files overwritten)"]),
    ("tar -czf b.tgz ~/docs", ["~/docs"], ["b.tgz (written: the new archive)"]),
    ("tar --list --file=b.tgz", ["b.tgz"], []),
    ("unzip -d out a.zip", ["a.zip"], ["out (the archive's files extracted into it)"]),
    ("unzip -l a.zip", ["a.zip"], []),
    ("zip -r b.zip docs", ["docs"], ["b.zip (written or updated: the archive)"]),
    ("cp -t /backup a.txt b.txt", ["a.txt", "b.txt"], ["/backup (copies written into it; existing files overwritten)"]),
    ("rsync -an --delete src/ dst/", ["src/"], []),
    ("sed -i -e s/a/b/ f.txt g.txt", ["f.txt", "g.txt"], ["f.txt (edited in place)", "g.txt (edited in place)"]),
    ("sed s/a/b/ f.txt", ["f.txt"], []),
    ("dd if=/dev/zero of=disk.img bs=1M count=10", ["/dev/zero"], ["disk.img (overwritten byte for byte)"]),
    ("gzip -c big.log", ["big.log"], []),
    ("curl -sL -o page.html https://example.com", ["the network"], ["page.html (written: the download)"]),
    ("sort -o sorted.txt names.txt", ["names.txt"], ["sorted.txt (overwritten with the sorted lines)"]),
    ("crontab -l", [], []),
    ("crontab -r", [], ["your scheduled jobs (ALL deleted)"]),
    ("xz -d logs.xz", ["logs.xz"], ["logs.xz (replaced by the (de)compressed file)"]),
    ("rm -- -f", [], ["-f (deleted)"]),  # after `--`, a dash starts a file name, not a flag
])
def test_reads_and_changes_follow_the_programs_mode(command: str, reads: list[str], changes: list[str]) -> None:
    result = explain(command)
    assert result.reads == reads
    assert result.changes == changes


def test_a_dry_run_says_nothing_changes() -> None:
    result = explain("rsync -a --dry-run --delete src/ dst/")
    assert result.changes == []
    assert any("nothing is changed" in note for note in result.notes)
    real = explain("rsync -a --delete src/ dst/")
    assert "files in the destination that the source lacks (deleted)" in real.changes


def test_the_tar_answer_through_the_cli(caro) -> None:  # type: ignore[no-untyped-def]
    done = caro("explain", "--offline", "tar -xzvf a.tar.gz -C /opt")
    assert done.returncode == 0, done.stderr
    assert "reads:    a.tar.gz" in done.stdout
    assert "changes:  /opt (the archive's files extracted into it" in done.stdout


def test_without_the_parser_the_words_are_still_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from caro import shell_syntax

    def missing() -> None:
        raise ImportError("No module named 'tree_sitter_bash'")

    monkeypatch.setattr(shell_syntax, "bash_parser", missing)
    result = explain("tar -czf b.tgz ~/docs")
    assert any("not installed" in note for note in result.notes)
    assert result.changes == ["b.tgz (written: the new archive)"]
