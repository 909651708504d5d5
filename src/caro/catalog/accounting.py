"""What a catalog answer must account for before it may be given.

- Every word of the request that carries meaning is consumed by the phrasing, fills a slot, or is
  said by the command itself ("recursively" by a `find` without `-maxdepth`). A number, an ordinal or a
  qualifier ("only", "each", "in bytes", "as administrator") that nothing takes means the command would
  do something other than asked: the intent may not answer.
- A command that deletes, moves, overwrites or kills acts only on a target the request wrote out: a
  value read from the user's words ("python files" -> `*.py`, "my downloads folder" -> `~/Downloads`) is
  a reading, good enough to list files but not to delete them.
"""

from __future__ import annotations

import itertools

from caro import patterns as rx
from caro.catalog.entities import EVERYWHERE, PROPER_FILES, Entity, Lazy, Word

TYPE_CHECKING = False  # not typing's: this module is on the catalog's start path
if TYPE_CHECKING:
    from caro.catalog.matcher import Analysis, Filling
    from caro.catalog.store import Catalog, Intent, Phrasing

# Concepts lighter than this (said by many intents: "show", "file") may stay unexplained; the rest
# must be accounted for.
ACCOUNT_WEIGHT = 1.0
# Words that qualify the task: whatever their weight, one left over means another task.
QUALIFIERS = frozenset(
    {"only", "each", "both", "total", "byte", "first", "last", "everi", "per", "separat", "individu", "just",
     "also"}
)
# Qualifiers a phrasing may only match when the request says them as well.
_SCOPE = QUALIFIERS | {"recursiv", "subdir", "larg", "small", "contain", "ignor"}
_RECURSION_SAID = frozenset({"recursiv", "subdir"})
# Words that add emphasis, never a task.
FILLER = frozenset({"all", "entir", "whol", "complet", "simpl", "plain", "basic", "normal", "regular"})

# Verbs that only look at things: "show processes sorted by cpu" is what "sort processes" does.
_VIEWS = frozenset({"count", "sort", "follow", "ping", "resolv", "decod", "encod", "trac", "scan", "watch"})
_RECURSIVE = Lazy(
    r"\bfind\b(?!.*-maxdepth)|\bgrep -\w*r|\b(?:cp|rm|chmod|chown|chgrp|scp|zip) -\w*[rR]|\bdu\b"
    r"|-Recurse\b|\brsync\b|\btree\b|\bfind\b.*-maxdepth [2-9]"
)
_DESTRUCTIVE = Lazy(
    r"\b(?:rm|rmdir|mv|shred|truncate|kill|pkill|killall|dd|unlink)\b|-delete\b|\bprune\b"
    r"|\b(?:docker|podman) (?:rm|rmi)\b|\breset --hard\b|\bclean -\w*f|\bRemove-Item\b|\bStop-Process\b"
    r"|\bsed -i\b|>\s*\{|\bgit restore (?!--staged)|\bgit checkout -- "
)

# Programs that read a file's text: given a compressed file they would read its bytes.
_TEXT_READERS = Lazy(
    r"(?:^|[|;&(]\s*)(?:sudo\s+)?(?:cat|head|tail|wc|grep|sed|sort|uniq|awk|cut|tr|tac|less|more|nl|diff"
    r"|comm|paste|expand|column|base64|python3 -m json\.tool|jq)\b[^|;&]*$"
)
# A plain listing (or count) of everything below a folder: no depth limit, no test that ranks or
# selects beyond name and type.
_FIND_DEEP = Lazy(
    r"^find \{dir\??\}(?![^|]*-(?:maxdepth|empty|delete|size|[am]time|[am]min|newer|printf|exec|perm|user))"
    r"[^|]*(?:\| wc -l)?$"
)
# A whitespace field split given comma-separated data ("awk '{print $2}' data.csv").
_SPACE_FIELDS = Lazy(r"\bawk '\{print \$[^|;&]*$")
_CSV = Lazy(r"\.csv$", rx.IGNORECASE)
_COMPRESSED = Lazy(r"\.(?:gz|tgz|bz2|tbz2?|xz|txz|zst|zip|7z|rar|z)$", rx.IGNORECASE)
NAME_TEST = Lazy(r"-i?(?:name|path)\s+$|-Filter\s+$")
_SUFFIXED = Lazy(r"^[.~/]+$")


