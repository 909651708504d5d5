"""The backend chain end to end through the real command, against the stand-ins: an answer with no
command falls through to the next backend; a configured [openai] url answers first under `auto`; a
backend the user chose never falls back to another server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.backends.fake_ollama import FakeOllama
from tests.conftest import CaroRunner

DOCKER = "list docker containers"
PROSE = ("Docker is a platform that runs applications in containers.\n"
         "You can see your containers in Docker Desktop. Hope this helps!")


def config(home: Path, text: str) -> str:
    path = home / "caro.toml"
    path.write_text(text)
    return str(path)


def test_prose_without_a_command_falls_back_to_the_next_backend(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    lmstudio.tool_arguments = None
    lmstudio.content = PROSE
    done = caro("-b", "lmstudio", "--url", lmstudio.url, "-o", "json", "-v", DOCKER)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["backend"] == "builtin" and data["command"] == "docker ps"
    passed = {f["backend"]: f["reason"] for f in data["fallbacks"]}
    assert list(passed) == ["lmstudio", "embedded"]
    assert passed["lmstudio"] == "the model answered without a command"
    assert "/v1/chat/completions" in lmstudio.paths()  # LM Studio was asked, and answered prose
    assert "Hope this helps" in done.stderr  # -v shows the raw answer that had no command


def test_prose_under_auto_moves_on_to_ollama(caro: CaroRunner, lmstudio: FakeLMStudio, ollama: FakeOllama,
                                             isolated_home: Path) -> None:
    lmstudio.tool_arguments = None
    lmstudio.content = PROSE
    ollama.tool_arguments = {"command": "docker ps -a", "explanation": "All containers."}
    cfg = config(isolated_home, f'[ollama]\nurl = "{ollama.url}"\n')
    done = caro("-o", "json", "--config", cfg, DOCKER, env={"CARO_LMSTUDIO_URL": lmstudio.url})
    data = json.loads(done.stdout)
    assert (data["backend"], data["command"]) == ("ollama", "docker ps -a")
    assert [f["backend"] for f in data["fallbacks"]] == ["lmstudio"]


def test_a_configured_openai_url_answers_first_under_auto(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                          isolated_home: Path) -> None:
    other = FakeLMStudio().start()  # the "OpenAI-compatible server": the same wire format
    try:
        other.tool_arguments = {"command": "docker container ls", "explanation": "Lists containers."}
        cfg = config(isolated_home, f'[openai]\nurl = "{other.url}"\n')
        done = caro("-o", "json", "--config", cfg, DOCKER, env={"CARO_LMSTUDIO_URL": lmstudio.url})
        data = json.loads(done.stdout)
        assert (data["backend"], data["command"], data["fallbacks"]) == ("openai", "docker container ls", [])
        assert "/v1/chat/completions" in other.paths()
        assert lmstudio.requests == []  # LM Studio, up and second in line, was never asked
    finally:
        other.stop()


def test_a_chosen_backend_never_falls_back_to_another_server(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                             closed_port: int, isolated_home: Path) -> None:
    # Ollama is chosen and down; LM Studio and an [openai] server are up and could answer.
    cfg = config(isolated_home, f'[ollama]\nurl = "http://127.0.0.1:{closed_port}"\n'
                                f'[openai]\nurl = "{lmstudio.url}"\n')
    done = caro("-b", "ollama", "-o", "json", "--config", cfg, DOCKER, env={"CARO_LMSTUDIO_URL": lmstudio.url})
    data = json.loads(done.stdout)
    assert data["backend"] == "builtin"
    assert [f["backend"] for f in data["fallbacks"]] == ["ollama", "embedded"]
    assert "Ollama" in done.stderr  # the notice for an explicit choice
    assert lmstudio.requests == []  # neither as LM Studio nor as the [openai] server


def test_a_chosen_backend_without_fallback_stops_there(caro: CaroRunner, lmstudio: FakeLMStudio,
                                                       isolated_home: Path) -> None:
    lmstudio.tool_arguments = None
    lmstudio.content = PROSE
    cfg = config(isolated_home, "fallback = false\n")
    done = caro("-b", "lmstudio", "--url", lmstudio.url, "-o", "json", "--config", cfg, DOCKER)
    assert done.returncode == 3
    error = json.loads(done.stdout)["error"]
    assert "without a command" in error["message"]
