"""Loading the catalog data (src/caro/data/catalog/*.json) into intents with pre-tokenised phrasings.

Tokenising ~1,400 phrasings takes tens of milliseconds, so the result is kept as one file in caro's
cache folder, named by a checksum of the data, this package's code and the Python version: a later
start reads it in about a millisecond (marshal, built into the interpreter: not even the json module
is imported), and any edit makes a new one.
"""

from __future__ import annotations

import marshal
import math
import os
import sys
import zlib

from caro.catalog.entities import Lazy, normalise_formats
from caro.catalog.slots import has_type
from caro.catalog.text import Lexicon

# No typing or pathlib at run time (pathlib brings urllib.parse and ipaddress): this module is on the
# start path of every catalog answer. Folders are plain strings; DATA_DIR, as a Path, is made on request.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Folder = str | os.PathLike[str]

_HERE = os.path.dirname(os.path.abspath(__file__))
DATA_FOLDER = os.path.join(os.path.dirname(_HERE), "data", "catalog")
LEXICON_FILE = "_lexicon.json"
PLATFORM_KEYS = ("linux", "macos", "windows", "posix", "any")
LIGHT_WEIGHT = 0.4
GENERIC_WEIGHT = 0.8
ACTION_FACTOR = 2.0  # "delete" left unexplained (or unsaid) must sink a match
_SLOT_RE = Lazy(r"\{(\w+)(\?)?\}")
_PHRASE_TOKEN = Lazy(r"\{\w+\}|\+?[A-Za-z0-9][A-Za-z0-9+_.-]*")


class Anchor:
    """A phrasing word next to a slot: the prompt word matching it points at the slot's value."""

    __slots__ = ("concept", "surface")

    def __init__(self, surface: str, concept: str | None) -> None:
        self.surface = surface
        self.concept = concept

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Phrasing:
    __slots__ = ("after", "anchors", "concepts", "required", "slots", "text", "words")

    def __init__(
        self,
        text: str,
        concepts: frozenset[str],
        words: frozenset[str],
        slots: tuple[str, ...],
        anchors: dict[str, tuple[Anchor, ...]],
        after: dict[str, Anchor] | None = None,
        required: frozenset[str] = frozenset(),
    ) -> None:
        self.text = text
        self.required = required  # concepts written "+word": a request must say them to match this phrasing
        self.concepts = concepts
        self.words = words  # the content words as written (for one-word requests)
        self.slots = slots
        self.anchors = anchors  # slot -> the word before it
        self.after: dict[str, Anchor] = (
            dict() if after is None else after
        )  # slot -> the word after it ("the {service} service")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Intent:
    __slots__ = ("commands", "defaults", "domain", "explanation", "id", "phrasings", "slots", "source")

    def __init__(
        self,
        id: str,
        domain: str,
        phrasings: list[Phrasing],
        commands: dict[str, str],
        explanation: str,
        defaults: dict[str, str],
        slots: tuple[str, ...],
        source: str = "",
    ) -> None:
        self.id = id
        self.domain = domain
        self.phrasings = phrasings
        self.commands = commands  # linux | macos | windows (PowerShell) | posix | any -> template
        self.explanation = explanation
        self.defaults = defaults
        self.slots = slots  # every slot any template uses
        self.source = source

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def required(self) -> set[str]:
        return {s for s in self.slots if s not in self.defaults}


