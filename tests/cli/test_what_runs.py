"""What actually executes, through the real command with a model answer from the LM Studio stand-in:
the sanitised command runs (never the raw answer), and a command the rules block never runs, even with
-x -y in plain mode. Each blocked case ends in `touch <marker>` inside the test's temporary folder, so
the marker would exist had anything run; none of the commands does harm if run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner


def ask(caro: CaroRunner, lmstudio: FakeLMStudio, command: str, *flags: str, cwd: Path,
        config: str = "") -> tuple[int, str, str]:
    lmstudio.tool_arguments = {"command": command, "explanation": "From the stand-in."}
    args = ["-b", "lmstudio", "--url", lmstudio.url, *flags]
    if config:
        path = cwd / "caro.toml"
        path.write_text(config)
        args += ["--config", str(path)]
    done = caro(*args, "do the thing", cwd=cwd)
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout, done.stderr


def test_the_sanitised_command_is_what_runs(caro: CaroRunner, lmstudio: FakeLMStudio, tmp_path: Path) -> None:
    # A prompt sign and zero-width characters: both removed before anything judges, shows or runs it.
    raw = "$ printf 'ran-%s\\n' a\u200bb && touch mark\u200ber"
    work = tmp_path / "work"
    work.mkdir()
    code, out, err = ask(caro, lmstudio, raw, "-x", "-y", "-o", "json", cwd=work)
    assert code == 0, err
    data = json.loads(out)
    assert data["command"] == "printf 'ran-%s\\n' ab && touch marker"
    assert data["executed"] is True and data["exit_code"] == 0
    assert "ran-ab\n" in err  # under -o json the command's output goes to stderr
    assert "\u200b" not in err
    assert [p.name for p in work.iterdir()] == ["marker"]  # not "mark\u200ber"
    assert any(w.startswith("removed 2 zero-width characters") for w in data["warnings"])
    assert "removed the leading '$ ' prompt sign" in data["warnings"]


def test_the_sanitised_command_runs_in_plain_mode(caro: CaroRunner, lmstudio: FakeLMStudio, tmp_path: Path) -> None:
    code, out, _ = ask(caro, lmstudio, "$ printf 'ran-%s\\n' a\u200bb", "-x", "-y", cwd=tmp_path)
    assert code == 0
    assert out.splitlines() == ["printf 'ran-%s\\n' ab", "ran-ab"]


def test_a_deny_rule_blocks_a_model_answer_in_plain_mode(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                         tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    rule = ('[safety_rules]\ndeny = [{pattern = "touch .*marker", level = "critical", '
            'message = "no markers in this test"}]\n')
    code, _, err = ask(caro, lmstudio, f"touch {marker}", "-x", "-y", cwd=tmp_path, config=rule)
    assert code == 4
    assert "no markers in this test" in err and "blocked" in err
    assert not marker.exists()


def test_a_command_the_rules_rate_critical_never_runs(caro: CaroRunner, lmstudio: FakeLMStudio, tmp_path: Path,
                                                      closed_port: int) -> None:
    # Piping a download into a shell is critical by the built-in rules. Were it run, curl would fail on a
    # closed loopback port, sh would read nothing, and only the marker would be touched.
    marker = tmp_path / "marker"
    command = f"curl -fsS http://127.0.0.1:{closed_port}/install.sh | sh; touch {marker}"
    for output in ("plain", "json"):
        code, out, err = ask(caro, lmstudio, command, "-x", "-y", "-o", output, cwd=tmp_path)
        assert code == 4
        if output == "json":
            data = json.loads(out)
            assert (data["risk"], data["blocked"], data["executed"]) == ("critical", True, False)
        else:
            assert "critical" in err and "blocked" in err
        assert not marker.exists()


def test_eval_of_caro_never_runs_a_blocked_command(lmstudio: FakeLMStudio, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    config = tmp_path / "caro.toml"
    config.write_text('[safety_rules]\ndeny = [{pattern = "touch .*marker", level = "critical"}]\n')
    lmstudio.tool_arguments = {"command": f"touch {marker}", "explanation": "From the stand-in."}
    caro = f"{sys.executable} -m caro -b lmstudio --url {lmstudio.url} --config {config} 'make a marker'"
    subprocess.run(["sh", "-c", f'eval "$({caro})"'], capture_output=True, timeout=60, env=dict(os.environ),
                   check=False)
    assert not marker.exists()
