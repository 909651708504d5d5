"""Finding slot values in a prompt: paths, file names, extensions, sizes, durations, ports, hosts, numbers.

`analyse(prompt, lexicon)` turns the prompt into a sequence of items: words (with their concept, or None
for stopwords) and typed entities (kind + normalised value). Entities are found on the original text,
so case and punctuation inside paths, names and quoted text survive.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.catalog.text import Lexicon
from caro.patterns import LazyPattern

TYPE_CHECKING = False  # not typing's: collections.abc imports collections, and neither is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable

Lazy = LazyPattern  # the catalog's name for it

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
}
# "the tenth line", "the 3rd column": a position, not an amount.
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "twentieth": 20,
}
_ORDINAL_RE = "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))
_NUM_WORD_RE = "|".join(sorted((w for w in _NUMBER_WORDS if len(w) > 2), key=len, reverse=True))

_SIZE_UNITS = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "kilobyte": 1024,
    "kilobytes": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "meg": 1024**2,
    "megs": 1024**2,
    "megabyte": 1024**2,
    "megabytes": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
    "gig": 1024**3,
    "gigs": 1024**3,
    "gigabyte": 1024**3,
    "gigabytes": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "tib": 1024**4,
    "terabyte": 1024**4,
    "terabytes": 1024**4,
}
_DURATION_UNITS = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "secs": 1 / 60,
    "second": 1 / 60,
    "seconds": 1 / 60,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "w": 10080,
    "wk": 10080,
    "wks": 10080,
    "week": 10080,
    "weeks": 10080,
    "month": 43200,
    "months": 43200,
    "year": 525600,
    "years": 525600,
}

# Words naming file types, as in "python files" or "log files".
EXTENSION_WORDS = {
    "python": "py",
    "py": "py",
    "javascript": "js",
    "js": "js",
    "typescript": "ts",
    "ts": "ts",
    "java": "java",
    "go": "go",
    "golang": "go",
    "rust": "rs",
    "ruby": "rb",
    "php": "php",
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "header": "h",
    "css": "css",
    "html": "html",
    "json": "json",
    "yaml": "yaml",
    "yml": "yml",
    "xml": "xml",
    "csv": "csv",
    "txt": "txt",
    "text": "txt",
    "log": "log",
    "md": "md",
    "markdown": "md",
    "pdf": "pdf",
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
    "gif": "gif",
    "svg": "svg",
    "mp3": "mp3",
    "mp4": "mp4",
    "mov": "mov",
    "zip": "zip",
    "iso": "iso",
    "sh": "sh",
    "shell": "sh",
    "bash": "sh",
    "sql": "sql",
    "conf": "conf",
    "ini": "ini",
    "toml": "toml",
    "swift": "swift",
    "kotlin": "kt",
    "lua": "lua",
    "perl": "pl",
    "tsx": "tsx",
    "jsx": "jsx",
    "vue": "vue",
    "docx": "docx",
    "xlsx": "xlsx",
    "bak": "bak",
    "backup": "bak",
    "tmp": "tmp",
    "temp": "tmp",
    "temporary": "tmp",
    "rb": "rb",
    "rs": "rs",
    "h": "h",
    "csharp": "cs",
}

_TLDS = {
    "com",
    "org",
    "net",
    "io",
    "dev",
    "co",
    "uk",
    "de",
    "fr",
    "edu",
    "gov",
    "app",
    "ai",
    "me",
    "info",
    "biz",
    "us",
    "ca",
    "au",
    "jp",
    "local",
    "internal",
    "lan",
    "cloud",
    "eu",
    "nl",
    "ch",
    "se",
    "no",
    "es",
    "it",
    "ru",
    "cn",
    "in",
    "br",
    "tv",
    "xyz",
    "site",
    "tech",
    "example",
    "test",
    "localdomain",
}

_PLACES = {
    "current": ".",
    "working": ".",
    "this": ".",
    "present": ".",
    "same": ".",
    "home": "~",
    "parent": "..",
    "downloads": "~/Downloads",
    "download": "~/Downloads",
    "desktop": "~/Desktop",
    "documents": "~/Documents",
    "tmp": "/tmp",
    "temp": "/tmp",
}
_DOTFILES = {
    "bashrc",
    "zshrc",
    "profile",
    "bash_profile",
    "gitignore",
    "vimrc",
    "env",
    "ssh",
    "gitconfig",
    "npmrc",
    "inputrc",
    "tmux",
    "config",
    "local",
    "cache",
    "kube",
    "docker",
}
_NOT_FOLDER_NAMES = {
    "root",
    "last",
    "previous",
    "next",
    "first",
    "latest",
    "is",
    "and",
    "or",
    "size",
    "sizes",
    "tree",
    "structure",
    "new",
    "empty",
    "hidden",
    "large",
    "big",
    "old",
    "all",
    "every",
    "each",
    "same",
    "other",
    "whole",
    "entire",
    "shared",
    "subfolder",
    "contents",
    "content",
    "listing",
    "permissions",
    "owner",
    "name",
    "path",
    "sub",
    "git",
    "one",
}
_DIR_WORD = r"(?:folder|directory|dir)"
EVERYWHERE = "(everywhere)"  # marks "the entire file system": a search of everything below /
# Nouns an ordinal gives a position in: "the tenth line", "the 2nd column".
_POSITIONED = r"line|column|field|row|word|character|char|entry"
_PREP = r"(?:in|inside|under|within|from|of|into|to|at|on)"


class Word:
    __slots__ = ("concept", "raw", "text", "unknown")

    def __init__(self, text: str, raw: str, concept: str | None, unknown: bool = False) -> None:
        self.text = text  # lower case
        self.raw = raw  # as typed
        self.concept = concept  # None: a stopword
        self.unknown = unknown

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Entity:
    """A typed value found in the prompt; `concept` keeps a catalog word ("python") an anchor may take."""

    __slots__ = (
        "absorbed",
        "after_in",
        "concept",
        "host",
        "implied",
        "kind",
        "named",
        "number",
        "positional",
        "value",
        "verbatim",
        "written",
    )

    def __init__(
        self,
        kind: str,
        value: str,
        number: float = 0.0,
        host: str = "",
        absorbed: frozenset[str] | None = None,
        concept: str | None = None,
        after_in: bool = False,
        verbatim: bool = True,
        written: str = "",
        implied: bool = False,
    ) -> None:
        # quoted url userhost host hostport range glob var size duration port ext path file mode image
        # ordinal num word
        self.kind = kind
        self.value = value
        self.number = number  # sizes in bytes, durations in minutes, numbers
        self.host = host  # for hostport and userhost
        self.absorbed: frozenset[str] = (
            frozenset() if absorbed is None else absorbed
        )  # concepts this entity explains
        self.concept = concept
        self.after_in = after_in  # a bare word after "in"/"under"/"inside": probably a folder
        self.verbatim = verbatim  # False when the value is a reading of the words ("python" -> py, "home" -> ~)
        self.written = written or value  # as typed, for values the shell must still expand ("$HOME/src")
        self.implied = implied  # not typed: "the last line" implies the number 1
        self.named = False  # right after "named"/"called": a name whatever the word
        self.positional = False  # a number right after "line", "column": a position, not an amount

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


Item = Word | Entity

# (kind, pattern, group holding the value). Earlier patterns win; matches never overlap.
_DIGITS = tuple("0123456789")
# A pattern runs (and is compiled, which costs more than running it) only when the prompt holds one
# of these strings: "list docker containers" compiles almost none of them.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "quoted": ('"', "'", "`", "\u201c"),
    "url": ("://",),
    "userhost": ("@",),
    "hostport": (":",),
    "host": (*_DIGITS, "localhost"),
    "range": ("line",),
    "glob": ("*",),
    "var": ("$",),
    "size": _DIGITS,
    "extplural": (
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "pdf",
        "csv",
        "mp3",
        "mp4",
        "mov",
        "iso",
        "docx",
        "xlsx",
    ),
    "duration": (*_DIGITS, "sec", "min", "hour", "hr", "day", "week", "wk", "month", "year"),
    "ordinal": (*_DIGITS, *_ORDINAL_WORDS),
    "num": (*_DIGITS, *(w for w in _NUMBER_WORDS if len(w) > 2)),
    "duration1": ("last", "past", "previous", "this", "today", "every"),
    "port": ("port", ":"),
    "mode": ("+", "-", "="),
    "ext": (".", "ext", "suffix", "end"),
    "extword": ("file", "script", "source", "document", "log"),
    "path": ("/", "~", "."),
    "place": ("folder", "dir"),
    "root": ("system", "computer"),
    "named_dir": ("folder", "dir"),
    "file": (".",),
    "image": (":",),
}


# Words joined by a slash are words ("files/directories"), not a path.
_COMMON_PATH = Lazy(
    r"^(?:files?|folders?|dir(?:ectorie)?s?|directory|sub(?:folders?|dir(?:ectorie)?s?|directory)|and|or|links?)"
    r"(?:/(?:files?|folders?|dir(?:ectorie)?s?|directory|sub(?:folders?|dir(?:ectorie)?s?|directory)|and|or|links?))+/?$",
    rx.IGNORECASE,
)
# Words that describe ("modified", "recursively", "existing") rather than name a folder.
_DESCRIBING = Lazy(r"(?:ly|ed|ing)$")

_PATTERNS: list[tuple[str, Lazy, int]] = [
    ("quoted", Lazy(r"\"([^\"]+)\"|“([^”]+)”|`([^`]+)`|(?<![\w])'([^']+)'(?![\w])"), 0),
    ("url", Lazy(r"\b(?:https?|ftp)://[^\s'\"<>]+"), 0),
    ("userhost", Lazy(r"\b[A-Za-z_][\w.-]*@[A-Za-z0-9][\w.-]*[A-Za-z0-9](?::[^\s]*)?"), 0),
    (
        "hostport",
        Lazy(r"\b(localhost|\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):(\d{1,5})\b"),
        0,
    ),
    ("host", Lazy(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?\b|\blocalhost\b"), 0),
    (
        "range",
        Lazy(
            r"\b(?:from\s+|between\s+)?lines?\s+(\d+)\s*(?:-|to|through|thru|till|until|and)\s*(?:line\s+)?(\d+)\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    # A pattern the user wrote ("vmware-*.log", "src/*.c") is kept as typed; a plain "*.log" is an extension.
    ("glob", Lazy(r"(?<![\w/$*])(?:[\w.-]*/)*[\w.-]*\*[\w.*-]*"), 0),
    # "$HOME", "${dir}", "$HOME/src": kept as typed so the shell expands them.
    ("var", Lazy(r"(?<![\w$])\$(\{)?([A-Za-z_][A-Za-z0-9_]*)(?(1)\})(/[\w./-]*)?"), 0),
    (
        "size",
        Lazy(
            # Generic shape, unit checked in Python: a long alternation costs milliseconds to compile.
            r"(?<![\w.-])(\d+(?:\.\d+)?)(?:\s*([a-z]{2,9})|([kmgt]))\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    (
        "duration",
        Lazy(
            r"(?:\b(?:in|within|over|during|for)\s+the\s+|\b)?(?:(?:last|past|previous)\s+)?"
            # Unit stems only, full word checked in Python; a looser pattern would swallow "changed in".
            r"(?<![\w.-])(\d+|[a-z]{3,7})\s*((?:sec|min|hour|hr|day|week|wk|month|year)[a-z]{0,4}|(?<=\d)[shdw])\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    (
        "duration1",
        Lazy(
            r"(?:\b(?:in|within|over|during|for)\s+the\s+|\b)(?:last|past|previous|this)\s+(hour|day|week|month|year)\b"
            r"|\b(today)\b|\bevery\s+(second|minute|hour|day)\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    ("port", Lazy(r"\bports?\s*(?:number\s*|no\.?\s*|#\s*)?(\d{1,5})\b", rx.IGNORECASE), 1),
    ("port", Lazy(r"(?<![\w/:.]):(\d{2,5})\b"), 1),
    ("mode", Lazy(r"(?<!\S)[ugoa]{0,3}[+\-=][rwxXst]{1,4}(?!\S)"), 0),
    ("ext", Lazy(r"(?<![\w/])\*?\.([A-Za-z0-9]{1,8})(?![\w/.])"), 1),
    (
        "ext",
        Lazy(
            r"\b(?:(?:extension|ext|suffix)\s+\.?|(?:ending|end|ends)\s+(?:in|with)\s+\.)"
            r"([A-Za-z0-9]{1,8})\b",
            rx.IGNORECASE,
        ),
        1,
    ),
    (
        "extword",
        Lazy(
            r"(?<![\w.+-])([a-z+]{1,10})(?=\s+(?:source\s+|code\s+)?(?:files?|scripts?|sources?|documents?|logs?)\b)",
            rx.IGNORECASE,
        ),
        1,
    ),
    ("extplural", Lazy(r"(?<![\w.])(png|jpe?g|gif|svg|pdf|csv|mp3|mp4|mov|iso|docx|xlsx)s\b", rx.IGNORECASE), 0),
    (
        "path",
        Lazy(
            r"(?<!\S)(?:~|\.{1,2})?/[^\s'\"]*|(?<!\S)~(?!\S)|(?<!\S)\.{1,2}(?=\s|$)|(?<![\w@$])[\w.-]+/[\w./-]*"
        ),
        0,
    ),
    (
        "place",
        Lazy(
            rf"\b{_PREP}\s+(?:the\s+|my\s+|this\s+|a\s+|our\s+)?"
            rf"({'|'.join(_PLACES)})\s+{_DIR_WORD}\b",
            rx.IGNORECASE,
        ),
        1,
    ),
    # "in the entire file system", "on the system": the root folder
    (
        "root",
        Lazy(
            r"\b(?:(?:the\s+)?(?:entire|whole|full)\s+(?:file\s*)?system"
            r"|(?:in|on|across|from)\s+(?:the\s+)?file\s*system"
            r"|(?:on|in|across|from)\s+(?:the|your|my|this)\s+(?:system|computer)"
            r"|the\s+(?:entire\s+|whole\s+)?system(?=\s+for\b))\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    (
        "named_dir",
        Lazy(
            rf"(?<![$\w{{])\b{_DIR_WORD}\s+(called\s+|named\s+)?([\w][\w./-]*)"
            rf"|\b(?:{_PREP}\s+(?:the\s+|my\s+|our\s+)?|(?:the|my|our)\s+)([\w][\w.-]*)\s+{_DIR_WORD}\b",
            rx.IGNORECASE,
        ),
        0,
    ),
    (
        "file",
        Lazy(r"(?<![\w/.-])[\w-]*[A-Za-z_][\w-]*(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{0,7}\b(?![/])"),
        0,
    ),
    ("image", Lazy(r"(?<![\w/:.-])[a-z0-9][\w./-]*:[\w][\w.-]*\b"), 0),
    (
        "ordinal",
        Lazy(
            rf"(?<![\w.-])\d+(?:st|nd|rd|th)\b|\b(?:{_ORDINAL_RE})\b(?=\s+(?:{_POSITIONED})\b)",
            rx.IGNORECASE,
        ),
        0,
    ),
    ("num", Lazy(rf"(?<![\w.-])\d+(?![\w.-])|\b(?:{_NUM_WORD_RE})\b", rx.IGNORECASE), 0),
]

_CONTRACTION_RE = Lazy(r"[A-Za-z]+'[A-Za-z]+|\b(?:whats|dont|lets|wanna|gonna|pls|plz|thx|cannot)\b", rx.IGNORECASE)
_CONTRACTION_HINTS = ("'", "whats", "dont", "lets", "wanna", "gonna", "pls", "plz", "thx", "cannot")
_WORD_RE = Lazy(r"[A-Za-z0-9][A-Za-z0-9+_-]*")
_NAMEY = Lazy(r"^[A-Za-z0-9][\w.+:@/-]*$")


_FORMATS = Lazy(r"(?<![\w.])\.?(tar)\.(gz|bz2|xz)(?![\w.])", rx.IGNORECASE)


def normalise_formats(text: str) -> str:
    """ "tar.gz" as a format name (not inside a file name) becomes one word, "targz"."""
    if "tar." not in text.lower():
        return text
    return _FORMATS.compiled.sub(lambda m: m.group(1) + m.group(2), text)


_POSSESSIVE = Lazy(r"\b([A-Za-z]+)'s\b")


_QUOTED_PART = Lazy(r"(\"[^\"]*\"|“[^”]*”|`[^`]*`|(?<![\w])'[^']*'(?![\w]))")


def _expand(prompt: str, lexicon: Lexicon) -> str:
    """Contractions and possessives expanded, outside quoted text only: a quoted value is kept as typed."""
    if not any(q in prompt for q in "\"'`“"):
        return _expand_part(prompt, lexicon)
    parts = _QUOTED_PART.compiled.split(prompt)
    return "".join(part if i % 2 else _expand_part(part, lexicon) for i, part in enumerate(parts))


def _expand_part(prompt: str, lexicon: Lexicon) -> str:
    text = normalise_formats(prompt)
    lowered = text.lower()
    if not any(hint in lowered for hint in _CONTRACTION_HINTS):
        return text
    if "'" in text:
        text = _POSSESSIVE.compiled.sub(
            lambda m: m.group(0) if m.group(0).lower() in lexicon.contractions else m.group(1), text
        )
    return _CONTRACTION_RE.compiled.sub(
        lambda m: lexicon.contractions.get(m.group(0).lower(), m.group(0)), text
    )


def _quoted(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    value = next(g for g in match.groups() if g is not None)
    if rx.search(r"\\['\"]", value):
        return None  # an escaped quote inside: the quotes were misread, not one value
    return Entity("quoted", value)


def _url(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    return Entity("url", match.group(0).rstrip(".,;:!?)"))


def _userhost(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    text = match.group(0)
    return Entity("userhost", text.rstrip(".,;"), host=text.split("@", 1)[1].split(":", 1)[0])


def _hostport(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    return Entity("hostport", match.group(2), number=float(match.group(2)), host=match.group(1))


def _range(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    first, last = int(match.group(1)), int(match.group(2))
    if not 0 < first <= last:
        return None
    return Entity("range", f"{first},{last}", number=float(first), absorbed=frozenset({lexicon.concept("line")}))


def _glob(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    text = match.group(0).rstrip(".")
    if rx.fullmatch(r"\*?\.?[A-Za-z0-9]{0,8}|\*+", text):
        return None  # "*.log" is an extension, "*" alone says nothing
    return Entity("glob", text)


def _var(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    return Entity("var", match.group(2), written=match.group(0).rstrip("."))


def _size(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    number = float(match.group(1))
    unit = (match.group(2) or match.group(3) or "b").lower()
    if unit not in _SIZE_UNITS:
        return None
    return Entity("size", match.group(0), number=number * _SIZE_UNITS[unit], absorbed=frozenset({"siz"}))


def _duration(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    count = match.group(1).lower()
    unit = match.group(2).lower()
    if unit not in _DURATION_UNITS or not (count.isdigit() or count in _NUMBER_WORDS):
        return None
    if len(unit) == 1 and not count.isdigit():
        return None
    amount = float(count) if count.isdigit() else float(_NUMBER_WORDS[count])
    shown = f"{match.group(1)} {unit}" if len(unit) > 1 else f"{match.group(1)}{unit}"
    return Entity(
        "duration", shown, number=amount * _DURATION_UNITS[unit], absorbed=frozenset({"last", "recent"})
    )


def _duration1(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    unit = (match.group(1) or match.group(3) or "").lower()
    day = (match.group(2) or "").lower()
    minutes = {"today": 1440, "yesterday": 2880}.get(day) or _DURATION_UNITS[unit]
    return Entity(
        "duration", day or f"1 {unit}", number=float(minutes), absorbed=frozenset({"last", "recent", "today"})
    )


def _port(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    return Entity("port", match.group(1), number=float(match.group(1)), absorbed=frozenset({"port"}))


def _ext(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    if match.group(1).lower() in _DOTFILES:
        return Entity("file", match.group(0).lstrip("*"))
    # As typed: "*.JPG" and "*.jpg" are different names to find.
    return Entity("ext", match.group(1), absorbed=frozenset({"extension", "ext", "end", "ending"}))


def _extplural(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    word = match.group(1).lower()
    return Entity("ext", EXTENSION_WORDS.get(word, word), absorbed=frozenset({"fil"}))


def _extword(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    word = match.group(1).lower()
    if word not in EXTENSION_WORDS:
        return None
    # "python files" -> *.py is a reading; only "log files" -> *.log is the user's own word.
    value = EXTENSION_WORDS[word]
    return Entity("ext", value, concept=lexicon.concept(word), verbatim=value == word)


def _path(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    text = match.group(0)
    value = text.rstrip(".,;:!?)") if len(text) > 2 else text
    if _COMMON_PATH.match(value) or _words_with_slash(value, lexicon):
        return None  # "files/directories", "regular/normal": words joined by a slash, not a path
    # "/", "src/", "~", "..": plainly folders, never files
    folder = value.endswith("/") or value in ("~", ".", "..")
    return Entity("dir" if folder else "path", value)


_PLAIN_WORDS = frozenset({"regular", "normal", "plain", "hidden", "empty", "text", "binary", "symbolic", "hard"})


def _words_with_slash(value: str, lexicon: Lexicon) -> bool:
    parts = value.split("/")
    if len(parts) < 2 or not all(p.isalpha() for p in parts):
        return False
    return all(p.lower() in _PLAIN_WORDS for p in parts)


def _place(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    value = _PLACES[match.group(1).lower()]
    # ".", "..", "~" say what was said; "~/Downloads" is a reading of "downloads".
    return Entity("dir", value, absorbed=frozenset({"dir", "current", "home"}), verbatim=len(value) <= 2)


def _named_dir(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    name = match.group(group)
    lowered = name.lower()
    if group == 2 and match.group(1) is None and _DESCRIBING.compiled.search(lowered):
        return None  # "the directory modified ...": a word of the request, not a folder's name
    if lowered in _PLACES:
        # "in the current directory" is a place; "change the working directory" is words of the request.
        if group == 2 or not rx.match(rf"{_PREP}\b", match.group(0), rx.IGNORECASE):
            return None
        return Entity("dir", _PLACES[lowered], absorbed=frozenset({"dir"}), verbatim=len(_PLACES[lowered]) <= 2)
    if (
        lexicon.is_stopword(lowered)
        or lowered in _NOT_FOLDER_NAMES
        or lowered in PLACING
        or lowered in _FOLDERISH_NOUNS
        or _DESCRIBING.compiled.search(lowered)
    ):
        return None
    return Entity("dir", name, absorbed=frozenset({"dir"}), concept=lexicon.concept(lowered))


def _file(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    text = match.group(0)
    last = text.rsplit(".", 1)[1].lower()
    if last in _TLDS or text.lower().startswith("www."):
        return Entity("host", text)
    if text[0] == "." or text.replace(".", "").isdigit():
        return None
    return Entity("file", text)


def _ordinal(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    text = match.group(0).lower()
    value = int(text.rstrip("stndrh")) if text[0].isdigit() else _ORDINAL_WORDS[text]
    return Entity("ordinal", str(value), number=float(value)) if value > 0 else None


def _num(match: rx.Match[str], group: int, lexicon: Lexicon) -> Entity | None:
    lowered = match.group(0).lower()
    value = int(lowered) if lowered.isdigit() else _NUMBER_WORDS[lowered]
    return Entity("num", str(value), number=float(value), written=match.group(0))


def _plain(kind: str) -> Callable[[rx.Match[str], int, Lexicon], Entity | None]:
    return lambda match, group, lexicon: Entity(kind, match.group(0))


_BUILDERS: dict[str, Callable[[rx.Match[str], int, Lexicon], Entity | None]] = {
    "quoted": _quoted,
    "url": _url,
    "userhost": _userhost,
    "hostport": _hostport,
    "host": _plain("host"),
    "range": _range,
    "glob": _glob,
    "var": _var,
    "size": _size,
    "duration": _duration,
    "duration1": _duration1,
    "port": _port,
    "mode": _plain("mode"),
    "ext": _ext,
    "extplural": _extplural,
    "extword": _extword,
    "path": _path,
    "place": _place,
    "named_dir": _named_dir,
    "root": lambda match, group, lexicon: Entity("dir", "/", absorbed=frozenset({"system", EVERYWHERE})),
    "file": _file,
    "image": _plain("image"),
    "ordinal": _ordinal,
    "num": _num,
}


def analyse(prompt: str, lexicon: Lexicon) -> list[Item]:
    """The prompt as words and entities, in order."""
    text = _expand(prompt, lexicon)
    spans: list[tuple[int, int, Entity]] = []
    taken = [False] * (len(text) + 1)
    lowered = text.lower()
    for kind, pattern, group in _PATTERNS:
        triggers = _TRIGGERS.get(kind)
        if triggers is not None and not any(t in lowered for t in triggers):
            continue
        for match in pattern.finditer(text):
            if kind == "named_dir":
                group = 2 if match.group(2) is not None else 3
            start, end = match.span(group)
            if start < 0 or any(taken[start:end]):
                continue
            entity = _BUILDERS[kind](match, group, lexicon)
            if entity is None:
                continue
            spans.append((start, end, entity))
            for i in range(start, end):
                taken[i] = True
    spans.sort(key=lambda span: span[0])
    items: list[Item] = []
    cursor = 0
    for start, end, entity in [*spans, (len(text), len(text), None)]:
        for raw in _WORD_RE.findall(text[cursor:start]):
            items.append(_word(raw, lexicon))
        if entity is not None:
            items.append(entity)
        cursor = end
    return _implied_one(_merge_unknown(items))


_END_WORDS = frozenset({"last", "final", "bottom", "top"})
_ONE_OF = frozenset({"line", "row", "entry", "commit", "file"})


def _implied_one(items: list[Item]) -> list[Item]:
    """ "the last line" asks for one line: the count is said by the singular, and becomes a number."""
    for position in range(len(items) - 1, 0, -1):
        word, before = items[position], items[position - 1]
        if (
            isinstance(word, Word)
            and word.text in _ONE_OF
            and isinstance(before, Word)
            and before.text in _END_WORDS
        ):
            items.insert(position, Entity("num", "1", number=1.0, implied=True))
    return items


def _word(raw: str, lexicon: Lexicon) -> Word:
    word = raw.lower()
    if lexicon.is_stopword(word):
        return Word(word, raw, None)
    if not lexicon.is_known(word):
        fixed = lexicon.correct(word)
        if fixed is None:
            return Word(word, raw, lexicon.concept(word), unknown=True)
        if lexicon.is_stopword(fixed):
            # "doing" is not a typo of "going": a correction that would make a word vanish is no correction.
            return Word(word, raw, lexicon.concept(word), unknown=True)
        word = fixed
    return Word(word, raw, lexicon.concept(word))


# Words that place a thing rather than name it: "every directory below here" names no folder "below".
PLACING = frozenset({"below", "above", "beneath", "underneath", "here", "there", "everywhere", "anywhere"})
# Files known by a bare name (no extension): a file slot may take these words, and written as a name
# ("the Makefile", "README") they are files.
PROPER_FILES = frozenset(
    {
        "makefile",
        "dockerfile",
        "readme",
        "license",
        "licence",
        "changelog",
        "jenkinsfile",
        "vagrantfile",
        "gemfile",
        "procfile",
        "rakefile",
        "containerfile",
        "justfile",
        "brewfile",
        "caddyfile",
        "authors",
        "contributing",
        "notice",
        "copying",
        "install",
        "hosts",
        "passwd",
        "fstab",
        "crontab",
    }
)
_HERE_WORDS = frozenset({"project", "repo", "repository", "codebase", "workspace", "here"})
_NOT_PLACES = frozenset({"future", "past", "background", "foreground", "meantime", "morning", "evening", "order"})
_FOLDERISH = frozenset({"in", "inside", "under", "within", "folder", "directory", "dir"})
_IN_WORDS = frozenset({"in", "inside", "under", "within", "from"})


_FOLDERISH_NOUNS = frozenset({"folder", "directory", "dir"})


_NAMING = frozenset({"named", "called", "file", "files", "name"})
_POSITION_NOUNS = frozenset({"line", "column", "field", "row", "number", "no", "entry"})


def _extension_named(value: str) -> Entity | None:
    """ "C" or ".c" right before "files": a kind of file."""
    dotted = rx.fullmatch(r"\*?\.([A-Za-z0-9]{1,8})", value)
    if dotted:
        return Entity("ext", dotted.group(1))
    word = value.lower()
    return Entity("ext", EXTENSION_WORDS[word], verbatim=False) if word in EXTENSION_WORDS else None


def _program_word(item: Item) -> bool:
    return isinstance(item, Entity) or (isinstance(item, Word) and item.concept is not None)


def _names(item: Item) -> bool:
    return isinstance(item, Word) and item.text in ("named", "called")


def _written_as_name(raw: str, first: bool) -> bool:
    """ "README", "AUTHORS", or "Makefile" inside a sentence; a capital that only starts it ("Install") is not."""
    return raw.isupper() or (raw[:1].isupper() and (not first or raw.lower().endswith("file")))


def _merge_unknown(items: list[Item]) -> list[Item]:
    """Unknown words become `word` entities (names: processes, packages, branches); runs of them join."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Word) and item.text in PROPER_FILES and _written_as_name(item.raw, not out):
            item = Entity("file", item.raw)  # "Makefile", "Dockerfile", "README"
        if (isinstance(item, Word) and out and _names(out[-1]) and item.concept and not item.raw.isdigit()
                and item.text not in PLACING):
            item = Entity("word", item.raw, concept=item.concept)  # "folders named cache": a name
            item.named = True
        if isinstance(item, Word) and item.text in _FOLDERISH_NOUNS and out:
            previous = out[-1]
            if isinstance(previous, Entity) and previous.kind in ("var", "path", "dir") and item.concept:
                previous.absorbed = previous.absorbed | {item.concept}  # "$HOME directory", "/tmp folder"
                continue
        if isinstance(item, Entity) and out:
            previous = out[-1]
            if _names(previous) and isinstance(previous, Word) and previous.concept:
                item.absorbed = item.absorbed | {previous.concept}  # "a file called log.txt"
            if isinstance(previous, Word) and previous.text == "command" and previous.concept is None:
                out[-1] = previous = Word("command", previous.raw, "command")  # 'of command "passwd"'
            if isinstance(previous, Word) and previous.text in _NAMING:
                item.named = True  # "named 'x'", "the file 'x'": a name, not text to search for
                if previous.text == "file" and previous.concept and item.kind in ("file", "path", "quoted", "var"):
                    item.absorbed = item.absorbed | {previous.concept}  # "the file app.log"
            if item.kind == "var" and isinstance(previous, Word) and previous.text in _IN_WORDS:
                item.after_in = True  # "in $OUT": a folder
        if (
            isinstance(item, Word)
            and item.text in ("file", "files")
            and out
            and isinstance(out[-1], Entity)
            and out[-1].kind in ("quoted", "word")
            and (extension := _extension_named(out[-1].value)) is not None
        ):
            out[-1] = extension  # 'the ".c" files', '"C" files'
        if isinstance(item, Entity) and item.kind == "num" and out:
            previous = out[-1]
            item.positional = isinstance(previous, Word) and previous.text in _POSITION_NOUNS  # "line 42"
        if (
            isinstance(item, Word)
            and item.text == "command"
            and out
            and _program_word(out[-1])
            and not (isinstance(out[-1], Word) and out[-1].concept == "show")  # "show command history"
        ):
            item = Word("command", item.raw, "command")  # "the find command": a program, not filler
        if isinstance(item, Entity) and item.kind == "quoted":
            # "in 'My Folder'", "the directory 'My Folder'": a quoted folder, not a file or a pattern.
            before = [i for i in out[-2:] if not (isinstance(i, Word) and i.text in ("the", "my", "our"))]
            hint = before[-1].text if before and isinstance(before[-1], Word) else ""
            item.after_in = hint in _FOLDERISH and not rx.search(r"\.[A-Za-z][A-Za-z0-9]{0,7}$", item.value)
            if item.after_in and hint in ("folder", "directory", "dir"):
                item.absorbed = frozenset({"dir"})
        if isinstance(item, Word) and item.unknown and _NAMEY.match(item.text):
            last = out[-1] if out else None
            if isinstance(last, Entity) and last.kind == "word" and not last.value.isdigit():
                last.value += " " + item.raw
                continue
            before = [i for i in out[-2:] if not (isinstance(i, Word) and i.text in ("the", "my", "our"))]
            after_in = bool(before) and isinstance(before[-1], Word) and before[-1].text in _IN_WORDS
            if after_in and item.text in _NOT_PLACES:
                after_in = False  # "in the future", "in the background": words, not folders
            if after_in and item.text in _HERE_WORDS:
                out.append(Entity("dir", ".", absorbed=frozenset({"dir"})))  # "in the project" = here
                continue
            entity = Entity("word", item.raw, after_in=after_in)
            entity.named = bool(out) and _names(out[-1])
            out.append(entity)
        else:
            out.append(item)
    return out
