"""The whole fine-tuning path on CPU, every stage real, with a tiny model of FunctionGemma's architecture.

tiny Gemma3ForCausalLM (random weights, SentencePiece tokenizer trained here, FunctionGemma tokens and
template) -> `caro finetune` (LoRA steps with transformers + PEFT + TRL on a slice of data/train.jsonl)
-> merge -> `caro export` (llama.cpp's converter: F16, Q8_0; llama.cpp's quantizer: Q4_K_M) -> each GGUF
loaded by llama.cpp -> one served by llama-cpp-python's OpenAI-compatible server -> `caro --backend openai`
gets a command back. Plus fidelity: llama.cpp's logits on the F16 GGUF match transformers' logits.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port, need
from tests.llama_server import serve
from tests.training import tiny_model

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _parts() -> None:
    need(all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "peft", "trl", "sentencepiece",
                                                                  "gguf", "llama_cpp")),
         "caro's train extra and llama-cpp-python[server]")

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "data" / "train.jsonl"
# llama.cpp's converters come from the llama-cpp-python sdist (about 80 MB). Tests never download it: they use
# $CARO_LLAMA_CPP_DIR or this cache, filled once with network access to PyPI by
# `python -m caro.training.export ~/.cache/caro-tests`.
CONVERTER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "caro-tests"
# A slice whose commands share their first words, so a few LoRA steps from random weights learn the
# call's structure and a command; the words after that may be nonsense.
SLICE = 16
STEPS = 200


@dataclass
class Pipeline:
    root: Path
    env: dict[str, str]
    base: Path
    merged: Path
    finetune: dict[str, object]
    export: dict[str, object]
    slice_rows: list[dict[str, str]]

    def gguf(self, quant: str) -> Path:
        return next(Path(str(f["path"])) for f in self.export["files"] if f["quant"] == quant)  # type: ignore[index,attr-defined]


def run_caro(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "caro", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def converter() -> Path:
    """llama.cpp's converters, already on this machine; the test says why it cannot run otherwise."""
    from caro.training.export import cached_converter, llama_cpp_version

    version = llama_cpp_version()
    found = cached_converter(CONVERTER_CACHE, version)
    need(found is not None, f"llama.cpp's converters for llama-cpp-python {version} are not cached in "
         f"{CONVERTER_CACHE} and CARO_LLAMA_CPP_DIR is unset; tests do not download the 80 MB source distribution: "
         f"run 'python -m caro.training.export {CONVERTER_CACHE}' once with network access to PyPI")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    from caro.training import examples as ex
    root = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARO_") and not k.lower().endswith("_proxy")}
    env.update(HOME=str(root / "home"), CARO_HOME=str(root / "home" / ".caro"), NO_COLOR="1",
               TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1", TRANSFORMERS_NO_ADVISORY_WARNINGS="1")
    (root / "home").mkdir()

    rows = [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = [ex.to_text(ex.to_chat(ex.parse_authoring(r))) for r in rows]
    base = tiny_model.build(root / "base", corpus)

    slice_rows = [r for r in rows if r["command"].startswith("git ")][:SLICE]
    data = root / "slice.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in slice_rows), encoding="utf-8")

    done = run_caro("finetune", str(data), "--base-model", str(base), "--out", str(root / "ft"), "--steps",
                    str(STEPS), "--lr", "1e-2", "--lora-r", "32", "--lora-alpha", "64", "--batch-size", "4",
                    "--grad-accum", "1", "--warmup-steps", "0", "--save-steps", "100", "--threads", "1",
                    "--max-length", "512", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    finetune = json.loads(done.stdout)

    done = run_caro("export", finetune["merged_dir"], "--out", str(root / "gguf"), "--name", "tiny",
                    "--llama-cpp", str(converter()), "-o", "json", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return Pipeline(root, env, base, Path(finetune["merged_dir"]), finetune, json.loads(done.stdout), slice_rows)


def test_finetune_trained_resumably_and_merged(pipeline: Pipeline) -> None:
    result = pipeline.finetune
    assert result["engine"] == "cpu" and result["steps"] == STEPS and result["examples"] == SLICE
    log = [json.loads(line) for line in Path(str(result["loss_log"])).read_text().splitlines()]
    assert [entry["step"] for entry in log] == list(range(1, STEPS + 1))
    first, last = sum(e["loss"] for e in log[:10]) / 10, sum(e["loss"] for e in log[-10:]) / 10
    assert last < first / 2, (first, last)  # the LoRA steps really learned
    png = Path(str(result["loss_png"]))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (Path(str(result["adapter_dir"])) / "adapter_config.json").exists()
    checkpoints = sorted(p.name for p in (pipeline.root / "ft" / "checkpoints").glob("checkpoint-*"))
    assert checkpoints == ["checkpoint-100", f"checkpoint-{STEPS}"]
    merged_config = json.loads((pipeline.merged / "config.json").read_text())
    assert merged_config["architectures"] == ["Gemma3ForCausalLM"]
    assert (pipeline.merged / "tokenizer.model").exists()
    table = json.loads((pipeline.merged / "tokenizer_config.json").read_text())["added_tokens_decoder"]
    assert {t["content"] for t in table.values()} >= {"<start_of_turn>", "<start_function_call>", "<escape>"}
    # Running it again with more steps resumes from the last checkpoint instead of starting over.
    done = run_caro("finetune", str(pipeline.root / "slice.jsonl"), "--base-model", str(pipeline.base), "--out",
                    str(pipeline.root / "ft"), "--steps", str(STEPS + 4), "--lora-r", "32", "--lora-alpha", "64",
                    "--batch-size", "4", "--grad-accum", "1", "--threads", "1", "--no-merge", "-o", "json",
                    env=pipeline.env)
    assert done.returncode == 0, done.stderr[-2000:]
    again = json.loads(done.stdout)
    assert again["resumed_from"] == f"checkpoint-{STEPS}" and again["steps"] == STEPS + 4
    log = [json.loads(line) for line in Path(str(result["loss_log"])).read_text().splitlines()]
    assert [entry["step"] for entry in log] == list(range(1, STEPS + 5))


def test_export_writes_three_ggufs_with_llama_cpps_own_types(pipeline: Pipeline) -> None:
    files = {f["quant"]: f for f in pipeline.export["files"]}  # type: ignore[union-attr]
    assert set(files) == {"F16", "Q8_0", "Q4_K_M"}
    for info in files.values():
        assert Path(info["path"]).read_bytes()[:4] == b"GGUF"
        assert info["size_bytes"] == Path(info["path"]).stat().st_size
    assert files["F16"]["file_type"] == "F16" and set(files["F16"]["tensor_types"]) == {"F16", "F32"}
    assert files["Q8_0"]["file_type"] == "Q8_0" and "Q8_0" in files["Q8_0"]["tensor_types"]
    q4 = files["Q4_K_M"]
    assert q4["file_type"] == "Q4_K_M"
    # 640-wide rows cannot be Q4_K: llama.cpp falls back to Q5_0 for them, as for FunctionGemma.
    assert "Q4_K" in q4["tensor_types"] and "Q5_0" in q4["tensor_types"]
    assert files["F16"]["size_bytes"] > files["Q8_0"]["size_bytes"] > q4["size_bytes"]
    assert 5.0 < q4["bits_per_weight"] < files["Q8_0"]["bits_per_weight"]
    assert any("fell back to" in note for note in pipeline.export["notes"])  # type: ignore[union-attr]


def test_each_gguf_loads_in_llama_cpp_and_answers_with_a_call(pipeline: Pipeline) -> None:
    import llama_cpp

    from caro.training import examples as ex

    chat = ex.to_chat(ex.parse_authoring(pipeline.slice_rows[0]))
    for quant in ("F16", "Q8_0", "Q4_K_M"):
        llm = llama_cpp.Llama(model_path=str(pipeline.gguf(quant)), n_ctx=512, n_threads=1, verbose=False)
        try:
            assert llm.n_vocab() == json.loads((pipeline.merged / "config.json").read_text())["vocab_size"]
            out = llm.create_chat_completion(messages=chat["messages"][:2], tools=chat["tools"], max_tokens=48,
                                             temperature=0.0, stop=["<start_function_response>"])
            text = out["choices"][0]["message"]["content"] or ""
            assert text.startswith("<start_function_call>call:run_shell_command{"), (quant, text)
        finally:
            llm.close()


@pytest.fixture(scope="module")
def served(pipeline: Pipeline) -> Iterator[str]:
    with serve(pipeline.gguf("Q8_0"), free_port(), alias="caro-tiny", env=pipeline.env, n_ctx=1024,
               extra=("--seed", "1")) as url:
        yield url


def test_caro_gets_a_command_from_the_served_fine_tune(pipeline: Pipeline, served: str) -> None:
    """`caro --backend openai` against llama.cpp's server: caro names the tool in tool_choice, so
    llama-cpp-python constrains the answer to a JSON tool call; the words are the tiny model's, but a command
    comes back through every stage."""
    config = pipeline.root / "openai.toml"
    config.write_text(f'backend = "openai"\n\n[openai]\nurl = "{served}"\nmodel = "caro-tiny"\n')
    row = pipeline.slice_rows[0]
    done = run_caro("--config", str(config), "--platform", "linux", "--shell", "bash", "-o", "json",
                    "--timeout", "120", row["prompt"], env=pipeline.env, timeout=180)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["backend"] == "openai", data
    assert data["model"] == "caro-tiny" and data["fallbacks"] == []
    assert data["command"].strip(), data


def test_caro_renders_functiongemma_and_gets_the_trained_command(pipeline: Pipeline, served: str) -> None:
    """The same server reached the way caro reaches a FunctionGemma model in LM Studio's completions mode:
    caro renders the prompt with FunctionGemma's template and parses the call. The fine-tune answers with
    exactly the command it was trained on."""
    config = pipeline.root / "completions.toml"
    config.write_text(f'backend = "lmstudio"\n\n[lmstudio]\nurl = "{served}"\napi = "completions"\n'
                      'model = "caro-tiny"\n')
    row = pipeline.slice_rows[0]
    done = run_caro("--config", str(config), "--platform", "linux", "--shell", "bash", "-o", "json",
                    "--timeout", "120", row["prompt"], env=pipeline.env, timeout=180)
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["model"] == "caro-tiny" and data["fallbacks"] == [], data
    assert data["command"] == row["command"], data
    assert data["risk"] == "safe" and not data["blocked"]


def test_fidelity_llama_cpp_f16_logits_match_transformers(pipeline: Pipeline) -> None:
    import llama_cpp
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from caro.training import examples as ex

    tokenizer = AutoTokenizer.from_pretrained(str(pipeline.merged))
    model = AutoModelForCausalLM.from_pretrained(str(pipeline.merged), dtype=torch.float32)
    model.eval()
    text = ex.to_text(ex.to_chat(ex.parse_authoring(pipeline.slice_rows[1])), ex.Renderer(tokenizer))
    ids = tokenizer(text)["input_ids"][:96]
    with torch.no_grad():
        reference = model(torch.tensor([ids])).logits[0].numpy()

    llm = llama_cpp.Llama(model_path=str(pipeline.gguf("F16")), n_ctx=256, n_threads=1, logits_all=True,
                          verbose=False)
    try:
        llm.eval(ids)
        ours = np.array(llm.scores[: len(ids)], dtype=np.float32)
    finally:
        llm.close()
    assert ours.shape == reference.shape
    scale = float(np.abs(reference).max())
    worst = float(np.abs(ours - reference).max())
    assert worst <= 0.01 * scale, (worst, scale)  # measured: 0.018 of 12 (Q8_0 would be 0.23)
    # The same next token everywhere it is decided by a clear margin.
    top2 = np.sort(reference, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 0.05 * scale
    assert (ours.argmax(1) == reference.argmax(1))[clear].all()


def test_validate_measures_lengths_with_the_models_tokenizer(pipeline: Pipeline) -> None:
    data = pipeline.root / "slice.jsonl"
    done = run_caro("dataset", "validate", str(data), "--tokenizer", str(pipeline.base), "-o", "json",
                    env=pipeline.env)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["summary"]["tokens"] == "measured"
    longest = report["summary"]["max_tokens"]
    done = run_caro("dataset", "validate", str(data), "--tokenizer", str(pipeline.base), "--max-tokens",
                    str(longest - 1), "-o", "json", env=pipeline.env)
    report = json.loads(done.stdout)
    assert done.returncode == 2
    assert report["issues"] and all(i["severity"] == "error" and f"exceeds the limit of {longest - 1}" in i["message"]
                                    for i in report["issues"])
