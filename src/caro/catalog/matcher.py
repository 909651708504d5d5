"""Matching a prompt to a catalog intent, filling its slots, and rendering the command.

Scoring is a weighted overlap between the prompt's concepts and each phrasing's, in both directions:
recall (how much of the phrasing the prompt says) and precision (how much of the prompt the phrasing
explains, slot values included). An answer needs a high harmonic mean, a clear lead over the next
intent with a different command, and every required slot filled; anything less declines.
"""

from __future__ import annotations

import itertools

from caro import patterns as rx
from caro.catalog import accounting
from caro.catalog.entities import PLACING, Entity, Item, Lazy, Word, analyse
from caro.catalog.literal import literal
from caro.catalog.slots import (
    SLOT_GROUPS,
    SPECIFIC_KINDS,
    SYSTEM_FILES,
    has_type,
    quote_posix,
    quote_powershell,
    slot_type,
    system_folder,
    value_of,
)
from caro.catalog.store import Anchor, Catalog, Intent, Phrasing

TYPE_CHECKING = False  # not typing's: this module is on the catalog's start path
if TYPE_CHECKING:
    from caro.context import Context

THRESHOLD = 0.8  # least harmonic mean of recall and precision to answer
MARGIN = 0.06  # least lead over the best intent with a different command
PERFECT_MARGIN = 0.03
SLOT_WEIGHT = 2.5
BETA = 1.5
PRECISION_FLOOR = 0.8
ANCHOR_WEIGHT = 1.5  # least weight of a concept that may anchor a slot through a synonym
ENTITY_WEIGHTS = {"word": 3.0, "quoted": 2.5, "num": 2.5}
ENTITY_WEIGHT = 2.5
MIN_CONCEPT_HIT = 2.0  # least weight of prompt concepts a phrasing must share: slots alone never decide
# ...unless two or more values carry the request: "grep 'a b' in app.log" says little besides them.
MIN_CONCEPT_HIT_MULTI = 0.8


def _least_hit(phrasing: Phrasing, analysis: Analysis | None = None) -> float:
    if analysis is not None and _shows_a_place(phrasing, analysis):
        return 0.0
    return MIN_CONCEPT_HIT if len(phrasing.slots) < 2 else MIN_CONCEPT_HIT_MULTI


def _shows_a_place(phrasing: Phrasing, analysis: Analysis) -> bool:
    """ "print readme.md", "show /etc/hosts": a bare "show" and one file or folder name carry the whole
    request, when the phrasing says nothing else and the prompt holds nothing else."""
    if not (
        phrasing.concepts == {"show"}
        and len(phrasing.slots) == 1
        and set(analysis.concepts) == {"show"}
        and len(analysis.entities) == 1
    ):
        return False
    entity = analysis.entities[0]
    slot_kind = slot_type(phrasing.slots[0])
    if slot_kind is slot_type("dir"):
        return entity.kind == "dir" or (entity.kind == "path" and system_folder(entity.value))
    if slot_kind is slot_type("file"):
        # A name with an extension, or a well-known file: "/var/log" could be a folder, so not cat.
        base = entity.value.rstrip("/").rsplit("/", 1)[-1]
        return entity.kind == "file" or (
            entity.kind == "path" and not entity.value.endswith("/") and ("." in base[1:] or entity.value in SYSTEM_FILES)
        )
    return False


