"""End to end through the real command: `caro --backend lmstudio -o json "list docker containers"`
against the LM Studio stand-in — up, down, hung, on another port, and with a warm cache."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner

ARGS = ("--backend", "lmstudio", "-o", "json", "list docker containers")


def run_json(caro: CaroRunner, *args: str, url: str, extra_env: dict[str, str] | None = None) -> tuple[dict, str, int]:
    env = {"CARO_LMSTUDIO_URL": url, **(extra_env or {})}
    done = caro(*args, env=env)
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), done.stderr, done.returncode


def test_server_up(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    data, _, code = run_json(caro, *ARGS, url=lmstudio.url)
    assert code == 0
    assert data["command"] == "docker ps"
    assert data["backend"] == "lmstudio"
    assert data["model"] == "functiongemma-270m-it"
    assert data["fallbacks"] == []
    assert "/v1/chat/completions" in lmstudio.paths()


def test_server_down_falls_back_with_a_notice(caro: CaroRunner, closed_port: int) -> None:
    data, stderr, _ = run_json(caro, *ARGS, url=f"http://localhost:{closed_port}/v1")
    assert data["fallbacks"][0]["backend"] == "lmstudio"
    assert "refused" in data["fallbacks"][0]["reason"]
    assert "LM Studio" in stderr and "refused" in stderr  # one line naming what failed and why


def test_server_down_without_fallback_exits_3(caro: CaroRunner, closed_port: int, isolated_home: Path) -> None:
    config = isolated_home / "caro.toml"
    config.write_text("fallback = false\n")
    done = caro(*ARGS, "--config", str(config), env={"CARO_LMSTUDIO_URL": f"http://127.0.0.1:{closed_port}/v1"})
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    error = json.loads(done.stdout)["error"]
    assert "refused" in error["message"]
    assert "lms server start" in error["hint"]


def test_hung_server_timeout_is_honoured(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    lmstudio.delay = 30
    data, _, _ = run_json(caro, *ARGS, "--timeout", "1", url=lmstudio.url)
    reasons = {f["backend"]: f["reason"] for f in data["fallbacks"]}
    assert "no answer within 1 s" in reasons["lmstudio"]


def test_non_default_port_by_flag(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int) -> None:
    data, _, code = run_json(caro, *ARGS, "--url", f"http://localhost:{lmstudio.port}/v1",
                             url=f"http://localhost:{closed_port}/v1")
    assert code == 0 and data["command"] == "docker ps"


def test_published_port_found_and_reported(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int,
                                           isolated_home: Path) -> None:
    info = isolated_home / ".lmstudio" / ".internal" / "http-server.json"
    info.parent.mkdir(parents=True)
    info.write_text(json.dumps({"port": lmstudio.port}))
    done = caro(*ARGS, "-v", env={"CARO_LMSTUDIO_URL": f"http://localhost:{closed_port}/v1"})
    assert json.loads(done.stdout)["command"] == "docker ps"
    assert f"using port {lmstudio.port}" in done.stderr


def test_warm_cache_sends_no_probe(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    run_json(caro, *ARGS, url=lmstudio.url)
    before = len(lmstudio.requests)
    data, stderr, _ = run_json(caro, *ARGS, "-v", url=lmstudio.url)
    assert data["command"] == "docker ps"
    assert lmstudio.paths()[before:] == ["/v1/chat/completions"]  # no greeting, no model list
    assert "(cached)" in stderr


def test_no_model_loaded_message(caro: CaroRunner, lmstudio: FakeLMStudio, isolated_home: Path) -> None:
    lmstudio.models[0]["state"] = "not-loaded"
    config = isolated_home / "caro.toml"
    config.write_text("fallback = false\n")
    done = caro(*ARGS, "--config", str(config), env={"CARO_LMSTUDIO_URL": lmstudio.url})
    error = json.loads(done.stdout)["error"]
    assert done.returncode == 3
    assert "no model loaded" in error["message"]
    assert "lms load functiongemma-270m-it" in error["hint"]


def test_streamed_answer_keeps_stdout_clean(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    lmstudio.tool_arguments = None
    lmstudio.content = ("<start_function_call>call:run_shell_command{command:<escape>docker ps -a<escape>}"
                        "<end_function_call>")
    data, _, _ = run_json(caro, *ARGS, url=lmstudio.url)  # json.loads fails on anything but one document
    assert data["command"] == "docker ps -a"


def test_auto_uses_lm_studio_when_up(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    data, _, code = run_json(caro, "-o", "json", "list docker containers", url=lmstudio.url)
    assert code == 0
    assert data["backend"] == "lmstudio" and data["fallbacks"] == []


def test_auto_passes_over_servers_that_are_down(caro: CaroRunner, closed_port: int, isolated_home: Path) -> None:
    config = isolated_home / "caro.toml"
    config.write_text(f'[ollama]\nurl = "http://127.0.0.1:{closed_port}"\n')
    data, _, _ = run_json(caro, "-o", "json", "--config", str(config), "list docker containers",
                          url=f"http://127.0.0.1:{closed_port}/v1")
    passed = [f["backend"] for f in data["fallbacks"]]
    assert passed[:2] == ["lmstudio", "ollama"]
    assert all("refused" in f["reason"] for f in data["fallbacks"][:2])