# Marks a value the command cannot take where it puts it: the intent is the wrong tool for that value.
MISFIT = "misfit:"


def fits(template: str, start: int, end: int, value: str) -> bool:
    """Whether a value makes sense where the template puts it."""
    before = template[:start]
    if NAME_TEST.search(before) and "/" in value:
        return False  # find -name never matches a path ("find -name /workspace")
    if _COMPRESSED.search(value) and _TEXT_READERS.search(before):
        return False  # "wc -l x.gz" counts compressed bytes
    if _CSV.search(value) and _SPACE_FIELDS.search(before):
        return False  # the columns of a .csv are split by commas, not spaces
    # "{dir}.tar.gz" from "." would be "..tar.gz"
    return not (template[end : end + 1] == "." and _SUFFIXED.match(value))


_SLOT = Lazy(r"\{(\w+)\??\}")
_WORD = Lazy(r"[a-z0-9]+")
_PROGRAM = Lazy(r"(?:^|[|;&(]\s*|\bsudo\s+)([a-z][a-z0-9-]*)")
_TOOLS = frozenset({"docker", "git", "kubectl", "npm", "pip", "brew", "apt", "systemctl", "tar", "zip", "ssh", "curl"})
_implied_cache: dict[str, frozenset[str]] = {}
_destructive_cache: dict[str, bool] = {}


def _posix_template(intent: Intent) -> str:
    commands = intent.commands
    return " ; ".join(commands[key] for key in ("linux", "macos", "posix", "any", "windows") if key in commands)


# One thing, said in the singular: "the largest file", "which process uses the most memory".
_ONE_THING = frozenset({"file", "folder", "directory", "dir", "process", "container", "image", "commit", "entry",
                        "item", "one"})
_COUNTED = Lazy(r"\{(?:count|rows)\b")


def _one_asked_many_shown(intent: Intent, analysis: Analysis, filling: Filling) -> list[str]:
    """A command that shows N of something (a count the request did not give, so its default of ten)
    when the request asks for one thing: "show me the largest file" is not the ten largest."""
    if "count" in filling.values or "rows" in filling.values or not _COUNTED.search(_posix_template(intent)):
        return []
    raws = {item.raw.lower() for item in analysis.items if isinstance(item, Word)}
    return ["count:one"] if raws & _ONE_THING else []


def implied(intent: Intent) -> frozenset[str]:
    """Concepts the command itself says: "recursiv" for `find`, `grep -r`, `du`, `cp -r`..."""
    found = _implied_cache.get(intent.id)
    if found is None:
        template = _posix_template(intent)
        said = {"recursiv"} if _RECURSIVE.search(template) else set()
        # The programs it runs: "list docker containers ..." says what `docker ps -a` says.
        said.update(m.group(1) for m in _PROGRAM.finditer(template) if m.group(1) in _TOOLS)
        found = _implied_cache[intent.id] = frozenset(said)
    return found


def destructive(intent: Intent) -> bool:
    """Whether the command deletes, moves, overwrites or kills."""
    found = _destructive_cache.get(intent.id)
    if found is None:
        found = _destructive_cache[intent.id] = bool(_DESTRUCTIVE.search(_posix_template(intent)))
    return found


_phrasing_words: dict[str, frozenset[str]] = {}


_ORDINAL_WORDS = {"1": "first", "2": "second", "3": "third"}


def said_by(entity: Entity, phrasing: Phrasing) -> bool:
    """Whether the phrasing itself says this value: "go up one directory" says "one"."""
    words = _phrasing_words.get(phrasing.text)
    if words is None:
        said = _SLOT.sub(" ", phrasing.text.lower())  # "{pattern}" names a slot, it says no word
        words = _phrasing_words[phrasing.text] = frozenset(_WORD.findall(said))
    written = entity.written.lower()
    return written in words or (entity.kind == "ordinal" and _ORDINAL_WORDS.get(written, "") in words)


