"""Word normalisation for the catalog matcher: stemming, synonyms, stopwords and typo repair.

Prompts and catalog phrasings go through the same functions, so "Show me the biggest files" and
"list large files" both become the concepts {show, larg, fil}. Concepts are stems, never shown to users.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: this module is on the catalog's start path
if TYPE_CHECKING:
    from typing import Any

_PLURALS = (("sses", "ss"), ("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"))


def stem(word: str) -> str:
    """A light, deterministic stem: plural, -ing, -ed and a final -e removed ("processes" -> "process")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _PLURALS:
        if word.endswith(suffix):
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    for suffix, minimum in (("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= minimum:
            word = word[: -len(suffix)]
            # running -> run, stopped -> stop; "install" keeps its double l.
            if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


class Lexicon:
    """Stopwords, synonyms and the words the catalog knows."""

    __slots__ = (
        "actions",
        "contractions",
        "generic",
        "known",
        "light",
        "negations",
        "questions",
        "stem_synonyms",
        "stopwords",
        "synonyms",
    )

    def __init__(
        self,
        stopwords: frozenset[str],
        synonyms: dict[str, str],
        contractions: dict[str, str],
        questions: dict[str, str],
        negations: frozenset[str],
        light: frozenset[str] = frozenset(),
        actions: frozenset[str] = frozenset(),
        generic: frozenset[str] = frozenset(),
        known: set[str] | None = None,
        stem_synonyms: dict[str, str] | None = None,
    ) -> None:
        self.stopwords = stopwords
        self.synonyms = synonyms
        self.contractions = contractions
        self.questions = questions
        self.negations = negations
        self.light = light  # concepts that weigh little wherever they appear
        self.actions = actions  # verbs that change what a command does: never ignore one
        self.generic = generic  # verbs so common that leaving them out costs little ("show")
        self.known: set[str] = set() if known is None else known  # surface words that are never typos
        self.stem_synonyms: dict[str, str] = dict() if stem_synonyms is None else stem_synonyms

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Lexicon:
        lexicon = cls(
            stopwords=frozenset(data["stopwords"]),
            synonyms=dict(data["synonyms"]),
            contractions=dict(data["contractions"]),
            questions=dict(data["keep_question_words"]),
            negations=frozenset(data.get("negations", ())),
            light=frozenset(stem(w) for w in data.get("light", ())),
            actions=frozenset(),
        )
        # Inflections of a base-form key share its concept ("removing" -> delete); inflected keys
        # ("stopped", "folders") only stand for themselves, or "stop" would become "exited".
        lexicon.stem_synonyms = {
            stem(k): stem(v) for k, v in lexicon.synonyms.items() if not k.endswith(("ed", "ing", "s"))
        }
        lexicon.generic = frozenset(lexicon.concept(w) for w in data.get("generic", ()))
        # "scan" means "find": a generic verb stays generic even when a synonym is listed as an action.
        lexicon.actions = frozenset(lexicon.concept(w) for w in data.get("actions", ())) - lexicon.generic
        lexicon.known.update(
            lexicon.stopwords, lexicon.synonyms, lexicon.synonyms.values(), lexicon.questions
        )
        lexicon.known.update(lexicon.negations)
        return lexicon

    def is_stopword(self, word: str) -> bool:
        return word in self.stopwords and word not in self.questions

    def concept(self, word: str) -> str:
        """The concept a (lower-case, non-stopword) word stands for."""
        if word in self.questions:
            return stem(self.questions[word])
        if word in self.synonyms:
            return stem(self.synonyms[word])
        stemmed = stem(word)
        return self.stem_synonyms.get(stemmed, stemmed)

    def is_known(self, word: str) -> bool:
        return word in self.known or stem(word) in self.known

    def correct(self, word: str) -> str | None:
        """The known word one edit away from an unknown one, when there is exactly one candidate."""
        if len(word) < 4 or not word.isalpha():
            return None
        if len(word) == 4:
            # Short words: only a swap of two neighbours ("lsit"); other edits make other real words.
            swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(3)}
            found = sorted(w for w in swaps if w in self.known)
            return found[0] if len(found) == 1 else None
        # Every string one edit away (a few hundred), looked up in the known words: no index to build.
        candidates = {w for w in _edits(word) if w in self.known}
        if len(candidates) > 1:
            # Prefer candidates keeping the first letter (typos rarely hit it); still ambiguous -> give up.
            candidates = {c for c in candidates if c[0] == word[0]}
            concepts = {self.concept(c) for c in candidates}
            if len(concepts) == 1:
                return min(candidates)
        return next(iter(candidates)) if len(candidates) == 1 else None
