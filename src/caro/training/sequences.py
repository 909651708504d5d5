"""Dataset file -> token sequences with labels that cover only the model's answer (loss on responses only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from caro.errors import UsageError
from caro.training import examples as ex

RESPONSE_START = "<start_of_turn>model\n"
IGNORE = -100  # label value the loss skips


def read_texts(path: Path, tokenizer: Any, limit: int | None = None) -> list[str]:
    """Every example in `path` (any form) rendered with the model's chat template, without <bos>."""
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
    texts: list[str] = []
    for row in rows[:limit] if limit else rows:
        if row.form == "text":
            texts.append(str(row.record["text"]).removeprefix(renderer.bos))
            continue
        chat = row.record if row.form == "chat" else ex.to_chat(ex.parse_authoring(row.record))
        texts.append(ex.to_text(chat, renderer))
    return texts


def tokenize(texts: list[str], tokenizer: Any, max_length: int) -> list[dict[str, list[int]]]:
    """input_ids (with one <bos>) and labels masked up to and including the model turn's header."""
    sequences: list[dict[str, list[int]]] = []
    for text in texts:
        cut = text.rfind(RESPONSE_START)
        if cut < 0:
            raise UsageError("an example has no model turn to learn from",
                             f"Each rendered example must contain {json.dumps(RESPONSE_START)}.")
        prompt = text[: cut + len(RESPONSE_START)]
        ids = list(tokenizer(text, add_special_tokens=True)["input_ids"])
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