def _deletes_below(intent: Intent, filling: Filling) -> bool:
    """A destructive search (`find X ... -delete`) of a folder the request named."""
    if not destructive(intent) or "dir" not in filling.values:
        return False
    return any("find {dir}" in template for template in intent.commands.values())


def _misfits(intent: Intent, filling: Filling) -> list[str]:
    """Values the command cannot take where it puts them ("wc -l x.gz", "find -name a/b")."""
    from caro.catalog.slots import value_of

    bad = []
    for template in intent.commands.values():
        for m in _SLOT.finditer(template):
            entity = filling.values.get(m.group(1))
            if entity is not None and not fits(template, m.start(), m.end(), value_of(m.group(1), entity)):
                bad.append(f"{MISFIT}{m.group(1)}={entity.value}")
    return bad


def unaccounted(
    intent: Intent, phrasing: Phrasing, analysis: Analysis, filling: Filling, catalog: Catalog
) -> tuple[str, ...]:
    """The request's words and values that neither the phrasing, a slot nor the command accounts for;
    for a destructive command also any target that is a reading rather than the user's own words."""
    left: list[str] = []
    said = implied(intent)
    lexicon = catalog.lexicon
    for position, item in enumerate(analysis.items):
        if not isinstance(item, Word) or item.concept is None:
            continue
        concept = item.concept
        if concept in phrasing.concepts or concept in filling.explained or concept in said:
            continue
        if concept in _EMPHASIS and _counts_next(analysis, filling, position):
            continue  # "only 15 lines", "just the first line": the number already says how many
        if concept in lexicon.generic or concept in lexicon.light or concept in FILLER:
            continue
        if analysis.concepts.get(concept, 0.0) < ACCOUNT_WEIGHT and concept not in QUALIFIERS:
            continue
        left.append(item.text)
    for number, entity in enumerate(analysis.entities):
        if number not in filling.used and not entity.implied and not said_by(entity, phrasing):
            left.append(entity.value)
    left += _misfits(intent, filling)
    if "recursiv" not in said and any(EVERYWHERE in e.absorbed for e in filling.values.values()):
        left.append("the whole file system")  # "all files in the entire file system" is not `ls /`
    left += _split_alternatives(analysis, filling)
    # A qualifier the phrasing says must be said too: "count files recursively" is not "count files".
    ordinals = {"first"} if any(e.kind == "ordinal" and e.value == "1" for e in analysis.entities) else set()
    left += [
        f"unsaid:{c}"
        for c in (phrasing.concepts & _SCOPE) | phrasing.required
        if c not in analysis.concepts and c not in ordinals
    ]
    if _deletes_below(intent, filling) and not analysis.concepts.keys() & _RECURSION_SAID:
        left.append("unsaid:recursive")  # deleting what is "in X" is not deleting everything below X
    left += _numbering_clash(intent, analysis)
    left += _direction_clash(phrasing, analysis, filling)
    left += _dropped_search_text(analysis, filling)
    if "shglob" in filling.values and analysis.concepts.keys() & _SEARCHING:
        left.append("scope:this folder")  # "find python files and count ..." searches below; `wc -l *.py` does not
    if _lists_here_deeply(intent, analysis, filling):
        left.append("scope:here")  # "list the directories here" is this folder, not every one below it
    said_concepts = set(analysis.concepts)
    if any(c in lexicon.actions and c not in _VIEWS for c in phrasing.concepts):
        # "find links that ..." is not "create a link": a general verb beside another verb's task is left over.
        left += [c for c in said_concepts & lexicon.generic if c not in phrasing.concepts]
    left += _one_asked_many_shown(intent, analysis, filling)
    if destructive(intent):
        left += [f"{slot}={entity.value}" for slot, entity in filling.values.items() if not entity.verbatim]
        # "the readme" is some README file, not a file called `readme`: a reading, not a target.
        left += [f"{slot}={e.value}" for slot, e in filling.values.items() if e.kind == "word" and e.value in PROPER_FILES]
        left += [f"particular:{e.value}" for e in filling.values.values() if _particular(analysis, e)]
        left += [
            f"{slot}={entity.value}"
            for slot, entity in filling.values.items()
            if _too_wide(intent, slot, entity)
        ]
        # A command that destroys must be asked for in full: no word of its phrasing may go unsaid.
        left += [
            f"unsaid:{c}"
            for c in phrasing.concepts
            if c not in said_concepts
            and c not in filling.explained
            and c not in lexicon.generic
            and c not in lexicon.light
            and c not in FILLER
        ]
    return tuple(left)