class Catalog:
    """Intents, lexicon, concept weights and the concept -> intents index. Intents read from the cache
    are built on first use: one match touches a few dozen of several hundred."""

    __slots__ = ("_frozen", "_intents", "index", "lexicon", "unseen_weight", "weights")

    def __init__(
        self,
        intents: list[Intent | None],
        lexicon: Lexicon,
        weights: dict[str, float] | None = None,
        index: dict[str, list[int] | str] | None = None,
        unseen_weight: float = 3.0,
        frozen: list[bytes] | None = None,
    ) -> None:
        self._intents = intents
        self._frozen = frozen
        self.lexicon = lexicon
        self.weights: dict[str, float] = dict() if weights is None else weights
        # concept -> intents using it; from the cache as "3 17 42", turned into numbers on first use
        self.index: dict[str, list[int] | str] = dict() if index is None else index
        self.unseen_weight = unseen_weight

    def __repr__(self) -> str:
        return f"Catalog({len(self._intents)} intents)"

    def using(self, concept: str) -> list[int]:
        """The intents whose phrasings use this concept."""
        found = self.index.get(concept, [])
        if isinstance(found, str):
            found = self.index[concept] = [int(n) for n in found.split()]
        return found

    def __len__(self) -> int:
        return len(self._intents)

    def intent(self, number: int) -> Intent:
        found = self._intents[number]
        if found is None:
            assert self._frozen is not None
            found = self._intents[number] = _thaw_intent(self._frozen[number])
        return found

    @property
    def intents(self) -> list[Intent]:
        return [self.intent(n) for n in range(len(self._intents))]


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
    required: list[str] = []
    for token in _PHRASE_TOKEN.compiled.findall(normalise_formats(text)):
        must = token.startswith("+")
        token = token.lstrip("+")
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
            if must:
                required.append(concept)
        before.append(Anchor(word, concept))
    return Phrasing(
        text.replace("+", ""), frozenset(concepts), frozenset(words), tuple(slots), anchors, after, frozenset(required)
    )


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


def __getattr__(name: str) -> Any:
    """DATA_DIR: the data folder as a Path, for callers that want one (pathlib is imported only then)."""
    if name == "DATA_DIR":
        from pathlib import Path

        return Path(DATA_FOLDER)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _files(folder: str, suffix: str) -> list[str]:
    """The files in `folder` whose names end in `suffix`, full paths, sorted by name."""
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(suffix)]


def raw_files(data_dir: Folder = DATA_FOLDER) -> list[str]:
    return [p for p in _files(os.fspath(data_dir), ".json") if os.path.basename(p) != LEXICON_FILE]


def signature(data_dir: Folder = DATA_FOLDER) -> str:
    """A checksum of the names, sizes and modification times of the catalog data and of the code that
    compiles it: any edit makes a new cache file, and nothing is read to find out."""
    # crc32 from zlib: hashlib's OpenSSL import alone costs more than the whole check.
    facts = []
    for path in [os.path.join(data_dir, LEXICON_FILE), *raw_files(data_dir), *_files(_HERE, ".py")]:
        stat = os.stat(path)
        facts.append(f"{os.path.basename(path)}:{stat.st_size}:{stat.st_mtime_ns}")
    facts.append(f"{sys.version_info[:3]}:{marshal.version}")  # marshal's format follows Python's
    return f"{zlib.crc32(chr(10).join(facts).encode()):08x}"


def load(data_dir: Folder = DATA_FOLDER, cache_dir: Folder | None = None) -> Catalog:
    """The compiled catalog: from the cache when it matches the data, else compiled (and cached)."""
    if cache_dir is None:
        return compile_catalog(data_dir)
    path = os.path.join(cache_dir, f"catalog-{signature(data_dir)}.bin")
    try:
        with open(path, "rb") as handle:
            return _thaw(marshal.loads(handle.read()))
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        pass
    catalog = compile_catalog(data_dir)
    from caro.config import write_cache

    if write_cache(path, marshal.dumps(_freeze(catalog))):
        try:
            _prune(os.fspath(cache_dir))
        except OSError:
            pass  # another caro pruned at the same time
    return catalog


KEEP_CACHES = 4


def _prune(cache_dir: str) -> None:
    """Remove all but the KEEP_CACHES newest catalog files: each edit or upgrade writes a new one (about
    350 kB), and a few are kept so that two installations sharing a home do not rebuild in turn."""
    files = [os.path.join(cache_dir, n) for n in os.listdir(cache_dir) if n.startswith("catalog-") and n.endswith(".bin")]
    files.sort(key=os.path.getmtime, reverse=True)
    for stale in files[KEEP_CACHES:]:
        os.remove(stale)


def _anchor_out(a: Anchor) -> list[str | None]:
    return [a.surface, a.concept]


