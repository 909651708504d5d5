"""Dataset file -> token sequences with labels that cover only the model's answer (loss on responses only).

The prompt part of each example is rendered exactly as backends serve it (the model's chat template with
its generation prompt, see prompting.chat_messages); only the tokens after it carry labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caro.errors import UsageError
from caro.training import examples as ex

# Where the answer starts in an already-rendered text-form example, per template family.
RESPONSE_STARTS = ("<start_of_turn>model\n", "<|im_start|>assistant\n",
                   "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|assistant|>\n")
IGNORE = -100  # label value the loss skips


def read_pairs(path: Path, tokenizer: Any, limit: int | None = None) -> list[tuple[str, str]]:
    """Every example in `path` (any form) as (prompt, answer) rendered with the model's chat template."""
    from caro.training.validate import Report, read_rows

    report = Report()
    rows = list(read_rows(path, report))
    if report.errors:
        first = report.errors[0]
        raise UsageError(f"{first}", f"Run 'caro dataset validate {path}' to see every problem "
                         f"({len(report.errors)} in all).")
    if not rows:
        raise UsageError(f"{path} holds no examples", "Give a JSON Lines file; see docs/training-data.md.")
    renderer = ex.Renderer(tokenizer)
    pairs: list[tuple[str, str]] = []
    for row in rows[:limit] if limit else rows:
        if row.form == "text":
            pairs.append(split_rendered(str(row.record["text"]).removeprefix(renderer.bos)))
            continue
        chat = row.record if row.form == "chat" else renderer.chat(ex.parse_authoring(row.record))
        try:
            pairs.append(ex.split_text(chat, renderer))
        except ex.ExampleError as exc:
            raise UsageError(f"{path}: {exc}", "Fine-tune a chat model whose template renders an assistant turn "
                             "(see docs/fine-tuning.md, 'Which models').") from None
    return pairs


def split_rendered(text: str) -> tuple[str, str]:
    """A text-form example cut after its last assistant-turn header."""
    cut, marker = max((text.rfind(m), m) for m in RESPONSE_STARTS)
    if cut < 0:
        raise UsageError("an example has no model turn to learn from",
                         "Each rendered example must contain an assistant turn header, one of: "
                         + ", ".join(repr(m) for m in RESPONSE_STARTS) + ".")
    return text[: cut + len(marker)], text[cut + len(marker):]


def tokenize(pairs: list[tuple[str, str]], tokenizer: Any, max_length: int) -> list[dict[str, list[int]]]:
    """input_ids (with the tokenizer's own special tokens) and labels masked over the prompt."""
    sequences: list[dict[str, list[int]]] = []
    for prompt, answer in pairs:
        ids = list(tokenizer(prompt + answer, add_special_tokens=True)["input_ids"])
        prompt_ids = list(tokenizer(prompt, add_special_tokens=True)["input_ids"])
        shared = 0
        for a, b in zip(ids, prompt_ids, strict=False):
            if a != b:
                break
            shared += 1
        ids = ids[:max_length]
        labels = [IGNORE] * min(shared, len(ids)) + ids[shared:]
        if all(label == IGNORE for label in labels):
            continue  # the answer was cut off entirely: nothing to learn
        sequences.append({"input_ids": ids, "labels": labels})
    return sequences