_NUMBERING = Lazy(r"\bline numbers?\b|\bnumbered\b|\bnumber (?:the|each|every|all)\b")
_NUMBERS_LINES = Lazy(r"\bcat -n\b|\bnl\b")
_COUNTS = Lazy(r"\bwc\b|Measure-Object")


def _numbering_clash(intent: Intent, analysis: Analysis) -> list[str]:
    """ "show line numbers for x" numbers the lines (`cat -n`); "the number of lines" counts them (`wc -l`)."""
    text = " ".join(i.text if isinstance(i, Word) else i.written for i in analysis.items).lower()
    numbering = bool(_NUMBERING.search(text))
    template = _posix_template(intent)
    if numbering and _COUNTS.search(template) and not _NUMBERS_LINES.search(template):
        return ["numbering:line numbers"]
    return []


_TOWARDS = frozenset({"to", "into", "onto"})
_OPPOSITE = {
    "from": _TOWARDS,
    "out": _TOWARDS,  # "copy x out of the container"
    "to": frozenset({"from"}),
    "into": frozenset({"from"}),
    "onto": frozenset({"from"}),
}
_ACTED_ON = frozenset({"file", "path", "src", "archive", "zipfile", "gzfile"})


def _direction_clash(phrasing: Phrasing, analysis: Analysis, filling: Filling) -> list[str]:
    """ "copy x into container web" is not "copy x from container web"; "reset to origin/main" names a
    destination, not the file `git reset` would act on; "unzip a.zip into out" says where to."""
    said = [i.text for i in analysis.items if isinstance(i, Word)]
    wanted = set(_WORD.findall(phrasing.text.lower()))
    left = [
        f"direction:{word}"
        for word, opposite in _OPPOSITE.items()
        if word in wanted and word not in said and opposite & set(said)
    ]
    items = analysis.items
    for slot, entity in filling.values.items():
        at = next((n for n, item in enumerate(items) if item is entity), -1)
        before = items[at - 1] if at > 0 else None
        if not (isinstance(before, Word) and before.text in _TOWARDS):
            continue
        anchors = phrasing.anchors.get(slot, ())
        if rx.sub(r"\d+$", "", slot) in _ACTED_ON and not (anchors and anchors[0].surface in _TOWARDS):
            left.append(f"destination:{getattr(entity, 'value', '')}")
    last = items[-2:] if len(items) > 1 else []
    if (
        last
        and isinstance(last[0], Word)
        and last[0].text in _TOWARDS
        and isinstance(last[1], Word)
        and last[1].text not in wanted
        and last[1].text not in _ARTICLES
        and last[1].concept is None
    ):
        left.append(f"destination:{last[1].text}")  # "... into out": a place the phrasing never mentions
    return left


_ARTICLES = frozenset({"the", "a", "an", "my", "this", "that"})
_FUNCTION_WORDS = _ARTICLES | {"for", "in", "inside", "through", "within", "under", "all", "every", "recursively", "-r"}


def _dropped_search_text(analysis: Analysis, filling: Filling) -> list[str]:
    """ "grep hello in all py files": the word after `grep` is the text to search for, even one that is
    filler elsewhere ("hello", "please"); an answer that takes no such text drops half the request."""
    items = analysis.items
    taken = {getattr(e, "value", "") for e in filling.values.values()}
    for here, after in itertools.pairwise(items):
        if (
            isinstance(here, Word)
            and here.raw.lower() == "grep"
            and isinstance(after, Word)
            and after.concept is None
            and after.text not in _FUNCTION_WORDS
            and after.raw not in taken
        ):
            return [f"search text:{after.raw}"]
    return []
