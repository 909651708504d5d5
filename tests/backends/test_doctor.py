"""`caro doctor` through the real command: each server's state, models, timing and fixes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.conftest import CaroRunner


def config(home: Path, closed_port: int) -> str:
    path = home / "caro.toml"
    path.write_text(f'[ollama]\nurl = "http://127.0.0.1:{closed_port}"\n')
    return str(path)


def test_doctor_reports_each_server(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int,
                                    isolated_home: Path) -> None:
    lmstudio.models.append({"id": "caro-fg", "type": "llm", "state": "not-loaded"})
    done = caro("doctor", "--config", config(isolated_home, closed_port), env={"CARO_LMSTUDIO_URL": lmstudio.url})
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "[ok] LM Studio" in out
    assert "server: LM Studio" in out
    assert "functiongemma-270m-it (loaded)" in out and "caro-fg" in out
    assert "[--] Ollama" in out
    assert f"connection refused on 127.0.0.1:{closed_port}" in out
    assert "fix: Start Ollama: 'ollama serve'" in out
    assert "embedded model" in out and "built-in catalog" in out
    assert done.returncode == 0


def test_doctor_json_and_fresh_check(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int,
                                     isolated_home: Path) -> None:
    env = {"CARO_LMSTUDIO_URL": lmstudio.url}
    cfg = config(isolated_home, closed_port)
    caro("doctor", "--config", cfg, env=env)
    before = lmstudio.paths().count("/lmstudio-greeting")
    done = caro("doctor", "-o", "json", "--config", cfg, env=env)
    assert lmstudio.paths().count("/lmstudio-greeting") == before + 1  # doctor never trusts the cache
    data = json.loads(done.stdout)
    rows = {row["backend"]: row for row in data["backends"]}
    assert rows["lmstudio"]["ok"] and rows["lmstudio"]["loaded"] == ["functiongemma-270m-it"]
    assert rows["lmstudio"]["identity"] == "LM Studio"
    assert isinstance(rows["lmstudio"]["check_ms"], float)
    assert not rows["ollama"]["ok"] and "ollama serve" in rows["ollama"]["hint"]
    assert data["answering"] == "lmstudio"


def test_doctor_no_model_loaded_gives_the_fix(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int,
                                              isolated_home: Path) -> None:
    lmstudio.models[0]["state"] = "not-loaded"
    done = caro("doctor", "--only", "lmstudio", "--config", config(isolated_home, closed_port),
                env={"CARO_LMSTUDIO_URL": lmstudio.url})
    assert "problem: no model loaded" in done.stdout
    assert "fix: Load one: 'lms load functiongemma-270m-it'" in done.stdout


def test_doctor_tells_lm_studio_versions_apart(caro: CaroRunner, lmstudio: FakeLMStudio) -> None:
    env = {"CARO_LMSTUDIO_URL": lmstudio.url}
    assert "LM Studio 0.3.6 to 0.3.x" in caro("doctor", "--only", "lmstudio", env=env).stdout
    lmstudio.api_v1 = True
    assert "LM Studio 0.4.0 or later" in caro("doctor", "--only", "lmstudio", env=env).stdout
    lmstudio.legacy = True
    out = caro("doctor", "--only", "lmstudio", env=env).stdout
    assert "not identified as LM Studio" in out and "[ok] LM Studio" in out


def test_doctor_only_exit_code(caro: CaroRunner, lmstudio: FakeLMStudio, closed_port: int) -> None:
    up = caro("doctor", "--only", "lmstudio", env={"CARO_LMSTUDIO_URL": lmstudio.url})
    down = caro("doctor", "--only", "lmstudio", env={"CARO_LMSTUDIO_URL": f"http://127.0.0.1:{closed_port}/v1"})
    assert (up.returncode, down.returncode) == (0, 3)
    assert "lms server start" in down.stdout
