"""The embedded backend for real: llama.cpp in-process with SmolLM2-135M and with tiny GGUFs built here."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

from caro import config
from caro.backends import embedded
from caro.backends.base import GenerationRequest, RawOutput
from caro.context import Context
from caro.errors import BackendUnavailable
from caro.local_models import gguf_meta
from caro.parsing import parse
from tests.conftest import CaroRunner
from tests.embedded.conftest import header_only_gguf
from tests.helpers import free_port, need

needs_llama = pytest.mark.usefixtures("llama")

CTX = Context(platform="linux", shell="bash", cwd="/tmp")

PROMPTS = [
    "list all files in the current directory",
    "show disk usage of this folder",
    "find all python files",
    "count lines in README.md",
    "show the 10 largest files",
    "print the current date",
    "what is my IP address",
    "compress the logs folder into a tar.gz",
    "show running processes sorted by memory",
    "delete empty directories",
    'search for the word "TODO" in all files',
    "make a directory called build",
]


def _settings(model: Path, **values: object) -> config.Settings:
    """Settings for `model`; SmolLM2 runs untuned (adapter_path = none) unless a test asks otherwise."""
    values.setdefault("adapter_path", "none")
    return config.load({"embedded.model_path": str(model), **{f"embedded.{k}": v for k, v in values.items()}})


def _request(prompt: str, log: list[str] | None = None) -> GenerationRequest:
    return GenerationRequest(prompt=prompt, context=CTX, timeout=60, log=log.append if log is not None else None)


# ---------------------------------------------------------------------------------------- without the extra


def test_without_llama_cpp_availability_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(embedded, "llama_cpp_installed", lambda: False)
    backend = embedded.EmbeddedBackend(config.load())
    status = backend.availability()
    assert not status.ok
    assert "llama-cpp-python is not installed" in status.reason
    assert "pip install '.[embedded]'" in status.hint
    with pytest.raises(BackendUnavailable) as caught:
        backend.generate(_request("list files"))
    assert "pip install '.[embedded]'" in caught.value.hint


def test_without_llama_cpp_the_cli_falls_back(caro: CaroRunner, tmp_path: Path) -> None:
    # Hide llama_cpp from the caro process, as on an installation without the extra.
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'llama_cpp' or name.startswith('llama_cpp.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path[1:]])}
    done = caro("--backend", "embedded", "-o", "json", "list docker containers", env=env)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    # The built-in catalog answers, and the reason the embedded backend could not is reported with it.
    assert data["backend"] == "builtin", data
    assert data["fallbacks"][0]["backend"] == "embedded"
    assert "llama-cpp-python is not installed" in data["fallbacks"][0]["reason"]


def test_command_grammar_bounds_the_command() -> None:
    grammar = embedded.command_grammar(160)
    assert "{0,135}" in grammar  # 1 + 135 = max_tokens - 24 characters
    assert " cmd " in grammar and " cmd? " in embedded.command_grammar(160, refusals=True)  # empty = refusal
    assert embedded.template_family("<start_function_declaration>") == "functiongemma"
    assert embedded.template_family("{{ '<|im_start|>' }}") == "json"
    assert embedded.template_family("{% if tools %}<tool_call>{% endif %}") == "tools"


def test_cut_explanation_is_closed_but_a_cut_command_is_not() -> None:
    assert embedded._close_json('{"command": "ls -la", "explanation": "Lists fi') == {"command": "ls -la",
                                                                                    "explanation": ""}
    assert embedded._close_json('{"command": "rm -rf /home/us') is None
    assert embedded._close_json('{"command": "echo \\"hi\\"", "explanation": "x"}') == {
        "command": 'echo "hi"', "explanation": "x"}


# ------------------------------------------------------------------------------------------ real inference


@pytest.mark.slow
@needs_llama
def test_smollm2_constrained_output_parses_every_time(smollm2: Path) -> None:
    backend = embedded.EmbeddedBackend(_settings(smollm2))
    assert backend.availability().ok
    for prompt in PROMPTS:
        raw = backend.generate(_request(prompt))
        assert raw.info["mode"] == "json-grammar" and raw.info["template"] == "json"
        suggestion = parse(raw)
        assert suggestion.command.strip() and "\n" not in suggestion.command, raw.text
        assert raw.model == smollm2.name
        assert raw.tool_calls and raw.tool_calls[0].name == "run_shell_command"


@pytest.mark.slow
@needs_llama
def test_loaded_model_is_reused_within_a_process(smollm2: Path) -> None:
    log: list[str] = []
    embedded._LOADED.clear()  # earlier tests may have loaded it already
    first = embedded.EmbeddedBackend(_settings(smollm2))
    first.generate(_request("list files", log))
    (loaded, _), = embedded._LOADED.values()
    second = embedded.EmbeddedBackend(_settings(smollm2))
    second.generate(_request("show disk usage", log))
    (again, _), = embedded._LOADED.values()
    assert again is loaded  # the same llama.cpp model object answered both
    assert [line.split(" in ")[0] for line in log if line.startswith("embedded: ") and "loaded" in line] == [
        f"embedded: loaded {smollm2.name}", f"embedded: reused loaded {smollm2.name}"]
    assert any("embedded model discovery: model_path" in line for line in log)


@pytest.mark.slow
@needs_llama
def test_small_token_budget_still_yields_a_complete_command(smollm2: Path) -> None:
    backend = embedded.EmbeddedBackend(_settings(smollm2, max_tokens=40, temperature=1.5))
    for prompt in PROMPTS[:4]:
        raw = backend.generate(_request(prompt))
        assert parse(raw).command.strip(), raw.text


@needs_llama
@pytest.mark.parametrize("quant", ["F16", "Q8_0", "Q4_K_M"])
def test_tiny_models_in_each_quantization_load_and_generate(tiny_models: dict[str, Path], quant: str) -> None:
    path = tiny_models[quant]
    assert gguf_meta.read(path).quantization == quant
    backend = embedded.EmbeddedBackend(_settings(path, max_tokens=48))
    assert backend.availability().ok
    raw = backend.generate(_request("list files"))
    # Random weights, but the grammar still forces a parseable command.
    assert parse(raw).command.strip(), raw.text
    assert raw.model == path.name


@needs_llama
def test_functiongemma_template_is_native_with_grammar_retry(tmp_path: Path) -> None:
    need(importlib.util.find_spec("gguf") is not None, "the gguf package")
    from tests.embedded import tiny_gguf

    source = tiny_gguf.write_f32(tmp_path / "fg-F32.gguf", template=tiny_gguf.FUNCTIONGEMMA_TEMPLATE, seed=3)
    path = tiny_gguf.quantize(source, tmp_path / "fg-Q8_0.gguf", "Q8_0")
    raw = embedded.EmbeddedBackend(_settings(path, max_tokens=48)).generate(_request("list files"))
    assert raw.info["template"] == "functiongemma"
    # Either the native answer parsed, or the grammar retry produced one; both end in a command.
    assert parse(raw).command.strip()
    assert raw.info["mode"] == "native" or "first_attempt" in raw.info, raw.info
    forced = embedded.EmbeddedBackend(_settings(path, max_tokens=48, constrain="always")).generate(
        _request("list files"))
    assert forced.info["mode"] == "json-grammar" and parse(forced).command.strip()


@needs_llama
def test_unloadable_gguf_is_a_clear_backend_error(tmp_path: Path) -> None:
    broken = header_only_gguf(tmp_path / "broken.gguf", file_type=7)  # valid header, no tensors
    backend = embedded.EmbeddedBackend(_settings(broken))
    assert backend.availability().ok  # cheap check: the file is there and is a GGUF
    with pytest.raises(BackendUnavailable) as caught:
        backend.generate(_request("list files"))
    assert "could not load broken.gguf" in caught.value.message and "model_path" in caught.value.hint


@needs_llama
def test_generation_timeout(smollm2: Path) -> None:
    from caro.errors import BackendTimeout

    backend = embedded.EmbeddedBackend(_settings(smollm2))
    request = _request("list files")
    request.timeout = 0.0001
    with pytest.raises(BackendTimeout):
        backend.generate(request)


# ---------------------------------------------------------------------------------------------- end to end


@needs_llama
def test_caro_backend_embedded_end_to_end(caro: CaroRunner, smollm2: Path) -> None:
    done = caro("--backend", "embedded", "-o", "json", "list all files", env={"CARO_MODEL_PATH": str(smollm2)},
                timeout=120)
    data = json.loads(done.stdout)
    assert data["backend"] == "embedded", done.stderr
    assert data["model"] == smollm2.name
    assert data["command"] and data["fallbacks"] == []
    assert done.returncode in (0, 4), done.stderr  # 4 only if the safety engine blocked what it wrote


@pytest.mark.slow
@needs_llama
def test_lmstudio_down_embedded_answers_and_fallback_is_listed(caro: CaroRunner, smollm2: Path) -> None:
    env = {"CARO_MODEL_PATH": str(smollm2), "CARO_LMSTUDIO_URL": f"http://127.0.0.1:{free_port()}/v1"}
    done = caro("--backend", "lmstudio", "-o", "json", "list all files", env=env, timeout=120)
    data = json.loads(done.stdout)
    assert data["backend"] == "embedded", done.stdout + done.stderr
    assert data["command"]
    assert data["fallbacks"][0]["backend"] == "lmstudio" and data["fallbacks"][0]["reason"]

    plain = caro("--backend", "lmstudio", "list all files", env=env, timeout=120)
    # The notice says what failed and that the embedded model answered instead.
    assert "LM Studio" in plain.stderr and "embedded model" in plain.stderr


@needs_llama
def test_no_model_anywhere_says_how_to_get_one(caro: CaroRunner) -> None:
    env = {"CARO_LMSTUDIO_URL": f"http://127.0.0.1:{free_port()}/v1"}
    done = caro("--backend", "embedded", "-v", "-o", "json", "list all files", env=env, timeout=60)
    text = done.stdout + done.stderr
    assert "no GGUF model found" in text
    assert "caro models pull" in text or "model_path" in text
    assert "Traceback" not in done.stderr


def test_raw_output_shape_is_the_protocol() -> None:
    raw = RawOutput(text='{"command": "ls", "explanation": "x"}')
    assert parse(raw).command == "ls"


@pytest.mark.slow
@needs_llama
def test_fixed_prompt_prefix_is_cached_on_disk_between_runs(caro: CaroRunner, smollm2: Path,
                                                            isolated_home: Path) -> None:
    (isolated_home / ".caro").mkdir(exist_ok=True)
    (isolated_home / ".caro" / "config.toml").write_text("[embedded]\ntemperature = 0.0\n")
    env = {"CARO_MODEL_PATH": str(smollm2)}
    args = ("--backend", "embedded", "-v", "-o", "json", "show disk usage of this folder")
    first = caro(*args, env=env, timeout=120)
    assert "fixed prompt prefix from saved" in first.stderr, first.stderr
    states = list((isolated_home / ".caro" / "cache" / "embedded").glob("*.state"))
    assert len(states) == 1
    second = caro(*args, env=env, timeout=120)
    assert "fixed prompt prefix from disk" in second.stderr, second.stderr
    # Same greedy answer whether the prefix was evaluated or loaded.
    assert json.loads(first.stdout)["command"] == json.loads(second.stdout)["command"]
    # A damaged cache file is dropped and rebuilt, never trusted.
    states[0].write_bytes(b"garbage")
    third = caro(*args, env=env, timeout=120)
    assert "fixed prompt prefix from saved" in third.stderr and json.loads(third.stdout)["command"]