_EMPHASIS = frozenset({"only", "just"})
_DEFINITE = frozenset({"the", "those", "these", "my", "our"})


def _particular(analysis: Analysis, entity: object) -> bool:
    """ "remove the log files": particular files the user has in mind, not every *.log below here
    ("delete all the log files" and "delete .log files" say which)."""
    if getattr(entity, "kind", "") != "ext" or getattr(entity, "concept", None) is None:
        return False  # only a kind said as a word ("log files"), not ".log" or "*.log"
    items = analysis.items
    at = next((n for n, item in enumerate(items) if item is entity), -1)
    before = [i.text for i in items[max(at - 2, 0) : max(at, 0)] if isinstance(i, Word)]
    return bool(before) and before[-1] in _DEFINITE and not (len(before) > 1 and before[0] in ("all", "every"))


def _next_number(items: list[Entity | Word], position: int) -> Entity | None:
    """The number or position right after an "only"/"just" (an article, "first" or "last" aside)."""
    for item in items[position + 1 : position + 4]:
        if isinstance(item, Entity):
            return item if item.kind in ("num", "ordinal") else None
        if item.concept is not None and item.concept not in ("first", "last"):
            return None
    return None


def emphasises_number(items: list[Entity | Word], position: int) -> bool:
    """ "only 15 lines", "just the first line": the word stresses the number after it."""
    item = items[position]
    return isinstance(item, Word) and item.concept in _EMPHASIS and _next_number(items, position) is not None


def _counts_next(analysis: Analysis, filling: Filling, position: int) -> bool:
    """Whether the number an "only" stresses is one the command takes."""
    number = _next_number(analysis.items, position)
    return number is not None and any(number is e for e in filling.values.values())


_HERE = frozenset({"here"})
_SEARCHING = frozenset({"find", "recursiv", "subdir"})


def _lists_here_deeply(intent: Intent, analysis: Analysis, filling: Filling) -> bool:
    """A request to list or count what is "here" / "in this folder", answered by a `find` that goes
    into every subfolder: the scope changed. "find ... here" and "... including subfolders" search below."""
    if analysis.concepts.keys() & _SEARCHING:
        return False
    here = any(isinstance(i, Word) and i.text in _HERE for i in analysis.items)
    place = filling.values.get("dir")
    here = here or (place is not None and getattr(place, "value", "") == "." and place in analysis.entities)
    return here and any(_FIND_DEEP.search(t) for t in intent.commands.values())


_WIDE = frozenset({".", "..", "~", "/", "*", "./", "~/"})
_REMOVER = Lazy(r"\b(?:rm|rmdir|mv|shred|unlink|Remove-Item|Move-Item|Rename-Item)\b[^|;&]*$")


def _too_wide(intent: Intent, slot: str, entity: object) -> bool:
    """ "delete everything here" read as `rm -r .`: removing or moving a whole place is never a guess."""
    if getattr(entity, "value", "") not in _WIDE:
        return False
    for template in intent.commands.values():
        at = template.find("{" + slot)
        if at >= 0 and _REMOVER.search(template[:at]):
            return True
    return False


def _split_alternatives(analysis: Analysis, filling: Filling) -> list[str]:
    """ "file1 or file9", "a.txt and b.txt": values joined like this are one list; given to two different
    slots ("find file9 -name file1") they are misread."""

    from caro.catalog.slots import slot_type

    role = {id(entity): slot_type(slot) for slot, entity in filling.values.items()}
    items = analysis.items
    bad = []
    for i in range(len(items) - 2):
        a, joiner, b = items[i], items[i + 1], items[i + 2]
        if (
            isinstance(a, Entity)
            and isinstance(b, Entity)
            and isinstance(joiner, Word)
            and joiner.text in ("or", "and")
            and id(a) in role
            and id(b) in role
            and role[id(a)] is not role[id(b)]
        ):
            bad.append(f"{a.value} {joiner.text} {b.value}")
    return bad
