"""Configuration through the real command: precedence, sources, bad files, init."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CaroRunner


def write_config(home: Path, text: str) -> Path:
    path = home / ".caro" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def show(caro: CaroRunner, *args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    proc = caro("config", "show", "-o", "json", *args, env=env)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return data


def test_defaults_when_no_file(caro: CaroRunner) -> None:
    data = show(caro)
    assert data["backend"] == {"value": "auto", "source": "default"}
    assert data["timeout"]["value"] == 30.0
    assert data["lmstudio.url"]["value"] == "http://localhost:1234/v1"


def test_precedence_flag_over_env_over_file(caro: CaroRunner, isolated_home: Path) -> None:
    path = write_config(isolated_home, 'safety = "strict"\nbackend = "ollama"\n[lmstudio]\nurl = "http://h:1/v1"\n')
    data = show(caro)
    assert data["safety"] == {"value": "strict", "source": f"file {path}"}
    data = show(caro, env={"CARO_SAFETY": "permissive", "CARO_LMSTUDIO_URL": "http://e:2/v1"})
    assert data["safety"] == {"value": "permissive", "source": "env CARO_SAFETY"}
    assert data["lmstudio.url"]["value"] == "http://e:2/v1"
    data = show(caro, "--safety", "moderate", "--url", "http://f:3/v1", env={"CARO_SAFETY": "permissive"})
    assert data["safety"] == {"value": "moderate", "source": "flag"}
    assert data["lmstudio.url"] == {"value": "http://f:3/v1", "source": "flag"}
    assert data["backend"]["value"] == "ollama"


def test_caro_config_env_and_flag_point_elsewhere(caro: CaroRunner, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('output = "yaml"\ntimeout = 5\n')
    assert show(caro, env={"CARO_CONFIG": str(other)})["timeout"] == {"value": 5.0, "source": f"file {other}"}
    assert show(caro, "--config", str(other))["timeout"]["source"] == f"file {other}"
    proc = caro("config", "path", "-o", "plain", env={"CARO_CONFIG": str(other)})
    assert proc.stdout.strip() == str(other)


def test_malformed_toml_names_file_and_line(caro: CaroRunner, isolated_home: Path) -> None:
    path = write_config(isolated_home, 'backend = "auto"\n\nsafety = \n')
    proc = caro("config", "show")
    assert proc.returncode == 2
    assert f"{path}:3" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_wrong_value_names_line_key_and_allowed_values(caro: CaroRunner, isolated_home: Path) -> None:
    path = write_config(isolated_home, '# comment\n[lmstudio]\napi = "rest"\n')
    proc = caro("-o", "json", "-p", "list files")
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == "config"
    assert f"{path}:3" in error["message"]
    assert "lmstudio.api" in error["message"] and "chat, completions" in error["message"]


def test_wrong_types_are_errors(caro: CaroRunner, isolated_home: Path) -> None:
    for text, key in [("timeout = \"soon\"\n", "timeout"), ("fallback = 3\n", "fallback"),
                      ("timeout = -1\n", "timeout"),
                      ("[safety_rules]\ndeny = [{pattern = \"x\", level = \"extreme\"}]\n", "safety_rules.deny"),
                      ("[safety_rules]\nallow = [\"rm (\"]\n", "safety_rules.allow")]:
        write_config(isolated_home, text)
        proc = caro("config", "show")
        assert proc.returncode == 2, text
        assert key in proc.stderr


def test_wrong_env_value_is_an_error(caro: CaroRunner) -> None:
    proc = caro("config", "show", env={"CARO_BACKEND": "gpt"})
    assert proc.returncode == 2
    assert "CARO_BACKEND" in proc.stderr and "lmstudio" in proc.stderr


def test_unknown_key_is_a_warning(caro: CaroRunner, isolated_home: Path) -> None:
    path = write_config(isolated_home, 'safty = "strict"\n')
    proc = caro("config", "show")
    assert proc.returncode == 0
    assert f"{path}:1" in proc.stderr and "safty" in proc.stderr and "did you mean 'safety'" in proc.stderr


def test_init_writes_a_commented_file_that_loads_to_defaults(caro: CaroRunner, isolated_home: Path) -> None:
    proc = caro("config", "init")
    assert proc.returncode == 0, proc.stderr
    path = isolated_home / ".caro" / "config.toml"
    text = path.read_text()
    assert "[lmstudio]" in text and "# strict | moderate | permissive" in text
    data = show(caro)
    assert {name: entry["source"] for name, entry in data.items() if entry["source"] != f"file {path}"} == {"output": "flag"}
    assert data["safety"]["value"] == "moderate"
    again = caro("config", "init")
    assert again.returncode == 2 and "--force" in again.stderr
    assert caro("config", "init", "--force").returncode == 0
