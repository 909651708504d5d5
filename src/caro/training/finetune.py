"""LoRA fine-tuning: Unsloth on a CUDA GPU when it is installed, else transformers + PEFT + TRL (CPU or GPU).

The defaults are the Unsloth FunctionGemma notebook's: r 128, alpha 256, the seven projection modules,
lr 2e-4, batch 4 x 2, 500 steps, warmup 10, linear schedule, loss on the model's answer only. Checkpoints
let an interrupted run resume; at the end the adapter is merged into the base model, ready for export.

Output folder layout:
    checkpoints/      trainer checkpoints (resume from the newest)
    adapter/          the LoRA adapter
    merged/           base model + adapter, 16-bit safetensors, tokenizer with its chat template
    loss_log.jsonl    one {"step", "loss", "learning_rate", "epoch"} line per logging step, and
                      {"step", "eval_loss", "epoch"} lines when a held-out set is given
    loss.png          the loss curve
    finetune.json     what ran: settings, engine, steps, seconds, final loss
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from caro.errors import MissingExtra, UsageError

DEFAULT_BASE_MODEL = "unsloth/functiongemma-270m-it"
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class FinetuneSettings:
    train_file: Path
    output_dir: Path
    base_model: str = DEFAULT_BASE_MODEL
    eval_file: Path | None = None
    max_steps: int = 500
    learning_rate: float = 2e-4
    batch_size: int = 4
    grad_accum: int = 2
    lora_r: int = 128
    lora_alpha: int = 256
    lora_dropout: float = 0.0
    warmup_steps: int = 10
    weight_decay: float = 0.001
    max_length: int = 1024
    seed: int = 3407
    save_steps: int = 50
    logging_steps: int = 1
    limit: int | None = None
    engine: str = "auto"  # auto | unsloth | cpu (transformers + PEFT + TRL)
    resume: bool = True
    merge: bool = True
    threads: int = 0
    base_gguf: str = ""  # the GGUF file base_model was de-quantised from, if any

    def as_json(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


@dataclass
class FinetuneResult:
    output_dir: Path
    engine: str
    steps: int
    seconds: float
    final_loss: float | None
    adapter_dir: Path
    merged_dir: Path | None
    loss_log: Path
    loss_png: Path | None
    resumed_from: str | None = None
    examples: int = 0
    losses: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
        data.pop("losses")
        return data


def require_train_extra() -> None:
    for module in ("torch", "transformers", "peft", "trl", "datasets"):
        if importlib.util.find_spec(module) is None:
            raise MissingExtra("train", f"Fine-tuning (module '{module}' is missing)")


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def pick_engine(requested: str) -> str:
    """'unsloth' when asked or when auto finds a CUDA GPU with unsloth installed; else 'cpu' (PEFT + TRL)."""
    has_unsloth = importlib.util.find_spec("unsloth") is not None
    if requested == "unsloth":
        if not has_unsloth:
            raise MissingExtra("train", "The Unsloth engine (pip install unsloth)")
        if not cuda_available():
            raise UsageError("the Unsloth engine needs a CUDA GPU, and none is visible",
                             "Use --engine cpu, or run on a GPU machine (see docs/fine-tuning.md, Colab path).")
        return "unsloth"
    if requested == "auto" and has_unsloth and cuda_available():
        return "unsloth"
    return "cpu"


def newest_checkpoint(folder: Path) -> Path | None:
    found = [p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return max(found, key=lambda p: int(p.name.split("-")[-1])) if found else None


def _loss_callback(log_path: Path, losses: list[dict[str, float]]) -> Any:
    """A transformers TrainerCallback that appends each logged loss to loss_log.jsonl (kept across resumes)."""
    import importlib

    def on_log(self: Any, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
               **kwargs: Any) -> None:
        if not logs or ("loss" not in logs and "eval_loss" not in logs):
            return
        entry: dict[str, float] = {"step": int(state.global_step), "epoch": float(logs.get("epoch", 0.0))}
        if "loss" in logs:
            entry.update(loss=float(logs["loss"]), learning_rate=float(logs.get("learning_rate", 0.0)))
            losses.append(entry)
        else:
            entry["eval_loss"] = float(logs["eval_loss"])
        with log_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    # Built with type() so the class does not depend on transformers' stubs being present at type-check time.
    base = importlib.import_module("transformers").TrainerCallback
    return type("LossLog", (base,), {"on_log": on_log})()


def plot_losses(log_path: Path, png_path: Path, title: str) -> Path | None:
    """Draw loss against step from loss_log.jsonl; None when matplotlib is missing or nothing was logged."""
    if not log_path.exists() or importlib.util.find_spec("matplotlib") is None:
        return None
    points = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not points:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [p for p in points if "loss" in p]
    held_out = [p for p in points if "eval_loss" in p]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([p["step"] for p in train], [p["loss"] for p in train], marker="." if len(train) < 60 else None,
            label="training loss")
    if held_out:
        ax.plot([p["step"] for p in held_out], [p["eval_loss"] for p in held_out], marker="o", label="held-out loss")
        ax.legend()
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return png_path


def _bf16_supported() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _dataset(sequences: list[dict[str, list[int]]]) -> Any:
    from datasets import Dataset

    return Dataset.from_list(sequences)


def _sft_config(s: FinetuneSettings, engine: str, has_eval: bool) -> Any:
    SFTConfig = importlib.import_module("trl").SFTConfig

    on_gpu = engine == "unsloth" or cuda_available()
    bf16 = on_gpu and _bf16_supported()
    return SFTConfig(
        output_dir=str(s.output_dir / "checkpoints"),
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=s.grad_accum,
        warmup_steps=s.warmup_steps,
        max_steps=s.max_steps,
        learning_rate=s.learning_rate,
        logging_steps=s.logging_steps,
        optim="adamw_8bit" if engine == "unsloth" else "adamw_torch",
        weight_decay=s.weight_decay,
        lr_scheduler_type="linear",
        seed=s.seed,
        save_steps=s.save_steps,
        save_total_limit=2,
        report_to="none",
        max_length=s.max_length,
        packing=False,
        use_cpu=not on_gpu,
        # CPUs without bf16 units run bf16 autocast an order of magnitude slower than fp32; small CPU runs
        # also gain nothing from recomputing activations.
        bf16=bf16,
        fp16=on_gpu and not bf16,
        gradient_checkpointing=on_gpu and engine != "unsloth",
        eval_strategy="steps" if has_eval else "no",
        eval_steps=max(s.save_steps, 1) if has_eval else None,
        dataloader_num_workers=0,
        disable_tqdm=not sys.stderr.isatty(),
        remove_unused_columns=False,
    )


def _load_cpu(s: FinetuneSettings) -> tuple[Any, Any]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if s.threads:
        torch.set_num_threads(s.threads)
    tokenizer = AutoTokenizer.from_pretrained(s.base_model)
    dtype = torch.bfloat16 if cuda_available() and torch.cuda.is_bf16_supported() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(s.base_model, dtype=dtype, attn_implementation="eager")
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [m for m in TARGET_MODULES if m in present]
    if not targets:
        raise UsageError(f"{s.base_model} has none of the projection modules LoRA targets ({', '.join(TARGET_MODULES)})",
                         "Fine-tune a causal language model of the Gemma, Llama or Qwen families "
                         "(see docs/fine-tuning.md, 'Which models').")
    config = LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout, bias="none",
                        target_modules=targets, task_type="CAUSAL_LM")
    return get_peft_model(model, config), tokenizer


def _load_unsloth(s: FinetuneSettings) -> tuple[Any, Any]:
    from unsloth import FastLanguageModel

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=s.base_model, max_seq_length=s.max_length, load_in_4bit=False, load_in_8bit=False,
        load_in_16bit=True, full_finetuning=False)
    model = FastLanguageModel.get_peft_model(
        model, r=s.lora_r, target_modules=list(TARGET_MODULES), lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
        bias="none", use_gradient_checkpointing="unsloth", random_state=s.seed, use_rslora=False, loftq_config=None)
    return model, tokenizer


def ensure_chat_template(tokenizer: Any) -> None:
    """A model without a chat template gets caro's FunctionGemma one, so the GGUF carries it."""
    if not getattr(tokenizer, "chat_template", None):
        from caro.training.chat_template import TEMPLATE

        tokenizer.chat_template = TEMPLATE


