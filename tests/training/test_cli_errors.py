"""`caro finetune` and `caro export` fail with a clear message and exit code, never a traceback."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.helpers import need

HAS_TRAIN = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "peft", "trl", "gguf"))


@pytest.fixture
def train_extra() -> None:
    need(HAS_TRAIN, "caro's train extra")


def test_finetune_without_data_or_with_a_missing_file(caro, tmp_path: Path) -> None:
    done = caro("finetune")
    assert done.returncode == 2 and "no training data given" in done.stderr
    done = caro("finetune", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2 and "no such file" in done.stderr
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "x", "command": "ls", "explanation": "Lists."}\n')
    done = caro("finetune", str(data), "--steps", "0")
    assert done.returncode == 2 and "--steps must be at least 1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("train_extra")
def test_finetune_unsloth_engine_without_a_gpu_or_unsloth(caro, tmp_path: Path) -> None:
    import torch

    need(not torch.cuda.is_available(), "this test is about a machine without a CUDA GPU")
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "x", "command": "ls", "explanation": "Lists."}\n')
    done = caro("finetune", str(data), "--engine", "unsloth", "-o", "json", timeout=180)
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stdout)["error"]
    # Whichever is missing is named: unsloth itself first, then the GPU it needs.
    has_unsloth = importlib.util.find_spec("unsloth") is not None
    expected = "needs a CUDA GPU" if has_unsloth else "Unsloth"
    assert has_unsloth or error["code"] == "missing_extra"
    assert expected in error["message"], error


@pytest.mark.usefixtures("train_extra")
def test_finetune_reports_the_first_invalid_line(caro, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "x", "command": "ls", "explanation": "Lists."}\n{"prompt": "y"}\n')
    done = caro("finetune", str(data), "--base-model", str(tmp_path / "no-model"), "--engine", "cpu", timeout=180)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{data}:2: error: missing field 'command'" in done.stderr
    data.write_text('{"prompt": "x", "command": "ls", "explanation": "Lists."}\n')
    done = caro("finetune", str(data), "--base-model", str(tmp_path / "no-model"), "--engine", "cpu", timeout=180)
    assert done.returncode == 2 and "cannot load base model" in done.stderr
    assert "Traceback" not in done.stderr


def test_export_rejects_a_folder_that_is_not_a_model(caro, tmp_path: Path) -> None:
    done = caro("export", str(tmp_path / "absent"))
    assert done.returncode == 2 and "no such folder" in done.stderr
    folder = tmp_path / "merged"
    folder.mkdir()
    done = caro("export", str(folder))
    assert done.returncode == 2 and "config.json is missing" in done.stderr
    (folder / "config.json").write_text("{}")
    done = caro("export", str(folder))
    assert done.returncode == 2 and "has no weights" in done.stderr
    (folder / "model.safetensors").write_bytes(b"")
    done = caro("export", str(folder), "--quant", "q3_k_s")
    assert done.returncode == 2 and "unknown quantization q3_k_s" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("train_extra")
def test_export_with_a_llama_cpp_folder_lacking_the_converter(caro, tmp_path: Path) -> None:
    folder = tmp_path / "merged"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"")
    done = caro("export", str(folder), "--llama-cpp", str(tmp_path))
    assert done.returncode == 2 and "holds no convert_hf_to_gguf.py" in done.stderr


HIDE_JINJA = (
    "import sys\n"
    "class _Hide:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'jinja2' or name.startswith('jinja2.'):\n"
    "            raise ModuleNotFoundError(name)\n"
    "        return None\n"
    "sys.meta_path.insert(0, _Hide())\n"
)


def test_dataset_validate_on_a_plain_install_without_jinja2(caro, tmp_path: Path) -> None:
    import os
    import sys

    (tmp_path / "sitecustomize.py").write_text(HIDE_JINJA)
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path[1:]])}
    train = Path(__file__).resolve().parents[2] / "data" / "train.jsonl"
    done = caro("dataset", "validate", str(train), env=env)
    assert done.returncode == 0, done.stderr
    assert "684 examples" in done.stdout and "(estimated)" in done.stdout and "0 errors" in done.stdout
    # Rendering text needs the template engine: the exact extra is named, as JSON with -o json.
    done = caro("dataset", "convert", str(train), "--to", "text", "-o", "json", env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "missing_extra" and "'.[train]'" in error["hint"]
