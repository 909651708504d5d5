"""Loading the catalog data (src/caro/data/catalog/*.json) into intents with pre-tokenised phrasings."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.catalog.entities import normalise_formats
from caro.catalog.slots import has_type
from caro.catalog.text import Lexicon

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "catalog"
LEXICON_FILE = "_lexicon.json"
PLATFORM_KEYS = ("linux", "macos", "windows", "posix", "any")
LIGHT_WEIGHT = 0.4
GENERIC_WEIGHT = 0.8
ACTION_FACTOR = 2.0  # "delete" left unexplained (or unsaid) must sink a match
_SLOT_RE = re.compile(r"\{(\w+)(\?)?\}")
_PHRASE_TOKEN = re.compile(r"\{\w+\}|[A-Za-z0-9][A-Za-z0-9+_.-]*")


@dataclass(frozen=True)
class Anchor:
    """A phrasing word next to a slot: the prompt word matching it points at the slot's value."""

    surface: str
    concept: str | None


@dataclass
class Phrasing:
    text: str
    concepts: frozenset[str]
    words: frozenset[str]  # the content words as written (for one-word requests)
    slots: tuple[str, ...]
    anchors: dict[str, tuple[Anchor, ...]]  # slot -> the word before it
    after: dict[str, Anchor] = field(default_factory=dict)  # slot -> the word after it ("the {service} service")


@dataclass
class Intent:
    id: str
    domain: str
    phrasings: list[Phrasing]
    commands: dict[str, str]  # linux | macos | windows (PowerShell) | posix | any -> template
    explanation: str
    defaults: dict[str, str]
    slots: tuple[str, ...]  # every slot any template uses
    source: str = ""

    def required(self) -> set[str]:
        return {s for s in self.slots if s not in self.defaults}


@dataclass
class Catalog:
    intents: list[Intent]
    lexicon: Lexicon
    weights: dict[str, float] = field(default_factory=dict)
    index: dict[str, list[int]] = field(default_factory=dict)  # concept -> intents using it
    unseen_weight: float = 3.0


def template_slots(template: str) -> list[str]:
    """Slot names in a template; braces around other words ("%{http_code}") are literal text."""
    return [m.group(1) for m in _SLOT_RE.finditer(template) if has_type(m.group(1))]


def _phrasing(text: str, lexicon: Lexicon) -> Phrasing:
    concepts: list[str] = []
    words: list[str] = []
    slots: list[str] = []
    anchors: dict[str, tuple[Anchor, ...]] = {}
    before: list[Anchor] = []
    after: dict[str, Anchor] = {}
    pending: str | None = None
    for token in _PHRASE_TOKEN.findall(normalise_formats(text)):
        if token.startswith("{"):
            pending = token[1:-1]
            slot = token[1:-1]
            slots.append(slot)
            anchors[slot] = tuple(before[-1:])  # only the word right before the slot
            before = []
            continue
        word = token.lower()
        concept = None if lexicon.is_stopword(word) else lexicon.concept(word)
        if pending is not None:
            after[pending] = Anchor(word, concept)
            pending = None
        if concept is not None:
            concepts.append(concept)
            words.append(word)
        before.append(Anchor(word, concept))
    return Phrasing(text, frozenset(concepts), frozenset(words), tuple(slots), anchors, after)


def _intent(raw: dict[str, Any], domain: str, lexicon: Lexicon, source: str) -> Intent:
    commands = raw["cmd"] if isinstance(raw["cmd"], dict) else {"posix": raw["cmd"]}
    slots: list[str] = []
    for template in commands.values():
        for slot in template_slots(template):
            if slot not in slots:
                slots.append(slot)
    return Intent(
        id=raw["id"],
        domain=domain,
        phrasings=[_phrasing(p, lexicon) for p in raw["say"]],
        commands=dict(commands),
        explanation=raw.get("why", ""),
        defaults={k: str(v) for k, v in raw.get("defaults", {}).items()},
        slots=tuple(slots),
        source=source,
    )


def raw_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted(p for p in data_dir.glob("*.json") if p.name != LEXICON_FILE)


def load(data_dir: Path = DATA_DIR) -> Catalog:
    """Read the lexicon and every catalog file, and index the phrasings."""
    lexicon = Lexicon.from_data(json.loads((data_dir / LEXICON_FILE).read_text(encoding="utf-8")))
    documents = [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in raw_files(data_dir)]
    for _, document in documents:
        for raw in document["intents"]:
            for text in raw["say"]:
                words = _PHRASE_TOKEN.findall(normalise_formats(text))
                lexicon.known.update(w.lower() for w in words if not w.startswith("{"))
    intents = [
        _intent(raw, document.get("domain", name), lexicon, name)
        for name, document in documents
        for raw in document["intents"]
    ]
    catalog = Catalog(intents, lexicon)
    frequency: dict[str, int] = {}
    for number, intent in enumerate(intents):
        concepts = set().union(*(p.concepts for p in intent.phrasings))
        for concept in concepts:
            frequency[concept] = frequency.get(concept, 0) + 1
            catalog.index.setdefault(concept, []).append(number)
    total = len(intents)
    # Rare concepts ("docker", "dmesg") identify a task; common ones ("show", "file") barely do.
    catalog.weights = {c: min(4.0, max(0.5, math.log((total + 1) / (n + 0.5)))) for c, n in frequency.items()}
    for concept in lexicon.light:
        catalog.weights[concept] = LIGHT_WEIGHT
    for concept in lexicon.generic:
        catalog.weights[concept] = GENERIC_WEIGHT
    for concept in lexicon.actions:
        if concept in catalog.weights:
            catalog.weights[concept] = max(catalog.weights[concept], 2.0) * ACTION_FACTOR
    catalog.unseen_weight = 3.0
    return catalog