def _freeze(catalog: Catalog) -> dict[str, Any]:
    lexicon = catalog.lexicon
    return {
        "lexicon": {
            # Many small objects are what costs when loading: join word lists, marshal each intent apart.
            "stopwords": "\n".join(sorted(lexicon.stopwords)),
            "synonyms": lexicon.synonyms,
            "contractions": lexicon.contractions,
            "questions": lexicon.questions,
            "negations": sorted(lexicon.negations),
            "light": sorted(lexicon.light),
            "actions": sorted(lexicon.actions),
            "generic": sorted(lexicon.generic),
            "known": "\n".join(sorted(lexicon.known)),
            "stem_synonyms": lexicon.stem_synonyms,
        },
        # Each intent as a dict of plain values, made into objects when a match first needs it.
        "intents": [
            marshal.dumps(
                {
                    "id": i.id,
                    "domain": i.domain,
                    "commands": i.commands,
                    "explanation": i.explanation,
                    "defaults": i.defaults,
                    "slots": i.slots,
                    "source": i.source,
                    "phrasings": [
                        [
                            p.text,
                            sorted(p.concepts),
                            sorted(p.words),
                            p.slots,
                            {s: [_anchor_out(a) for a in anchors] for s, anchors in p.anchors.items()},
                            {s: _anchor_out(a) for s, a in p.after.items()},
                            sorted(p.required),
                        ]
                        for p in i.phrasings
                    ],
                }
            )
            for i in catalog.intents
        ],
        "weights": catalog.weights,
        "index": {c: " ".join(map(str, numbers)) for c, numbers in catalog.index.items()},
        "unseen_weight": catalog.unseen_weight,
    }


def _thaw(data: dict[str, Any]) -> Catalog:
    raw = data["lexicon"]
    lexicon = Lexicon(
        stopwords=frozenset(raw["stopwords"].split("\n")),
        synonyms=raw["synonyms"],
        contractions=raw["contractions"],
        questions=raw["questions"],
        negations=frozenset(raw["negations"]),
        light=frozenset(raw["light"]),
        actions=frozenset(raw["actions"]),
        generic=frozenset(raw["generic"]),
        known=set(raw["known"].split("\n")),
    )
    lexicon.stem_synonyms = raw["stem_synonyms"]
    frozen: list[bytes] = data["intents"]
    return Catalog(
        [None] * len(frozen), lexicon, data["weights"], data["index"], data["unseen_weight"], frozen
    )


def _thaw_intent(frozen: bytes) -> Intent:
    i = marshal.loads(frozen)
    return Intent(
        id=i["id"],
        domain=i["domain"],
        commands=i["commands"],
        explanation=i["explanation"],
        defaults=i["defaults"],
        slots=tuple(i["slots"]),
        source=i["source"],
        phrasings=[
            Phrasing(
                text,
                frozenset(concepts),
                frozenset(words),
                tuple(slots),
                {s: tuple(Anchor(*a) for a in anchors) for s, anchors in before.items()},
                {s: Anchor(*a) for s, a in after.items()},
                frozenset(required),
            )
            for text, concepts, words, slots, before, after, required in i["phrasings"]
        ],
    )


def _read_json(path: str) -> Any:
    import json

    with open(path, encoding="utf-8") as handle:
        return json.loads(handle.read())


def compile_catalog(data_dir: Folder = DATA_FOLDER) -> Catalog:
    """Read the lexicon and every catalog file, and index the phrasings."""
    lexicon = Lexicon.from_data(_read_json(os.path.join(data_dir, LEXICON_FILE)))
    documents = [(os.path.basename(path), _read_json(path)) for path in raw_files(data_dir)]
    for _, document in documents:
        for raw in document["intents"]:
            for text in raw["say"]:
                words = _PHRASE_TOKEN.compiled.findall(normalise_formats(text))
                lexicon.known.update(w.lower().lstrip("+") for w in words if not w.startswith("{"))
    intents = [
        _intent(raw, document.get("domain", name), lexicon, name)
        for name, document in documents
        for raw in document["intents"]
    ]
    catalog = Catalog(list(intents), lexicon)
    frequency: dict[str, int] = {}
    for number, intent in enumerate(intents):
        concepts = set().union(*(p.concepts for p in intent.phrasings))
        for concept in concepts:
            frequency[concept] = frequency.get(concept, 0) + 1
            catalog.index.setdefault(concept, []).append(number)  # type: ignore[union-attr]
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
