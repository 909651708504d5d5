"""`caro finetune` beyond FunctionGemma, end to end on CPU with tiny random-weight models: a Llama-shaped
model whose template knows no tools (it learns caro's JSON answer, like SmolLM2) and a Qwen2-shaped one with
its own <tool_call> format. Train, resume, merge, export F16 and Q8_0 and the LoRA adapter with llama.cpp's
converters, then the embedded backend answers with the merged GGUF and with the base GGUF plus the adapter."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caro import config
from caro.backends import embedded
from caro.backends.base import GenerationRequest
from caro.context import Context
from caro.parsing import parse
from tests.helpers import need
from tests.training import templates, tiny_model
from tests.training.test_end_to_end import converter

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
STEPS = 12


def run_caro(*args: str, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "caro", *args, "-o", "json"], capture_output=True, text=True,
                          env=env, timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(("family", "template", "style"), [("llama", templates.SMOLLM2, "json"),
                                                            ("qwen2", templates.QWEN2, "tools")])
def test_tiny_model_trains_exports_and_answers(tmp_path: Path, family: str, template: str, style: str) -> None:
    need(all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "peft", "trl",
                                                                  "sentencepiece", "gguf", "llama_cpp")),
         "caro's train and embedded extras")
    from caro.training import examples as ex

    env = {k: v for k, v in os.environ.items() if not k.startswith("CARO_")}
    env.update(CARO_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", NO_COLOR="1")
    rows = [json.loads(line) for line in (ROOT / "data" / "train.jsonl").read_text().splitlines()]
    chats = [ex.to_chat(ex.parse_authoring(r), style) for r in rows[:200]]
    corpus = [json.dumps(c) for c in chats]
    base = tiny_model.build_chatml(tmp_path / "base", corpus, family, template)
    data = tmp_path / "slice.jsonl"
    picked = [r for r in rows if r["command"].startswith("git ")][:12]
    data.write_text("".join(json.dumps(r) + "\n" for r in picked))

    common = ("--base-model", str(base), "--out", str(tmp_path / "ft"), "--lr", "5e-3", "--lora-r", "8",
              "--lora-alpha", "16", "--batch-size", "4", "--grad-accum", "1", "--warmup-steps", "0",
              "--save-steps", "6", "--threads", "1", "--max-length", "512")
    trained = run_caro("finetune", str(data), "--steps", str(STEPS), "--no-merge", *common, env=env)
    assert trained["steps"] == STEPS and trained["examples"] == 12
    resumed = run_caro("finetune", str(data), "--steps", str(STEPS + 2), *common, env=env)
    assert resumed["resumed_from"] == f"checkpoint-{STEPS}" and resumed["steps"] == STEPS + 2
    merged = Path(str(resumed["merged_dir"]))
    assert json.loads((merged / "config.json").read_text())["model_type"] == family

    tools = str(converter())
    files = run_caro("export", str(merged), "--quant", "f16,q8_0", "--out", str(tmp_path / "gguf"), "--name", family,
                     "--llama-cpp", tools, env=env)["files"]
    by_quant = {f["quant"]: Path(f["path"]) for f in files}  # type: ignore[union-attr,index]
    assert set(by_quant) == {"F16", "Q8_0"}
    base_gguf = run_caro("export", str(base), "--quant", "f16", "--out", str(tmp_path / "gguf"), "--name",
                         f"{family}-base", "--llama-cpp", tools, env=env)["files"]
    adapter = run_caro("export", str(resumed["adapter_dir"]), "--adapter", "--out", str(tmp_path / "gguf"),
                       "--name", family, "--llama-cpp", tools, env=env)["adapter"]
    assert adapter["rank"] == 8 and adapter["tensors"] > 0  # type: ignore[index]

    request = GenerationRequest(prompt=rows[0]["prompt"], context=Context(platform="linux", shell="bash", cwd="."),
                                timeout=120)
    for model, adapter_path in ((by_quant["Q8_0"], "none"),
                                (Path(base_gguf[0]["path"]), adapter["path"])):  # type: ignore[index]
        settings = config.load({"embedded.model_path": str(model), "embedded.adapter_path": str(adapter_path),
                                "embedded.max_tokens": 48, "embedded.temperature": 0.0})
        raw = embedded.EmbeddedBackend(settings).generate(request)
        assert raw.info["template"] == style
        # Random weights after a few steps: the words may be nonsense, but a command comes back.
        assert parse(raw).command.strip(), raw.text
    embedded._LOADED.clear()