def copy_tokenizer_files(base_model: str, target: Path) -> None:
    """llama.cpp's converter reads tokenizer.model for Gemma; save_pretrained does not always write it."""
    source = Path(base_model)
    for name in ("tokenizer.model",):
        if (target / name).exists():
            continue
        if source.is_dir() and (source / name).exists():
            shutil.copy2(source / name, target / name)
            continue
        try:
            from huggingface_hub import hf_hub_download

            shutil.copy2(hf_hub_download(base_model, name), target / name)
        except Exception:  # the base model may not have one; the converter then uses tokenizer.json
            pass


def check_data(path: Path) -> None:
    from caro.training.validate import Report, read_rows

    report = Report()
    if not list(read_rows(path, report)) and not report.errors:
        raise UsageError(f"{path} holds no examples", "Give a JSON Lines file; see docs/training-data.md.")
    if report.errors:
        raise UsageError(str(report.errors[0]), f"Run 'caro dataset validate {path}' to see every problem "
                         f"({len(report.errors)} in all).")


def run(s: FinetuneSettings, say: Callable[[str], None] = lambda line: None) -> FinetuneResult:
    """Train, save the adapter, merge. `say` receives one-line progress messages."""
    require_train_extra()
    from caro.training.sequences import read_pairs, tokenize

    check_data(s.train_file)  # a broken line should fail in a second, not after loading a model
    if s.eval_file:
        check_data(s.eval_file)
    engine = pick_engine(s.engine)
    s.output_dir.mkdir(parents=True, exist_ok=True)
    from caro.training.gguf_base import dequantise, is_gguf

    if _looks_local(s.base_model) and not Path(s.base_model).expanduser().exists():
        raise UsageError(f"cannot load base model {s.base_model}: no such file or folder",
                         "Give a model folder, a .gguf file, or a Hugging Face id (org/name).")
    if is_gguf(s.base_model):
        from caro.config import caro_home

        s.base_gguf = s.base_model
        s.base_model = str(dequantise(Path(s.base_model).expanduser(), caro_home() / "cache", say))
    say(f"engine: {'Unsloth (CUDA)' if engine == 'unsloth' else 'transformers + PEFT + TRL'}; "
        f"base model: {s.base_model}")
    started = time.monotonic()
    try:
        model, tokenizer = _load_unsloth(s) if engine == "unsloth" else _load_cpu(s)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot load base model {s.base_model}: {str(exc).splitlines()[0]}",
                        "Give a local model folder, or a Hugging Face id with network access to fetch it once.") \
            from None
    ensure_chat_template(tokenizer)
    train = tokenize(read_pairs(s.train_file, tokenizer, s.limit), tokenizer, s.max_length)
    evaluation = tokenize(read_pairs(s.eval_file, tokenizer), tokenizer, s.max_length) if s.eval_file else []
    if not train:
        raise UsageError("no example fits in --max-length", "Raise --max-length or shorten the examples.")
    say(f"examples: {len(train)} train, {len(evaluation)} held-out; longest {max(len(x['input_ids']) for x in train)} "
        "tokens")

    SFTTrainer = importlib.import_module("trl").SFTTrainer

    log_path = s.output_dir / "loss_log.jsonl"
    checkpoints = s.output_dir / "checkpoints"
    resume_from = newest_checkpoint(checkpoints) if s.resume else None
    if not resume_from and log_path.exists():
        log_path.unlink()  # a fresh run starts a fresh log
    losses: list[dict[str, float]] = []
    trainer = SFTTrainer(
        model=model,
        processing_class=tokenizer,
        train_dataset=_dataset(train),
        eval_dataset=_dataset(evaluation) if evaluation else None,
        args=_sft_config(s, engine, bool(evaluation)),
        callbacks=[_loss_callback(log_path, losses)],
    )
    if resume_from:
        say(f"resuming from {resume_from.name}")
    # Trainer prints progress and log lines on stdout; keep stdout for caro's own report (-o json).
    with contextlib.redirect_stdout(sys.stderr):
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)

    adapter_dir = s.output_dir / "adapter"
    model.save_pretrained(str(adapter_dir))
    save_tokenizer(tokenizer, adapter_dir)
    png = plot_losses(log_path, s.output_dir / "loss.png", f"caro fine-tune of {Path(s.base_gguf).name or s.base_model}")
    merged_dir = None
    if s.merge:
        say("merging the adapter into the base model")
        merged_dir = s.output_dir / "merged"
        if engine == "unsloth":
            model.save_pretrained_merged(str(merged_dir), tokenizer, save_method="merged_16bit")
            record_added_tokens(tokenizer, merged_dir)
        else:
            merge_into(model, tokenizer, merged_dir)
        copy_tokenizer_files(s.base_model, merged_dir)
    final = losses[-1]["loss"] if losses else None
    result = FinetuneResult(
        output_dir=s.output_dir, engine=engine, steps=int(trainer.state.global_step),
        seconds=round(time.monotonic() - started, 1), final_loss=final, adapter_dir=adapter_dir,
        merged_dir=merged_dir, loss_log=log_path, loss_png=png,
        resumed_from=resume_from.name if resume_from else None, examples=len(train), losses=losses)
    (s.output_dir / "finetune.json").write_text(
        json.dumps({"settings": s.as_json(), "result": result.as_dict()}, indent=2) + "\n", encoding="utf-8")
    return result


