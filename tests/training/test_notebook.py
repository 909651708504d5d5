"""The Colab notebook is valid nbformat and runs the same caro commands the guide documents."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "caro_finetune_colab.ipynb"


def test_notebook_is_valid_nbformat_and_uses_caros_commands() -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for step in ("pip install -q -e \".[train,embedded]\"", "pip install -q unsloth", "caro dataset validate",
                 "caro finetune data/train.jsonl", "caro export", "caro-functiongemma-Q8_0.gguf"):
        assert step in code, step
    # The notebook's hyperparameters are caro finetune's defaults, not overridden in the cell.
    assert "--lr" not in code and "--lora-r" not in code
    assert notebook.metadata["accelerator"] == "GPU"
    guide = (NOTEBOOK.parents[1] / "docs" / "fine-tuning.md").read_text(encoding="utf-8")
    assert "notebooks/caro_finetune_colab.ipynb" in guide
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells if cell.cell_type == "code")