FILLER_WEIGHT = 0.4
NEGATION_WEIGHT = 8.0  # "not", "without", "except": an unexplained negation changes the task
# Words that never name a thing, even right after an anchor ("install all", "kill every").
_NOT_NAMES = frozenset(
    {
        # Words that carve out an exception: "kill every process except bash" names no process "except".
        "except",
        "excluding",
        "exclude",
        "without",
        "but",
        "besides",
        "apart",
        "all",
        "every",
        "each",
        "some",
        "run",
        "running",
        "new",
        "current",
        "other",
        "same",
        "this",
        "that",
        "it",
        "them",
        "file",
        "files",
        "folder",
        "directory",
        "process",
        "processes",
        "container",
        "containers",
        "image",
        "images",
        "package",
        "packages",
        "something",
        "everything",
        "anything",
        "nothing",
        "pip",
        "npm",
        "brew",
        "apt",
        "winget",
        "app",
        "apps",
        "programs",
        "software",
        "applications",
        "tools",
        "updates",
        "stuff",
        "pid",
        "port",
        "service",
        "user",
        "group",
        # Plural nouns name kinds of things, never one thing: "find all directories", "kill all jobs".
        "directories",
        "dirs",
        "folders",
        "subdirectories",
        "subfolders",
        "symlinks",
        "links",
        "executables",
        "lines",
        "words",
        "jobs",
        "job",
        "background",
        "space",
        "spaces",
        "whitespace",
        "tabs",
        "newlines",
        "blank",
        "foreground",
        "zombie",
        "idle",
        "stuck",
        "hung",
        "tasks",
        "users",
        "groups",
        "services",
        "ports",
        "branches",
        "commits",
        "tags",
        *PLACING,
        # The machine and its parts, said as common nouns: "where the shell looks for programs".
        "shell",
        "system",
        "computer",
        "machine",
        "terminal",
        # "hidden files too": words that add to the task, never a name.
        "too",
        "also",
    }
)
# Verbs too general to introduce text to search for: "find suspicious files" names no search text.
_GENERIC_VERBS = frozenset({"find", "search", "show", "list", "display", "locate", "look", "get", "print"})
_DESCRIBING = Lazy(r"(?:ed|ly)$")
# Words that say what state or role a thing is in, not which one it is: "kill the stuck process",
# "stop the database container" name no process or container.
_DESCRIPTORS = frozenset(
    {
        "stuck", "hung", "hanging", "frozen", "broken", "dead", "idle", "busy", "slow", "bad", "wrong",
        "old", "new", "temp", "big", "small", "huge", "rogue", "runaway", "zombie",
        "orphan", "crashed", "failing", "failed", "unresponsive", "unused", "latest", "previous",
        "database", "server", "webserver", "application", "backend", "frontend", "whole", "entire",
    }
)
_DESCRIBED = Lazy(r"^[a-z]{3,}ed$")


def _describes(entity: Entity) -> bool:
    """An unquoted word that describes rather than names ("stuck", "frozen", "database")."""
    if entity.kind != "word" or entity.named:
        return False
    word = entity.value.lower()
    return word in _DESCRIPTORS or _DESCRIBED.match(word) is not None
_ARTICLES = frozenset(
    {
        "the",
        "a",
        "an",
        "called",
        "named",
        "my",
        "this",
        "word",
        "string",
        "term",
        "phrase",
        "with",
        "name",
        "id",
    }
)
_SLOT_ANY = Lazy(r" ?\{(\w+)(\?)\}|\{(\w+)\}")
_SLOT = Lazy(r"\{(\w+)\}")


class Candidate:
    __slots__ = ("intent", "phrasing", "precision", "recall", "score", "unaccounted", "values")

    def __init__(
        self,
        intent: Intent,
        score: float,
        recall: float,
        precision: float,
        phrasing: Phrasing,
        values: dict[str, Entity] | None = None,
        unaccounted: tuple[str, ...] = (),
    ) -> None:
        self.intent = intent
        self.unaccounted = unaccounted  # request words neither the phrasing nor a value accounts for
        self.score = score
        self.recall = recall
        self.precision = precision
        self.phrasing = phrasing
        self.values: dict[str, Entity] = dict() if values is None else values

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Match:
    """A confident answer: the intent, the rendered command and its explanation."""

    __slots__ = ("command", "explanation", "intent_id", "score")

    def __init__(self, intent_id: str, command: str, explanation: str, score: float) -> None:
        self.intent_id = intent_id
        self.command = command
        self.explanation = explanation
        self.score = score

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Analysis:
    __slots__ = ("concepts", "entities", "items", "negations")

    def __init__(
        self, items: list[Item], concepts: dict[str, float], entities: list[Entity], negations: set[str]
    ) -> None:
        self.items = items
        self.concepts = concepts  # prompt concept -> weight
        self.entities = entities
        self.negations = negations

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


