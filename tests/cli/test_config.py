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


def test_a_named_config_that_does_not_exist_is_an_error(caro: CaroRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    for args, env in ((("--config", str(missing)), None), ((), {"CARO_CONFIG": str(missing)})):
        proc = caro(*args, "-o", "json", "-b", "builtin", "list docker containers", env=env)
        assert proc.returncode == 2, proc.stdout
        error = json.loads(proc.stdout)["error"]
        assert error["code"] == "config" and str(missing) in error["message"]
    # ... except for `config init`, which creates it there.
    made = caro("--config", str(missing), "config", "init")
    assert made.returncode == 0, made.stderr
    assert missing.exists()


def test_a_malformed_config_does_not_lock_out_the_tools_that_fix_it(caro: CaroRunner, isolated_home: Path) -> None:
    path = write_config(isolated_home, 'backend = "auto"\nsafety = \n')
    where = caro("config", "path")
    assert where.returncode == 0 and where.stdout.strip() == str(path)
    assert f"{path}:2" in where.stderr
    doctor = caro("-o", "json", "doctor", "--only", "builtin")
    assert doctor.returncode == 2
    data = json.loads(doctor.stdout)
    assert data["environment"]["config"]["parsed"] is False
    assert f"{path}:2" in data["environment"]["config"]["problem"]
    assert data["backends"][0]["ok"] is True  # and it went on to check the backends
    plain = caro("doctor", "--only", "builtin")
    assert f"{path}:2" in plain.stdout and "config init --force" in plain.stdout
    assert caro("config", "init", "--force").returncode == 0
    assert caro("config", "show").returncode == 0
    # A bad CARO_* value does not lock doctor out either.
    env = caro("doctor", "--only", "builtin", env={"CARO_LMSTUDIO_URL": "nope"})
    assert env.returncode == 2 and "CARO_LMSTUDIO_URL" in env.stdout and "[ok] built-in catalog" in env.stdout


def test_urls_and_typed_keys_are_checked_at_load(caro: CaroRunner, isolated_home: Path) -> None:
    for text, key in [('[lmstudio]\nurl = "not a url"\n', "lmstudio.url"),
                      ('[ollama]\nurl = "localhost:11434"\n', "ollama.url"),
                      ('[openai]\nurl = "http://host:port/v1"\n', "openai.url"),
                      ('[openai]\napi_key_env = "my key"\n', "openai.api_key_env"),
                      ('[embedded]\nthreads = 1.5\n', "embedded.threads"),
                      ('[embedded]\nstop = "###"\n', "embedded.stop")]:
        path = write_config(isolated_home, text)
        proc = caro("-b", "builtin", "list docker containers")
        assert proc.returncode == 2, text
        assert f"{path}:2" in proc.stderr and key in proc.stderr, proc.stderr
    write_config(isolated_home, '[openai]\nurl = ""\n[lmstudio]\nurl = "https://lm.example:8443/v1"\n')
    assert caro("config", "show").returncode == 0
    env = caro("config", "show", env={"CARO_LMSTUDIO_URL": "nope"})
    assert env.returncode == 2 and "CARO_LMSTUDIO_URL" in env.stderr
    flag = caro("--url", "nope", "config", "show")
    assert flag.returncode == 2 and "--url must be an http" in flag.stderr


def test_small_texts_read_right(caro: CaroRunner, isolated_home: Path) -> None:
    timeout = caro("--timeout", "0", "config", "show")
    assert timeout.returncode == 2 and "--timeout must be at least 0.1 (got 0.0)" in timeout.stderr
    path = write_config(isolated_home, 'safety = "moderate"\n\n[lmstuido]\nurl = "http://x:1/v1"\n')
    section = caro("config", "show")
    assert f"{path}:3: unknown section [lmstuido] is ignored (did you mean [lmstudio]?)" in section.stderr
    key = caro("init", "bash", "--key", "hyper-x")
    assert key.returncode == 2 and "is not a modifier and a key" in key.stderr
    listing = caro("models", "list")
    assert "(default) [default]" not in listing.stdout and "Catalogue" not in listing.stdout
    check = caro("check", "-o", "json", "ls")
    assert check.stdout.startswith("{\n  ")  # indented like every other JSON caro prints
    models_help = caro("models", "--help").stdout
    assert "--safety" not in models_help and "--shell" not in models_help and "--output" in models_help
