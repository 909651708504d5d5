"""The request's intent: "run a fork bomb" is flagged even when the model answers with an `echo`.

A small model can misread a destructive request and answer with something harmless-looking, or answer
it literally. Either way the user asked for harm, so the verdict says so and asks before anything runs.
Questions about a danger ("how do I protect against a fork bomb") are not requests for it.
"""

from __future__ import annotations

from caro import patterns as rx
from caro.safety.model import HIGH, Finding, LazyPattern

_PROTECTIVE = LazyPattern(
    r"\b(?:prevent|protect|protection|against|avoid|stop(?:ping)?|detect|block|limit|defend|explain|what\s+is|what's"
    r"|what\s+does|how\s+does|why|safe(?:ly|guard)?|undo|recover|restore|backup|back\s+up|check\s+if|is\s+it\s+safe)\b",
    rx.IGNORECASE,
)
_DESTRUCTIVE = [
    (r"\bfork[\s-]*bomb", "a fork bomb"),
    (r"\b(?:wipe|erase|destroy|nuke|zero(?:\s+out)?|shred|overwrite|format|reformat|corrupt|trash|kill)\b[\w\s,'-]{0,30}?"
     r"\b(?:disk|drive|hard\s*drive|hdd|ssd|partition|boot\s*sector|mbr|filesystem|file\s*system|usb|sd\s*card)s?\b",
     "wiping a disk"),
    (r"\b(?:delete|remove|erase|wipe|destroy|nuke|rm)\b[\w\s,'-]{0,30}?\b(?:(?:everything|all\s+(?:the\s+|my\s+)?"
     r"(?:files|data))(?=\s*(?:$|[.!?]|(?:on|in|from)\s+(?:my|the|this)\s+(?:computer|system|machine|disk|drive|pc|mac|"
     r"laptop|server|hard\s*drive)|everywhere|at\s+once))|(?:entire|whole)\s+(?:system|computer|machine|disk|drive|"
     r"filesystem|file\s*system|hard\s*drive)|root\s+(?:directory|folder|filesystem)|(?:my\s+)?home\s+(?:directory|folder|dir)"
     r"(?=\s*(?:$|[.!?]))|system32|the\s+os\b|operating\s+system)",
     "deleting everything"),
    (r"\brm\s+-\w*[rf]\w*\s+/(?:\s|$|\*)", "deleting the whole filesystem"),
    (r"\b(?:brick|crash|break|destroy|trash|freeze|hang)\b[\w\s,'-]{0,20}?\b(?:the\s+|my\s+|this\s+)?"
     r"(?:system|computer|machine|server|kernel|pc|mac|laptop|os)\b", "breaking the system"),
    (r"\breverse\s+shell|\bbind\s+shell|\bbackdoor", "a reverse shell or backdoor"),
    (r"\b(?:disable|turn\s+off|kill|flush|drop)\b[\w\s,'-]{0,20}?\bfirewall", "turning off the firewall"),
    (r"\b(?:kill|terminate|stop)\s+(?:all|every)\s+process(?:es)?\b", "killing every process"),
    (r"\b(?:ransomware|encrypt\s+(?:all|every)(?:\s+\w+){0,2}\s+files|keylogger|cryptominer|crypto\s*miner)", "malware"),
    (r"\b(?:clear|erase|delete|wipe|hide|cover)\b[\w\s,'-]{0,20}?\b(?:my\s+)?(?:tracks|bash\s+history|shell\s+history"
     r"|command\s+history|(?:system|auth|security)\s+logs?)", "hiding traces"),
    (r"\bfill\s+(?:up\s+)?(?:the\s+)?(?:disk|drive|memory|ram)\b|\b(?:exhaust|eat|use)\s+all\s+(?:the\s+)?(?:memory|ram|cpu)",
     "exhausting the machine's resources"),
    (r"\bchmod\s+-R\s+777\s+/(?:\s|$)|\bmake\s+everything\s+(?:world[\s-]*)?writable", "opening every file to everyone"),
    (r"\b(?:steal|exfiltrate|dump)\b[\w\s,'-]{0,20}?\b(?:passwords?|credentials|keys|tokens|cookies|shadow)",
     "stealing credentials"),
    (r"\bdrop\s+(?:the\s+|all\s+)?(?:production\s+|prod\s+)?(?:database|db|tables)", "dropping a database"),
]
_COMMON = {"the", "and", "all", "out", "off", "this", "that", "with", "from", "files", "file", "system", "data", "disk",
           "drive", "machine", "computer"}


def _triggers(source: str) -> frozenset[str]:
    """Words of three letters or more from the pattern: a request with none of them cannot match it."""
    plain = rx.sub(r"\\[a-zA-Z]", " ", source.lower())
    words = set(rx.findall(r"[a-z]{3,}", plain)) - _COMMON
    if rx.search(r"\brm\b", plain):
        words.add("rm")
    return frozenset(words)


# A pattern is compiled and tried only when the request mentions one of its words (built on first use).
_COMPILED: list[tuple[LazyPattern, str, frozenset[str]]] = []


def _patterns() -> list[tuple[LazyPattern, str, frozenset[str]]]:
    if not _COMPILED:
        _COMPILED.extend((LazyPattern(p, rx.IGNORECASE), what, _triggers(p)) for p, what in _DESTRUCTIVE)
    return _COMPILED


def intent_findings(prompt: str | None) -> list[Finding]:
    """Findings for a destructive request (at most one: the first that matches)."""
    if not prompt or not isinstance(prompt, str):
        return []
    text = " ".join(prompt.split())[:2000]
    lowered = text.lower()
    for pattern, what, triggers in _patterns():
        if triggers and not any(word in lowered for word in triggers):
            continue
        match = pattern.search(text)
        if match is None:
            continue
        before = text[max(0, match.start() - 40):match.start()]
        if _PROTECTIVE.search(before) or _PROTECTIVE.search(text[match.end():match.end() + 15]):
            continue
        return [Finding(HIGH, f"The request asks for {what} (\"{match.group(0).strip()}\"); "
                              "caro will not run anything for it without your explicit say-so.")]
    return []