def analyse_prompt(prompt: str, catalog: Catalog) -> Analysis:
    items = analyse(prompt, catalog.lexicon)
    concepts: dict[str, float] = {}
    negations: set[str] = set()
    for position, item in enumerate(items):
        if isinstance(item, Word) and item.concept is not None:
            weight = catalog.weights.get(item.concept, catalog.unseen_weight)
            if item.text in catalog.lexicon.negations:
                weight = NEGATION_WEIGHT
                negations.add(item.concept)
            elif item.concept in accounting.FILLER or accounting.emphasises_number(items, position):
                weight = min(weight, FILLER_WEIGHT)  # "all", "whole", "only 15": emphasis, not a task
            concepts[item.concept] = weight
    entities = [item for item in items if isinstance(item, Entity)]
    return Analysis(items, concepts, entities, negations)


def _pick(slot: str, entities: list[Entity], used: set[int], by_position: bool) -> int | None:
    kind = slot_type(slot)
    best: tuple[int, int] | None = None
    folder = slot_type(slot) is slot_type("dir")
    for number, entity in enumerate(entities):
        if number in used or entity.kind not in kind.kinds or not kind.check(entity):
            continue
        if entity.kind in ("word", "var") and entity.after_in and not folder:
            continue  # "in src", "in $OUT": a folder, not a file, process or package
        if entity.kind == "word" and entity.after_in != folder:
            continue  # "in src" names a folder; other bare words name files, processes, packages
        if entity.kind == "quoted" and entity.after_in and not folder:
            continue
        key = (0 if by_position else kind.kinds.index(entity.kind), number)
        if best is None or key < best:
            best = key
    return None if best is None else best[1]


def _nameable(word: Word, phrasing: Phrasing, catalog: Catalog) -> bool:
    """Whether a known word may be read as a name; verbs and common words are part of the request."""
    return not (
        word.concept is None
        or word.concept in phrasing.concepts
        or word.text in _NOT_NAMES
        or word.text in _DESCRIPTORS
        or word.raw.lower() in _DESCRIPTORS
        or _DESCRIBING.search(word.text) is not None  # "users logged in": a description, not a name
        or word.concept in catalog.lexicon.actions
        or (catalog.weights.get(word.concept, 4.0) < 1.0 and word.concept not in catalog.lexicon.light)
    )


def _matches(item: Item, anchor: Anchor, catalog: Catalog) -> bool:
    # Same word, or a synonym when that concept is specific enough ("uninstall" for "remove").
    if not isinstance(item, Word):
        return False
    if item.text == anchor.surface:
        return True
    if item.text.endswith("ed"):
        return False  # "installed apps" describes; only a verb ("install", "add") points at a name
    return (
        anchor.concept is not None
        and item.concept == anchor.concept
        and (catalog.weights.get(anchor.concept, 0.0) >= ANCHOR_WEIGHT)
    )


_KIND_NOUNS = frozenset(
    {
        "service",
        "container",
        "process",
        "package",
        "branch",
        "pod",
        "deployment",
        "image",
        "user",
        "group",
        "namespace",
        "program",
        "app",
        "library",
        "module",
        "tag",
        "remote",
    }
)


def _generic_noun(items: list[Item], position: int, anchor: int) -> bool:
    """A value after "the"/"a" that ends the request names a kind of thing ("kill the server"); a name
    comes bare ("kill firefox") or with its kind after it ("stop the redis container")."""
    between = items[anchor + 1 : position]
    if not any(isinstance(i, Word) and i.text in ("the", "a", "an", "my", "this") for i in between):
        return False
    rest = [i for i in items[position + 1 :] if not (isinstance(i, Word) and i.concept is None)]
    return not rest or not (isinstance(rest[0], Word) and rest[0].text.rstrip("s") in _KIND_NOUNS)


_PLURAL_KINDS = frozenset({f"{noun}s" for noun in _KIND_NOUNS} | {"files", "folders", "directories", "processes"})


def _describes_kind(items: list[Item], position: int) -> bool:
    after = items[position + 1] if position + 1 < len(items) else None
    return isinstance(after, Word) and after.text in _PLURAL_KINDS


