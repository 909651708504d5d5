"""The main command end to end, through the real `caro` process and the built-in catalog backend.

These cover the result contract (JSON/YAML on stdout only), exit codes, fallback reporting and when a
command is (and is not) executed. Prompts are everyday requests the catalog answers offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner
from tests.helpers import free_port as closed_port

DOCKER = "list docker containers"
PWD = "print the current working directory"
TOUCH = "create an empty file named marker.txt"
DELETE = "delete the file marker.txt"


def write_config(home: Path, text: str) -> None:
    path = home / ".caro" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def as_json(stdout: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(stdout)  # raises if stdout is anything but one JSON document
    return data


def test_json_result_has_every_field_and_nothing_else_on_stdout(caro: CaroRunner) -> None:
    proc = caro("-b", "builtin", "-o", "json", DOCKER)
    assert proc.returncode == 0, proc.stderr
    data = as_json(proc.stdout)
    assert list(data) == ["command", "explanation", "risk", "blocked", "requires_confirmation", "warnings",
                          "backend", "model", "fallbacks", "timing_ms", "executed", "exit_code", "error"]
    assert data["command"] == "docker ps"
    assert data["backend"] == "builtin"
    assert data["risk"] in ("safe", "moderate")
    assert data["executed"] is False and data["exit_code"] is None and data["error"] is None
    timing = data["timing_ms"]
    assert isinstance(timing, dict) and timing["total"] >= timing["generation"] >= 0


def test_yaml_is_the_same_result(caro: CaroRunner) -> None:
    proc = caro("-b", "builtin", "-o", "yaml", DOCKER)
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(proc.stdout)
    assert data["command"] == "docker ps" and data["backend"] == "builtin" and data["error"] is None


def test_plain_stdout_is_the_command_alone(caro: CaroRunner) -> None:
    proc = caro("-b", "builtin", "list", "docker", "containers")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "docker ps\n"
    assert "risk:" in proc.stderr


def test_prompt_from_stdin_and_from_p(caro: CaroRunner) -> None:
    assert caro("-b", "builtin", input=DOCKER + "\n").stdout == "docker ps\n"
    assert caro("-b", "builtin", "-p", DOCKER).stdout == "docker ps\n"


def test_a_prompt_that_starts_with_a_subcommand_name(caro: CaroRunner) -> None:
    as_prompt = caro("-b", "builtin", "-o", "json", "--", "check", "disk", "space")
    assert as_json(as_prompt.stdout)["backend"] == "builtin"
    assert as_prompt.returncode == 0, as_prompt.stderr
    with_p = caro("-b", "builtin", "-o", "json", "-p", "check disk space")
    assert as_json(with_p.stdout)["command"] == as_json(as_prompt.stdout)["command"]


def test_usage_errors_exit_2_and_stay_json(caro: CaroRunner) -> None:
    proc = caro("-o", "json", "--safety", "reckless", DOCKER)
    assert proc.returncode == 2
    error = as_json(proc.stdout)["error"]
    assert isinstance(error, dict) and error["code"] == "usage" and "reckless" in error["message"]
    empty = caro("-o", "json", input="")
    assert empty.returncode == 2 and as_json(empty.stdout)["error"]["code"] == "usage"  # type: ignore[index]
    plain = caro("--backend", "gpt4", DOCKER)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and "gpt4" in plain.stderr


def test_vague_request_exits_3_with_a_next_step(caro: CaroRunner) -> None:
    proc = caro("-b", "builtin", "-o", "json", "fix it")
    assert proc.returncode == 3
    data = as_json(proc.stdout)
    assert data["command"] is None
    error = data["error"]
    assert isinstance(error, dict) and error["code"] == "no_backend"
    assert "LM Studio" in error["hint"] or "caro models pull" in error["hint"]


def test_unavailable_chosen_backend_falls_back_with_a_notice(caro: CaroRunner) -> None:
    port = closed_port()
    proc = caro("-b", "lmstudio", "--url", f"http://127.0.0.1:{port}/v1", "-o", "json", DOCKER)
    assert proc.returncode == 0, proc.stderr
    data = as_json(proc.stdout)
    assert data["backend"] == "builtin" and data["command"] == "docker ps"
    fallbacks = data["fallbacks"]
    assert isinstance(fallbacks, list) and fallbacks[0]["backend"] == "lmstudio"
    assert str(port) in fallbacks[0]["reason"]
    assert "LM Studio" in proc.stderr  # the one-line notice


def test_fallback_off_exits_3_naming_the_backend(caro: CaroRunner, isolated_home: Path) -> None:
    write_config(isolated_home, "fallback = false\n")
    port = closed_port()
    proc = caro("-b", "lmstudio", "--url", f"http://127.0.0.1:{port}/v1", DOCKER)
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert "LM Studio" in proc.stderr and "Traceback" not in proc.stderr


def test_execute_runs_a_safe_command_and_returns_its_status(caro: CaroRunner, tmp_path: Path) -> None:
    proc = caro("-b", "builtin", "-x", PWD, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["pwd", str(tmp_path)]


def test_execute_in_json_mode_keeps_stdout_one_object(caro: CaroRunner, tmp_path: Path) -> None:
    proc = caro("-b", "builtin", "-x", "-o", "json", PWD, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = as_json(proc.stdout)
    assert data["executed"] is True and data["exit_code"] == 0
    assert str(tmp_path) in proc.stderr  # the command's own output went to stderr


def test_without_execute_and_without_terminal_nothing_runs(caro: CaroRunner, tmp_path: Path) -> None:
    proc = caro("-b", "builtin", TOUCH, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "touch" in proc.stdout
    assert not (tmp_path / "marker.txt").exists()


def test_confirmation_without_terminal_declines_unless_yes(caro: CaroRunner, tmp_path: Path) -> None:
    # At strict mode a moderate command (a deletion) needs confirmation; with no terminal to ask,
    # nothing runs unless -y approves it.
    marker = tmp_path / "marker.txt"
    marker.write_text("keep me")
    proc = caro("-b", "builtin", "--safety", "strict", "-x", "-o", "json", DELETE, cwd=tmp_path)
    assert proc.returncode == 5, proc.stderr
    data = as_json(proc.stdout)
    assert data["requires_confirmation"] is True and data["risk"] == "moderate"
    assert data["executed"] is False and data["error"]["code"] == "declined_by_user"  # type: ignore[index]
    assert marker.exists()
    approved = caro("-b", "builtin", "--safety", "strict", "-x", "-y", DELETE, cwd=tmp_path)
    assert approved.returncode == 0, approved.stderr
    assert not marker.exists()


def test_execute_returns_the_commands_own_exit_status(caro: CaroRunner, tmp_path: Path) -> None:
    proc = caro("-b", "builtin", "-x", "-o", "json", "show the contents of missing.txt", cwd=tmp_path)
    data = as_json(proc.stdout)
    assert data["executed"] is True and data["exit_code"] == 1
    assert proc.returncode == 1


def test_blocked_command_never_runs_even_with_yes(caro: CaroRunner, isolated_home: Path, tmp_path: Path) -> None:
    write_config(isolated_home, '[safety_rules]\ndeny = [{pattern = "^touch ", level = "critical", '
                                'message = "no new files in this test"}]\n')
    proc = caro("-b", "builtin", "-x", "-y", "-o", "json", TOUCH, cwd=tmp_path)
    assert proc.returncode == 4
    data = as_json(proc.stdout)
    assert data["blocked"] is True and data["risk"] == "critical" and data["executed"] is False
    assert data["error"]["code"] == "blocked"  # type: ignore[index]
    assert any("no new files in this test" in w for w in data["warnings"])  # type: ignore[union-attr]
    assert not (tmp_path / "marker.txt").exists()


def test_dry_run_never_runs(caro: CaroRunner, tmp_path: Path) -> None:
    proc = caro("-b", "builtin", "-x", "-y", "--dry-run", TOUCH, cwd=tmp_path)
    assert proc.returncode == 0
    assert not (tmp_path / "marker.txt").exists()


def test_shell_flag_reaches_the_backend(caro: CaroRunner) -> None:
    posix = as_json(caro("-b", "builtin", "-o", "json", "-s", "bash", "--platform", "linux", PWD).stdout)
    ps = as_json(caro("-b", "builtin", "-o", "json", "-s", "powershell", "--platform", "windows", PWD).stdout)
    assert posix["command"] == "pwd"
    assert ps["command"] != "pwd" and ps["command"]


def test_verbose_shows_backend_status_and_timings(caro: CaroRunner) -> None:
    port = closed_port()
    proc = caro("-v", "--url", f"http://127.0.0.1:{port}/v1", DOCKER)
    assert proc.returncode == 0
    assert proc.stdout == "docker ps\n"
    assert "LM Studio" in proc.stderr and "ms" in proc.stderr and "backend: builtin" in proc.stderr


# ------------------------------------------------------------------------------------------------
# The command line as a user meets it.


def test_global_options_work_before_and_after_a_subcommand(caro: CaroRunner, isolated_home: Path) -> None:
    # Before the name: the subcommand runs (not a request about "doctor"), and -o json reaches it.
    before = caro("-o", "json", "-b", "builtin", "doctor", "--only", "builtin")
    assert before.returncode == 0, before.stderr
    assert as_json(before.stdout)["backends"][0]["backend"] == "builtin"  # type: ignore[index]
    verbose = caro("-v", "config", "path")
    assert verbose.returncode == 0 and verbose.stdout.strip().endswith("config.toml")
    # --config before the name is the file the subcommand reads.
    other = isolated_home / "other.toml"
    other.write_text('safety = "strict"\n')
    shown = caro("--config", str(other), "config", "show", "-o", "json")
    assert as_json(shown.stdout)["safety"] == {"value": "strict", "source": f"file {other}"}
    # After the name, between the subcommand's own arguments: `models pull -o json NAME`.
    pulled = caro("models", "pull", "-o", "json", "no-such-model")
    assert pulled.returncode == 2
    assert "no-such-model" in as_json(pulled.stdout)["error"]["message"]  # type: ignore[index]
    also = caro("-o", "json", "models", "pull", "no-such-model")
    assert as_json(also.stdout) == as_json(pulled.stdout)


def test_a_request_starting_with_a_subcommand_word_still_needs_the_separator(caro: CaroRunner) -> None:
    as_request = caro("-b", "builtin", "-o", "json", "--", "config", "path")
    assert as_request.returncode in (0, 3) and "command" in as_json(as_request.stdout)
    as_command = caro("-o", "json", "config", "path")
    assert "path" in as_json(as_command.stdout) and "command" not in as_json(as_command.stdout)


def test_request_words_may_surround_options(caro: CaroRunner) -> None:
    proc = caro("list", "-b", "builtin", "docker", "containers")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "docker ps\n"


def test_a_blocked_command_never_reaches_stdout(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    lmstudio.tool_arguments = {"command": "rm -r ~", "explanation": "Deletes your home folder."}
    proc = caro("--url", lmstudio.url, "delete everything in my home directory")
    assert proc.returncode == 4
    assert proc.stdout == ""  # `cmd=$(caro …)` gets nothing to run
    assert "rm -r ~" in proc.stderr and "blocked" in proc.stderr


def test_no_answer_hint_fits_a_model_that_gave_no_command(caro: CaroRunner) -> None:
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    try:
        server.tool_arguments = None
        server.content = "I am not sure what you mean."
        proc = caro("-o", "json", "--url", server.url, "fix the thing")
    finally:
        server.stop()
    assert proc.returncode == 3
    error = as_json(proc.stdout)["error"]
    assert isinstance(error, dict)
    assert "different model" in error["hint"] and "rephrase" in error["hint"]
    assert "lms server start" not in error["hint"]


def test_timeout_hint_says_to_raise_the_timeout(caro: CaroRunner) -> None:
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    try:
        server.delay = 5.0  # a model slower than the limit
        proc = caro("-o", "json", "--url", server.url, "--timeout", "0.5", "xyzzy plugh")
    finally:
        server.stop()
    data = as_json(proc.stdout)
    fallbacks = data["fallbacks"]
    assert isinstance(fallbacks, list) and fallbacks[0] == {"backend": "lmstudio", "reason": "no answer within 0.5 s"}
    error = data["error"]
    assert proc.returncode == 3 and isinstance(error, dict)
    assert "--timeout" in error["hint"] and "lms server start" not in error["hint"]


def test_json_lists_every_backend_that_failed(caro: CaroRunner) -> None:
    port = closed_port()
    proc = caro("-o", "json", "--url", f"http://127.0.0.1:{port}/v1", "xyzzy plugh frobnicate")
    assert proc.returncode == 3
    data = as_json(proc.stdout)
    fallbacks = data["fallbacks"]
    assert isinstance(fallbacks, list)
    assert [f["backend"] for f in fallbacks] == ["lmstudio", "ollama", "embedded", "builtin"]
    assert all(f["reason"] for f in fallbacks)
    assert str(port) in fallbacks[0]["reason"]


def test_verbose_says_each_step_once_with_proper_names(caro: CaroRunner) -> None:
    port = closed_port()
    proc = caro("-v", "--url", f"http://127.0.0.1:{port}/v1", "xyzzy plugh frobnicate")
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), proc.stderr  # no line twice
    assert "trying Ollama" in proc.stderr and "trying the Ollama" not in proc.stderr
    assert "trying the built-in catalog" in proc.stderr
    hint = lines[-1].strip()
    assert sum(hint in line for line in lines) == 1  # the last hint once


def test_models_pull_offline_exits_6_with_code_offline(caro: CaroRunner) -> None:
    # A hub address where nothing listens: unreachable, as when offline.
    proc = caro("-o", "json", "models", "pull", env={"CARO_HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}"})
    assert proc.returncode == 6, proc.stdout + proc.stderr
    error = as_json(proc.stdout)["error"]
    assert isinstance(error, dict) and error["code"] == "offline"
    readme = (Path(__file__).resolve().parents[2] / "docs" / "output.md").read_text()
    assert "`offline`" in readme and "| 6 |" in readme


def test_install_hints_can_be_followed_from_a_clone() -> None:
    from caro.errors import MissingExtra, install_hint

    assert "pip install '.[embedded]'" in MissingExtra("embedded", "The embedded backend").hint
    train = install_hint("train")
    assert train.lower().startswith("install torch first") and "pip install '.[train]'" in train
    assert "caro[" not in install_hint("embedded") + train


def test_doctor_reports_the_environment(caro: CaroRunner, isolated_home: Path) -> None:
    import platform

    from caro import __version__

    (isolated_home / ".bashrc").write_text('eval "$(caro init bash)"\n')
    proc = caro("-o", "json", "doctor", "--only", "builtin", env={"CARO_SAFETY": "strict", "SHELL": "/bin/bash"})
    assert proc.returncode == 0, proc.stderr
    env = as_json(proc.stdout)["environment"]
    assert isinstance(env, dict)
    assert env["python"]["version"] == platform.python_version()
    assert env["caro"]["version"] == __version__
    assert env["os"]["system"] == platform.system()
    assert env["config"] == {"path": str(isolated_home / ".caro" / "config.toml"), "exists": False, "parsed": True,
                             "problem": "", "hint": ""}
    assert env["environment"]["CARO_SAFETY"] == "strict"
    assert set(env["extras"]) == {"embedded", "train"}
    for state in env["extras"].values():
        assert state["installed"] is (not state["missing"])
        assert state["installed"] or "pip install '." in state["hint"]
    assert isinstance(env["sandbox"]["available"], bool)
    # caro's parent here is Python, not a shell, so $SHELL decides the shell.
    assert env["integration"] == {"shell": "bash", "supported": True, "file": str(isolated_home / ".bashrc"),
                                  "installed": True, "hint": ""}
    plain = caro("doctor", "--only", "builtin", env={"CARO_SAFETY": "strict"})
    for label in ("caro", "Python", "OS", "config", "CARO_*", "extra embedded", "extra train", "eval sandbox",
                  "integration"):
        assert f"] {label}" in plain.stdout, label
    assert "CARO_SAFETY=strict" in plain.stdout
