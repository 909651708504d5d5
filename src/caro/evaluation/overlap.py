"""Near-duplicate check between an evaluation set and the texts a model learned from.

An evaluation prompt that is (nearly) a training prompt or a built-in catalog phrasing measures recall,
not skill. Two prompts count as near-duplicates when, after lower-casing and dropping punctuation, their
word sets overlap by at least `jaccard` or their character sequences match by at least `ratio`, or when
the prompt fills in a catalog phrasing's placeholders ("show files in {dir}" matches "show files in src").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

_PROMPT_KEYS = ("prompt", "request", "instruction", "input", "question", "query", "nl")


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s{}]", " ", text.lower()).split())


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _clean(text).split() if not w.startswith("{"))


def _from_record(record: Any) -> Iterator[str]:
    """Prompts in one training record: a prompt-like field, or the user turns of a chat."""
    if not isinstance(record, dict):
        return
    for key in _PROMPT_KEYS:
        if isinstance(record.get(key), str):
            yield record[key]
            return
    messages = record.get("messages") or record.get("conversations")
    if isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict) and message.get("role", message.get("from")) in ("user", "human"):
                content = message.get("content", message.get("value"))
                if isinstance(content, str):
                    yield content


def _from_catalog(data: Any) -> Iterator[str]:
    """Phrasings in a catalog file: every string under a "say" list, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "say" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _from_catalog(value)
    elif isinstance(data, list):
        for item in data:
            yield from _from_catalog(item)


def prompts_in(path: Path) -> list[str]:
    """Prompts from a JSON Lines training set, or phrasings from a catalog JSON file or folder."""
    if path.is_dir():
        return [p for file in sorted(path.glob("*.json")) if not file.name.startswith("_") for p in prompts_in(file)]
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        found: list[str] = []
        for line in text.splitlines():
            if line.strip():
                try:
                    found.extend(_from_record(json.loads(line)))
                except ValueError:
                    continue
        return found
    return list(_from_catalog(json.loads(text)))


@dataclass(frozen=True)
class Match:
    prompt: str
    other: str
    how: str  # "template", "words 0.86", "chars 0.91"


def _template(phrase: str) -> re.Pattern[str] | None:
    """A catalog phrasing with placeholders -> a pattern matching it filled in (each fill one to three words)."""
    cleaned = _clean(phrase)
    parts = [p.strip() for p in re.split(r"\{[^}]*\}", cleaned)]
    if len(parts) < 2 or len(" ".join(parts).split()) < 3:
        return None  # no placeholder, or too little fixed text to mean anything
    fill = r"\s*(\S+(?: \S+){0,2})\s*"
    return re.compile(fill.join(re.escape(p) for p in parts))


def near_duplicates(prompts: Iterable[str], others: Iterable[str], *, jaccard: float = 0.8,
                    ratio: float = 0.9) -> list[Match]:
    """Every (prompt, other) pair that is a near-duplicate."""
    others = list(dict.fromkeys(others))
    indexed = [(o, _words(o), _clean(o), _template(o)) for o in others]
    found = []
    for prompt in prompts:
        words, cleaned = _words(prompt), _clean(prompt)
        for other, other_words, other_clean, template in indexed:
            if template is not None and template.fullmatch(cleaned):
                found.append(Match(prompt, other, "template"))
                continue
            union = words | other_words
            if not union:
                continue
            overlap = len(words & other_words) / len(union)
            if overlap >= jaccard:
                found.append(Match(prompt, other, f"words {overlap:.2f}"))
                continue
            if overlap >= 0.4:
                similar = SequenceMatcher(None, cleaned, other_clean).ratio()
                if similar >= ratio:
                    found.append(Match(prompt, other, f"chars {similar:.2f}"))
    return found