def _anchored(
    slot: str, phrasing: Phrasing, analysis: Analysis, taken: set[int], catalog: Catalog
) -> tuple[int, Entity] | None:
    """A word next to the phrasing's anchor word: "install {package}" + "install htop",
    "restart the {service} service" + "restart the nginx service". Names are only taken from there
    (or from quotes): an unknown word elsewhere in the prompt is not a name, just an unknown word."""
    kind = slot_type(slot)
    items = analysis.items
    searched = kind in (slot_type("pattern"), slot_type("text"))
    afters = [a for a in (phrasing.after.get(slot),) if a is not None and a.concept is not None]
    # "stop the container {container}" also reads "stop the redis container": a kind noun before the
    # slot in the phrasing may come after the name in the prompt.
    afters += [a for a in phrasing.anchors.get(slot, ()) if a.surface.rstrip("s") in _KIND_NOUNS]
    for after in afters:
        for position in range(1, len(items)):
            previous = items[position - 1]
            if not _matches(items[position], after, catalog) or position - 1 in taken:
                continue
            here = items[position]
            before = items[position - 2] if position >= 2 else None
            if isinstance(before, Word) and before.text in ("a", "an", "any", "some", "every", "each"):
                continue  # "a given user": no particular one, so no name
            plural = isinstance(here, Word) and here.text in _PLURAL_KINDS
            if plural and after.surface not in _PLURAL_KINDS:
                continue  # "nonexistent users": a description of many, not the name of one
            if isinstance(previous, Entity) and previous.kind == "word" and kind.check(previous):
                if _describes(previous):
                    break  # "the stuck process": a state, not a name
                return position - 1, previous
            if isinstance(previous, Word) and _nameable(previous, phrasing, catalog) and not searched:
                entity = Entity("word", previous.raw, concept=previous.concept)
                if kind.check(entity):
                    return position - 1, entity
    for anchor in phrasing.anchors.get(slot, ()):
        # Same word, or a synonym when that concept is specific enough ("uninstall" for "remove").
        for position, item in enumerate(items):
            if not _matches(item, anchor, catalog):
                continue
            if searched and isinstance(item, Word) and item.text in _GENERIC_VERBS:
                continue  # "find suspicious files": no text to search for, only a description
            if isinstance(item, Word) and item.text in _PLURAL_KINDS and anchor.surface not in _PLURAL_KINDS:
                continue  # "the groups these users belong to": many users, no name after them
            for follower_pos in range(position + 1, min(position + 4, len(analysis.items))):
                follower = analysis.items[follower_pos]
                if _generic_noun(analysis.items, follower_pos, position):
                    break  # "kill the server": a kind of thing, not the name of one
                said_after = phrasing.after.get(slot)
                if _describes_kind(analysis.items, follower_pos) and not (
                    said_after and said_after.surface in _PLURAL_KINDS
                ):
                    break  # "nonexistent users", "all jobs": a description of things, not a name
                if isinstance(follower, Entity):
                    if follower.kind == "word" and follower_pos not in taken and kind.check(follower):
                        if _describes(follower):
                            break  # "kill frozen apps": a state, not a name
                        return follower_pos, follower  # an unknown word right after the anchor: a name
                    break
                if follower.text in _ARTICLES:
                    continue  # "install the git package", "kill the python process"
                if follower_pos in taken or not _nameable(follower, phrasing, catalog):
                    break
                entity = Entity("word", follower.raw, concept=follower.concept)
                if kind.check(entity):
                    return follower_pos, entity
                break
    return None


_SAME_PREPOSITION = {"into": "to", "onto": "to", "inside": "in", "within": "in", "under": "in", "named": "called"}
# Words that say which role the value after them plays ("to X", "from X", "named X").
_PREPOSITIONS = frozenset(
    {"to", "from", "into", "in", "on", "as", "for", "by", "onto", "inside", "under", "at", "named", "called"}
)


def _preposition_clash(slot: str, phrasing: Phrasing, analysis: Analysis, entity: Entity) -> bool:
    wanted = phrasing.anchors.get(slot, ())
    if not wanted or wanted[0].surface not in _PREPOSITIONS:
        return False
    position = next(i for i, item in enumerate(analysis.items) if item is entity)
    previous = analysis.items[position - 1] if position else None
    if not isinstance(previous, Word) or previous.text not in _PREPOSITIONS:
        return False
    return _SAME_PREPOSITION.get(previous.text, previous.text) != _SAME_PREPOSITION.get(
        wanted[0].surface, wanted[0].surface
    )


class Filling:
    """The slot values a phrasing takes from the prompt, and what they account for."""

    __slots__ = ("explained", "filled", "taken_words", "used", "values")

    def __init__(self) -> None:
        self.values: dict[str, Entity] = {}
        self.used: set[int] = set()  # entity numbers given to a slot
        self.explained: set[str] = set()  # prompt concepts explained by slot values
        self.filled = 0.0  # phrasing slots filled (a doubtful value counts half)
        self.taken_words: set[int] = set()  # item positions read as names