def _looks_local(base_model: str) -> bool:
    """A path rather than a Hugging Face id ("org/name"): asking the hub for it would only wait."""
    return base_model.startswith(("/", "./", "../", "~")) or base_model.count("/") > 1 or \
        base_model.lower().endswith(".gguf") or "\\" in base_model


def merge_into(peft_model: Any, tokenizer: Any, merged_dir: Path) -> None:
    """Fold the LoRA weights into the base weights and save a plain transformers model."""
    import torch

    merged = peft_model.merge_and_unload()
    if merged.dtype == torch.float32 and cuda_available():
        merged = merged.to(torch.bfloat16)
    merged_dir.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(merged_dir), safe_serialization=True)
    save_tokenizer(tokenizer, merged_dir)


def save_tokenizer(tokenizer: Any, folder: Path) -> None:
    tokenizer.save_pretrained(str(folder))
    record_added_tokens(tokenizer, folder)


def record_added_tokens(tokenizer: Any, folder: Path) -> None:
    """Keep the added-token table in tokenizer_config.json.

    Recent transformers versions write it only into tokenizer.json, but llama.cpp's converter reads it from
    tokenizer_config.json to mark <start_of_turn> as a control token and the tool tokens as user-defined;
    without it they become plain text pieces and the GGUF no longer recognises them in prompts.
    """
    path = folder / "tokenizer_config.json"
    if not path.exists():
        return
    config = json.loads(path.read_text(encoding="utf-8"))
    if config.get("added_tokens_decoder"):
        return
    table = {}
    for token_id, token in sorted(getattr(tokenizer, "added_tokens_decoder", {}).items()):
        table[str(token_id)] = {"content": str(token.content), "special": bool(token.special),
                                "lstrip": bool(token.lstrip), "rstrip": bool(token.rstrip),
                                "normalized": bool(token.normalized), "single_word": bool(token.single_word)}
    if table:
        config["added_tokens_decoder"] = table
        path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def merge_adapter(adapter_dir: Path, merged_dir: Path, base_model: str | None = None) -> Path:
    """Merge a saved adapter folder into its base model (for `caro finetune --merge-only`)."""
    require_train_extra()
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoTokenizer

    if not (adapter_dir / "adapter_config.json").exists():
        raise UsageError(f"{adapter_dir} holds no LoRA adapter (adapter_config.json is missing)",
                         "Point at the 'adapter' folder a 'caro finetune' run wrote.")
    model = AutoPeftModelForCausalLM.from_pretrained(str(adapter_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(adapter_dir))
    merge_into(model, tokenizer, merged_dir)
    base = base_model or json.loads((adapter_dir / "adapter_config.json").read_text())["base_model_name_or_path"]
    copy_tokenizer_files(str(base), merged_dir)
    return merged_dir
