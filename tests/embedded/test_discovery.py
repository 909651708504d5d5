"""Model discovery: model_path, then the GGUF behind the LM Studio model in LM Studio's folder, then
$CARO_HOME/models — from a fake LM Studio models folder in a temporary home."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from caro import config
from caro.backends.embedded import EmbeddedBackend
from caro.local_models import gguf_meta, models
from tests.conftest import CaroRunner
from tests.embedded.conftest import header_only_gguf
from tests.helpers import need

need(importlib.util.find_spec("gguf") is not None, "the gguf package (caro's dev extra)")


def _settings(home: Path, **file_values: str) -> config.Settings:
    """Settings as caro resolves them, with [section] keys written to a real config file."""
    lines: list[str] = []
    sections: dict[str, list[str]] = {}
    for dotted, value in file_values.items():
        section, _, key = dotted.partition("__")
        sections.setdefault(section, []).append(f"{key} = {json.dumps(value)}")
    for section, keys in sections.items():
        lines += [f"[{section}]", *keys]
    path = home / ".caro" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return config.load()


@pytest.fixture
def lmstudio(isolated_home: Path) -> Path:
    """~/.lmstudio/models laid out as LM Studio does: <publisher>/<model>/<file>.gguf."""
    root = isolated_home / ".lmstudio" / "models"
    header_only_gguf(root / "lmstudio-community" / "functiongemma-270m-it-GGUF" / "functiongemma-270m-it-Q8_0.gguf",
                     file_type=7, arch="gemma3")
    header_only_gguf(root / "lmstudio-community" / "functiongemma-270m-it-GGUF" / "functiongemma-270m-it-Q4_K_M.gguf",
                     file_type=15, arch="gemma3")
    header_only_gguf(root / "caro" / "caro-fg" / "functiongemma-finetune.Q8_0.gguf", file_type=7, arch="gemma3")
    header_only_gguf(root / "Qwen" / "Qwen2.5-Coder-0.5B-Instruct-GGUF" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                     file_type=15, arch="qwen2")
    # A vision projector is not a model.
    header_only_gguf(root / "Qwen" / "Qwen2.5-Coder-0.5B-Instruct-GGUF" / "mmproj-model-f16.gguf", file_type=1)
    return root


def test_lmstudio_model_is_found_in_lmstudio_folder(isolated_home: Path, lmstudio: Path) -> None:
    settings = _settings(isolated_home, lmstudio__model="caro/caro-fg")
    found = models.discover(settings).found
    assert found is not None and found.source == "lmstudio"
    assert found.path == lmstudio / "caro" / "caro-fg" / "functiongemma-finetune.Q8_0.gguf"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("lmstudio-community/functiongemma-270m-it-GGUF", "functiongemma-270m-it-Q4_K_M.gguf"),  # folder key
        ("functiongemma-270m-it@q8_0", "functiongemma-270m-it-Q8_0.gguf"),  # variant picks the quantization
        ("functiongemma-270m-it@q4_k_m", "functiongemma-270m-it-Q4_K_M.gguf"),
        ("google/functiongemma-270m", "functiongemma-270m-it-Q4_K_M.gguf"),  # LM Studio catalogue key
        ("qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    ],
)
def test_lmstudio_identifiers(isolated_home: Path, lmstudio: Path, identifier: str, expected: str) -> None:
    found = models.discover(_settings(isolated_home, lmstudio__model=identifier)).found
    assert found is not None and found.path.name == expected


def test_lmstudio_settings_downloads_folder(isolated_home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "big-disk" / "lms-models"
    header_only_gguf(elsewhere / "me" / "my-model" / "my-model-Q8_0.gguf", file_type=7)
    (isolated_home / ".lmstudio").mkdir()
    (isolated_home / ".lmstudio" / "settings.json").write_text(json.dumps({"downloadsFolder": str(elsewhere)}))
    assert models.lmstudio_models_dir() == elsewhere
    found = models.discover(_settings(isolated_home, lmstudio__model="me/my-model")).found
    assert found is not None and found.path.parent == elsewhere / "me" / "my-model"


def test_model_path_wins(isolated_home: Path, lmstudio: Path, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    mine = header_only_gguf(tmp_path / "mine.gguf", file_type=1)
    settings = _settings(isolated_home, embedded__model_path=str(mine), lmstudio__model="caro/caro-fg")
    found = models.discover(settings).found
    assert found is not None and found.path == mine and found.source == "model_path"
    # CARO_MODEL_PATH is the same key from the environment, and beats the file.
    other = header_only_gguf(tmp_path / "other.gguf", file_type=7)
    monkeypatch.setenv("CARO_MODEL_PATH", str(other))
    discovery = models.discover(config.load())
    assert discovery.found is not None and discovery.found.path == other
    assert "CARO_MODEL_PATH" in discovery.found.reason


def test_model_path_folder(isolated_home: Path, tmp_path: Path) -> None:
    header_only_gguf(tmp_path / "dir" / "b.gguf", file_type=7)
    header_only_gguf(tmp_path / "dir" / "a.gguf", file_type=7)
    found = models.discover(_settings(isolated_home, embedded__model_path=str(tmp_path / "dir"))).found
    assert found is not None and found.path.name == "a.gguf"


@pytest.mark.parametrize("kind", ["missing", "not-gguf", "empty-dir"])
def test_bad_model_path_is_reported_not_skipped(isolated_home: Path, lmstudio: Path, tmp_path: Path,
                                                kind: str) -> None:
    target = tmp_path / "model.gguf"
    if kind == "not-gguf":
        target.write_text("not a model")
    elif kind == "empty-dir":
        target = tmp_path / "empty"
        target.mkdir()
    settings = _settings(isolated_home, embedded__model_path=str(target), lmstudio__model="caro/caro-fg")
    discovery = models.discover(settings)
    assert discovery.found is None
    assert str(target) in discovery.problem and "model_path" in discovery.hint
    need(importlib.util.find_spec("llama_cpp") is not None, "llama-cpp-python: without it availability stops earlier")
    status = EmbeddedBackend(settings).availability()
    assert not status.ok and str(target) in status.reason


def test_caro_models_folder_last_default_first(isolated_home: Path) -> None:
    folder = isolated_home / ".caro" / "models"
    header_only_gguf(folder / "aaa-custom.gguf", file_type=7)
    header_only_gguf(folder / models.CATALOG[0].file, file_type=15, arch="qwen2")
    discovery = models.discover(config.load())
    assert discovery.found is not None and discovery.found.source == "caro"
    assert discovery.found.path.name == models.CATALOG[0].file
    # Every step is recorded for -v.
    assert any("model_path: not set" in s for s in discovery.steps)
    assert any("LM Studio" in s for s in discovery.steps)


def test_unmatched_lmstudio_model_falls_through_to_caro_folder(isolated_home: Path, lmstudio: Path) -> None:
    header_only_gguf(isolated_home / ".caro" / "models" / "x.gguf", file_type=7)
    discovery = models.discover(_settings(isolated_home, lmstudio__model="nothing-like-this"))
    assert discovery.found is not None and discovery.found.source == "caro"
    assert any("no GGUF matching 'nothing-like-this'" in s for s in discovery.steps)


def test_nothing_found(isolated_home: Path) -> None:
    discovery = models.discover(config.load())
    assert discovery.found is None and not discovery.problem
    assert len(discovery.steps) == 3


def test_gguf_metadata_is_read_cheaply(tmp_path: Path) -> None:
    path = header_only_gguf(tmp_path / "m.gguf", file_type=15, arch="qwen2", name="Qwen Test")
    info = gguf_meta.read(path)
    assert (info.architecture, info.name, info.quantization) == ("qwen2", "Qwen Test", "Q4_K_M")
    no_type = header_only_gguf(tmp_path / "model-IQ4_XS.gguf", file_type=None)
    assert gguf_meta.read(no_type).quantization == "IQ4_XS"  # from the file name
    (tmp_path / "bad.gguf").write_bytes(b"GGML0000")
    with pytest.raises(gguf_meta.NotGGUF):
        gguf_meta.read(tmp_path / "bad.gguf")


def test_models_list_shows_size_quantization_and_choice(caro: CaroRunner, isolated_home: Path, lmstudio: Path) -> None:
    (isolated_home / ".caro").mkdir(exist_ok=True)
    (isolated_home / ".caro" / "config.toml").write_text('[lmstudio]\nmodel = "caro/caro-fg"\n')
    done = caro("models", "list", "-v")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    chosen = [line for line in lines if line.startswith("*") and ".gguf" in line]
    assert len(chosen) == 1 and "functiongemma-finetune.Q8_0.gguf" in chosen[0] and "LM Studio" in chosen[0]
    q4 = next(line for line in lines if "functiongemma-270m-it-Q4_K_M.gguf" in line)
    size = (lmstudio / "lmstudio-community" / "functiongemma-270m-it-GGUF" / "functiongemma-270m-it-Q4_K_M.gguf").stat().st_size
    assert "Q4_K_M" in q4 and "gemma3" in q4 and f"{size} B" in q4
    assert not any("mmproj" in line for line in lines)
    assert "discovery:" in done.stderr  # -v shows each step

    as_json = json.loads(caro("models", "list", "-o", "json").stdout)
    assert {m["quantization"] for m in as_json["models"]} == {"Q8_0", "Q4_K_M"}
    assert all(m["size"] == Path(m["path"]).stat().st_size for m in as_json["models"])
    assert as_json["selected"].endswith("functiongemma-finetune.Q8_0.gguf")