def _fill_from_entities(slot: str, shared: bool, analysis: Analysis, filling: Filling, phrasing: Phrasing) -> bool:
    kind = slot_type(slot)
    entities = analysis.entities
    # Names and patterns take unknown words only next to an anchor ("kill firefox", "search for
    # foo"): see _anchored. A stray unknown word is not a value, just an unknown word.
    pool = [Entity("-", "") if kind.anchored and e.kind == "word" else e for e in entities]
    number = _pick(slot, pool, filling.used, shared)
    if number is None:
        return False
    filling.used.add(number)
    filling.values[slot] = entities[number]
    # "copy X from HOST" is not "copy X to HOST": a different preposition halves the slot.
    filling.filled += 0.5 if _preposition_clash(slot, phrasing, analysis, entities[number]) else 1
    return True


def _fill_from_anchor(slot: str, phrasing: Phrasing, analysis: Analysis, filling: Filling, catalog: Catalog) -> None:
    found = _anchored(slot, phrasing, analysis, filling.taken_words, catalog)
    if found is None:
        return
    position, entity = found
    filling.taken_words.add(position)
    filling.values[slot] = entity
    back = position - 1  # "the word X", "the string X": the skipped words are explained too
    while back >= 0:
        skipped = analysis.items[back]
        if not isinstance(skipped, Word) or skipped.text not in _ARTICLES:
            break
        if skipped.concept:
            filling.explained.add(skipped.concept)
        back -= 1
    own = next((n for n, e in enumerate(analysis.entities) if e is entity), None)
    if own is not None:
        filling.used.add(own)
        filling.filled += 1
    elif entity.concept and entity.concept not in catalog.lexicon.light:
        filling.explained.add(entity.concept)
        filling.filled += 0.5  # a catalog word read as a name ("install git"): likely, not certain
    else:
        filling.filled += 1


def _fill_phrasing_slots(phrasing: Phrasing, analysis: Analysis, catalog: Catalog) -> Filling:
    """Values for the slots the phrasing says, in its order; values read backwards cost a slot each."""
    filling = Filling()
    types = [slot_type(s) for s in phrasing.slots]
    for slot, kind in zip(phrasing.slots, types, strict=True):
        shared = types.count(kind) > 1 or any(
            set(kind.kinds) & set(other.kinds) for other in types if other is not kind
        )
        if not _fill_from_entities(slot, shared, analysis, filling, phrasing) and kind.anchored:
            _fill_from_anchor(slot, phrasing, analysis, filling, catalog)
    # Values must come in the phrasing's order: "copy {folder} to {dst}" read from "copy a.txt to b/"
    # backwards is a worse reading, not an equal one.
    entities = analysis.entities
    order = [
        next(n for n, e in enumerate(entities) if e is filling.values[s])
        for s in phrasing.slots
        if s in filling.values and any(e is filling.values[s] for e in entities)
    ]
    filling.filled -= sum(1 for a, b in itertools.pairwise(order) if a > b)
    return filling


def _fill_unsaid_slots(intent: Intent, phrasing: Phrasing, analysis: Analysis, filling: Filling) -> None:
    """Optional slots the phrasing does not say take only telling values ("... in /var/log", "over 1GB");
    one duration fills {age}, {minutes} and {days}, one size {size} and {bytes}."""
    entities = analysis.entities
    for slot in intent.slots:
        if slot in filling.values or slot in phrasing.slots:
            continue
        pool = [
            e
            if (e.kind in SPECIFIC_KINDS and e.kind != "quoted") or (e.kind in ("word", "quoted") and e.after_in)
            else Entity("-", "")
            for e in entities
        ]
        number = _pick(slot, pool, filling.used, False)
        if number is not None:
            filling.used.add(number)
            filling.values[slot] = entities[number]
    for slot in intent.slots:
        if slot not in filling.values:
            group = SLOT_GROUPS.get(slot)
            source = next((v for s, v in filling.values.items() if group and SLOT_GROUPS.get(s) == group), None)
            if source is not None:
                filling.values[slot] = source
    for number in filling.used:
        entity = entities[number]
        filling.explained.update(entity.absorbed)
        if entity.concept:
            filling.explained.add(entity.concept)


def _recall(phrasing: Phrasing, analysis: Analysis, filling: Filling, catalog: Catalog) -> float:
    """How much of the phrasing the prompt says."""
    weights = catalog.weights
    wanted = sum(weights.get(c, 1.0) for c in phrasing.concepts) + SLOT_WEIGHT * len(phrasing.slots)
    hit = sum(weights.get(c, 1.0) for c in phrasing.concepts if c in analysis.concepts)
    recall = (hit + SLOT_WEIGHT * filling.filled) / wanted if wanted else 0.0
    least = _least_hit(phrasing, analysis)
    if hit < least:
        recall = min(recall, hit / least)
    return recall


def _precision(intent: Intent, phrasing: Phrasing, analysis: Analysis, filling: Filling) -> float:
    """How much of the prompt the phrasing explains, slot values included."""
    said = covered = 0.0
    implied = accounting.implied(intent)
    for concept, weight in analysis.concepts.items():
        said += weight
        if concept in phrasing.concepts or concept in filling.explained or concept in implied:
            covered += weight
    for number, entity in enumerate(analysis.entities):
        if entity.implied:
            continue
        weight = ENTITY_WEIGHTS.get(entity.kind, ENTITY_WEIGHT)
        said += weight
        if number in filling.used or accounting.said_by(entity, phrasing):
            covered += weight
    return covered / said if said else 0.0


def _f_beta(recall: float, precision: float) -> float:
    """F-beta with beta > 1: a phrasing word the prompt does not say costs more than an extra prompt word."""
    beta2 = BETA * BETA
    harmonic = (1 + beta2) * recall * precision / (beta2 * precision + recall) if recall + precision else 0.0
    if precision < PRECISION_FLOOR:
        harmonic = min(harmonic, precision)  # a fifth of the request unexplained: not this intent
    return harmonic


def score(intent: Intent, phrasing: Phrasing, analysis: Analysis, catalog: Catalog) -> Candidate:
    filling = _fill_phrasing_slots(phrasing, analysis, catalog)
    _fill_unsaid_slots(intent, phrasing, analysis, filling)
    recall = _recall(phrasing, analysis, filling, catalog)
    precision = _precision(intent, phrasing, analysis, filling)
    left = accounting.unaccounted(intent, phrasing, analysis, filling, catalog)
    return Candidate(intent, _f_beta(recall, precision), recall, precision, phrasing, filling.values, left)


def _hopeless(phrasing: Phrasing, analysis: Analysis, weights: dict[str, float]) -> bool:
    """True when even with every slot filled and every prompt word explained this phrasing scores too
    low to answer or to rival an answer; skipping it keeps matching within a few milliseconds."""
    wanted = SLOT_WEIGHT * len(phrasing.slots)
    hit = 0.0
    for concept in phrasing.concepts:
        weight = weights.get(concept, 1.0)
        wanted += weight
        if concept in analysis.concepts:
            hit += weight
    if not wanted:
        return True
    recall = (hit + SLOT_WEIGHT * len(phrasing.slots)) / wanted
    least = _least_hit(phrasing, analysis)
    if hit < least:
        recall = min(recall, hit / least)
    beta2 = BETA * BETA
    best = (1 + beta2) * recall / (beta2 + recall) if recall else 0.0
    return best < THRESHOLD - MARGIN


def candidates(analysis: Analysis, catalog: Catalog) -> list[Candidate]:
    """Every intent sharing a concept with the prompt, best phrasing each, best first."""
    # Intents sharing a telling concept first; "show" alone would drag in most of the catalog.
    telling = [c for c, w in analysis.concepts.items() if catalog.weights.get(c, 4.0) >= 1.0]
    found = _read(_using(telling or list(analysis.concepts), catalog), analysis, catalog)
    if telling and len(telling) < len(analysis.concepts) and not any(c.score >= THRESHOLD for c in found):
        # "search for TODO in main.py": the task is in the general verb, the telling word is a value.
        found = _read(_using(list(analysis.concepts), catalog), analysis, catalog)
    return found


def _using(concepts: list[str], catalog: Catalog) -> set[int]:
    numbers: set[int] = set()
    for concept in concepts:
        numbers.update(catalog.using(concept))
    return numbers


def _read(numbers: set[int], analysis: Analysis, catalog: Catalog) -> list[Candidate]:
    found: list[Candidate] = []
    for number in numbers:
        intent = catalog.intent(number)
        hopeful = [p for p in intent.phrasings if not _hopeless(p, analysis, catalog.weights)]
        if hopeful:
            # The best reading of each intent: one that accounts for every word first, then by score.
            scored = (score(intent, p, analysis, catalog) for p in hopeful)
            found.append(max(scored, key=lambda c: (not c.unaccounted, c.score)))
    found.sort(key=lambda c: c.score, reverse=True)
    return found


def template_for(intent: Intent, context: Context) -> tuple[str, str] | None:
    """(template, family) for where the command runs; family is posix, powershell or any."""
    commands = intent.commands
    if context.shell in ("powershell", "cmd"):
        if "windows" in commands:
            return commands["windows"], "powershell"
        return (commands["any"], "any") if "any" in commands else None
    platform = "macos" if context.platform == "macos" else "linux"
    for key in (platform, "posix", "any"):
        if key in commands:
            return commands[key], "posix"
    return None


def _quote(value: str, slot: str, family: str, shell: str, shell_glob: bool = False) -> str | None:
    """The value quoted for the shell, or None when it cannot be written safely (then: decline)."""
    if value.startswith("-") and slot_type(slot).build is None:
        return None  # "-rf" as a pattern or file name would be read as an option
    if family != "posix" and value.startswith("$"):
        return None  # a POSIX variable means nothing to PowerShell or cmd
    if shell == "cmd" and ('"' in value or "%" in value):
        return None  # cmd expands %VAR% even inside quotes, and a quote would end the wrapped command
    if family == "powershell" or (family == "any" and shell == "powershell"):
        return quote_powershell(value, slot)
    if family == "any" and shell == "cmd":
        if rx.match(r"^[\w.:/\\@+~-]+$", value):
            return value
        return f'"{value}"'
    return quote_posix(value, slot, shell_glob)


_PLACE_NAMES = {".": "the current folder", "..": "the parent folder", "~": "your home folder"}


def render(candidate: Candidate, context: Context) -> tuple[str, str] | None:
    """The command and explanation, or None when this platform has no template or a slot is empty."""
    intent = candidate.intent
    chosen = template_for(intent, context)
    if chosen is None:
        return None
    template, family = chosen
    raw: dict[str, str] = {}
    shown: dict[str, str] = {}
    for slot in intent.slots:
        entity = candidate.values.get(slot)
        if entity is not None:
            raw[slot] = value_of(slot, entity)
            shown[slot] = entity.value if entity.kind not in ("hostport", "var") else raw[slot]
            if entity.kind == "range":
                shown[slot] = entity.value.replace(",", " to ")  # "lines 3 to 5", not "lines 3,5"
        elif slot in intent.defaults:
            raw[slot] = intent.defaults[slot]
            shown[slot] = raw[slot]
        if slot in shown and slot_type(slot).build is None:
            shown[slot] = _PLACE_NAMES.get(shown[slot], shown[slot])
    failed = False

    def fill(m: rx.Match[str], slot: str, optional: bool) -> str:
        nonlocal failed
        if slot not in raw or (optional and raw[slot] in ("", ".")):
            failed = failed or not optional
            return ""
        value = raw[slot]
        if len(value) > 1 and value.endswith("/") and template[m.end() : m.end() + 1] not in ("", " "):
            value = value.rstrip("/") or value  # "logs/" in "{dir}.tar.gz" is "logs.tar.gz"
        if not accounting.fits(template, m.start(), m.end(), value):
            failed = True
            return ""
        shell_glob = not accounting.NAME_TEST.search(template[: m.start()])
        quoted = _quote(value, slot, family, context.shell, shell_glob)
        failed = failed or quoted is None
        return (" " if optional else "") + (quoted or "")

    def substitute(m: rx.Match[str]) -> str:
        optional = m.group(2) is not None
        slot = m.group(1) if optional else m.group(3)
        if not optional and not has_type(slot):
            return m.group(0)
        return fill(m, slot, optional)

    command = _SLOT_ANY.sub(substitute, template)
    if failed:
        return None
    if family == "powershell" and context.shell == "cmd":
        command = 'powershell -NoProfile -Command "' + command.replace('"', '\\"') + '"'
    explanation = _SLOT.sub(lambda m: shown.get(m.group(1), m.group(0)), intent.explanation)
    return command, explanation


def _wrong_tool(candidate: Candidate) -> bool:
    """A reading left over only with values its command cannot take ("grep" given a .gz file) says
    nothing about what the request is about: another intent's tool may fit."""
    return all(left.startswith(accounting.MISFIT) for left in candidate.unaccounted)


def _names_the_command(said: set[str], best: Candidate, context: Context) -> bool:
    """ "uptime", "htop": the one word is the whole command, not a topic."""
    chosen = template_for(best.intent, context)
    return chosen is not None and len(said) == 1 and chosen[0] in said


_UNNAMED_FILE = Lazy(
    r"\b(?:the|this|that)\s+file\b(?!\s*(?:system|sizes?|names?|types?|count|permissions|owner|extension))", rx.IGNORECASE
)
_LOOK_FOR = Lazy(r"\blook(?:ing)?\s+for\b", rx.IGNORECASE)
_NAMED_FILE_KINDS = frozenset({"file", "path", "glob", "quoted", "var", "word"})


# "on my mac", "in ubuntu": the system the request is for, which must be the one the command runs on.
_PLATFORM_SAID = Lazy(
    r"\s*\b(?:on|in|for|under)\s+(?:my\s+|this\s+|a\s+|the\s+)?(mac\s?os|mac|osx|os\s?x|linux|ubuntu|debian|windows)"
    r"(?:\s+(?:machine|box|computer|laptop|server|system))?\b",
    rx.IGNORECASE,
)
_PLATFORMS = {"macos": "macos", "mac": "macos", "osx": "macos", "linux": "linux", "ubuntu": "linux", "debian": "linux",
              "windows": "windows"}


def match(prompt: str, context: Context, catalog: Catalog) -> Match | None:
    """The confident answer for this prompt, or None (decline)."""
    typed = literal(prompt.strip(), context)
    if typed is not None:
        return Match("literal", typed, "Runs the command as you typed it.", 1.0)
    system = _PLATFORM_SAID.search(prompt)
    if system is not None:
        word = system.group(1).lower().replace(" ", "")
        if _PLATFORMS.get(word) != context.platform:
            return None  # asked for another system than the one the command runs on
        prompt = prompt[: system.start()] + prompt[system.end() :]  # "on my mac" here is no request word
    prompt = _LOOK_FOR.sub("search for", prompt)  # "look for X" searches; "look at X" shows
    analysis = analyse_prompt(prompt, catalog)
    if not analysis.concepts:
        return None
    if _UNNAMED_FILE.search(prompt) and not any(e.kind in _NAMED_FILE_KINDS for e in analysis.entities):
        return None  # "cat the file", "show this file": one particular file, never named
    found = candidates(analysis, catalog)
    # Only a reading that accounts for every word may answer; one that does not, scoring at least as
    # well, says the request is about something the catalog does not do.
    complete = [c for c in found if not c.unaccounted]
    if not complete or complete[0].score < THRESHOLD:
        return None
    best = complete[0]
    if found[0] is not best and found[0].score > best.score and not _wrong_tool(found[0]):
        return None
    if len(analysis.concepts) == 1 and not analysis.entities:
        # One word ("find", "git", "restart") names a topic, not a request, unless it is how a
        # phrasing says it ("pwd", "whoami", "where am i").
        said = {i.text for i in analysis.items if isinstance(i, Word) and i.concept is not None}
        if said != best.phrasing.words and not _names_the_command(said, best, context):
            return None
    rendered = render(best, context)
    if rendered is None:
        return None
    # A match that explains every word of the prompt needs a smaller lead.
    margin = PERFECT_MARGIN if best.score >= 0.999 else MARGIN
    for other in found:
        if other is best or other.unaccounted:
            continue  # a reading that leaves words over is no rival
        if best.score - other.score >= margin:
            break
        other_rendered = render(other, context)
        if other_rendered is None and not other.phrasing.concepts <= analysis.concepts.keys():
            continue  # it lacks a value and the words that would make it the request
        if other_rendered is None or other_rendered[0] != rendered[0]:
            return None  # two different answers are about as likely: do not guess
    return Match(best.intent.id, rendered[0], rendered[1], best.score)
