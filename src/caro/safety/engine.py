"""The pipeline behind assess(): sanitise, parse, judge every simple command, apply user rules and intent."""

from __future__ import annotations

from caro import patterns as rx
from caro.safety import rules
from caro.safety.model import CRITICAL, HIGH, MODERATE, RISKS, SAFE, Finding
from caro.safety.parse import parse
from caro.safety.sanitize import sanitize

TYPE_CHECKING = False  # typing only for the type checker: it is not on the start path
if TYPE_CHECKING:
    from typing import Any


def _compile(pattern: str) -> rx.Pattern[str] | None:
    """A user's allow or deny pattern, or None when it is not a valid regular expression."""
    try:
        return rx.compile(pattern)
    except Exception:  # re.error, or RecursionError on a pathological pattern: reported by the caller
        return None


class Judgement:
    """What evaluate() found: the cleaned command, the findings and notes, and whether to always ask."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.findings: list[Finding] = []
        self.warnings: list[str] = []
        self.must_ask = False  # unparseable or hidden text: never run without asking, whatever the mode
        self.first: Finding | None = None  # the request check's finding: always the first reason

    @property
    def level(self) -> int:
        return max((f.level for f in self.findings), default=SAFE)

    def reasons(self) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        if self.first is not None:
            out.append(f"{RISKS[max(self.first.level, self.level)]}: {self.first.reason}")
        for finding in sorted(self.findings, key=lambda f: -f.level):
            # the same finding reached twice (a PowerShell line is also read as POSIX) is said once
            key = rx.sub(r"[\s'\":]+", " ", finding.reason.lower())
            if key not in seen:
                seen.add(key)
                out.append(f"{RISKS[finding.level]}: {finding.reason}")
        return out


def _allowed(patterns: list[rx.Pattern[str]], *texts: str) -> bool:
    return any(p.fullmatch(t.strip()) for p in patterns for t in texts if t)


def evaluate(command: str, *, prompt: str | None, shell: str, allow: list[str] | None,
             deny: list[dict[str, Any]] | None) -> Judgement:
    cleaned = sanitize(command)
    result = Judgement(cleaned.command)
    result.warnings += cleaned.warnings
    text = cleaned.command
    if cleaned.hidden:
        result.must_ask = True
        result.findings.append(Finding(MODERATE, "The command contained hidden characters (escape sequences, "
                                                 "invisible or direction-changing Unicode), now removed; check what remains."))
    if cleaned.too_long:
        result.must_ask = True
        result.findings.append(Finding(HIGH, f"The command is {len(text)} characters long: too long to review at a glance."))
    if cleaned.lines > 1:
        result.must_ask = True
        result.warnings.append(f"this is a multi-line script ({cleaned.lines} lines); every line is shown and judged")
        result.findings.append(Finding(MODERATE, f"A multi-line script ({cleaned.lines} lines): read every line, "
                                                 "each of them runs."))
    if prompt:
        from caro.safety import intent

        result.findings += intent.intent_findings(prompt)
    if not text:
        result.warnings.append("the command is empty")
        return result

    kind = "powershell" if shell in ("powershell", "pwsh") else "cmd" if shell == "cmd" else "bash"
    script = parse(text, kind)
    for problem in dict.fromkeys(script.problems):
        result.warnings.append(problem)
    if script.problems:
        result.must_ask = True
        result.findings.append(Finding(MODERATE, "caro could not parse all of this command, so it cannot tell "
                                                 "everything it does; read it before running it."))
    commands = script.commands
    if kind == "powershell":
        # On Linux and macOS, PowerShell runs native commands: `rm -rf /` there is /bin/rm.
        native = parse(text, "bash", fallback_on_error=False).commands
        for cmd in native:
            cmd.guessed = True  # judged by the POSIX rules only: not every PowerShell word is a program
        commands = commands + native

    allow_patterns = [p for p in (_compile(a) for a in (allow or []) if isinstance(a, str)) if p is not None]
    if allow and len(allow_patterns) < len(allow):
        result.warnings.append("some safety_rules.allow patterns are not valid regular expressions and were ignored")
    whole_allowed = _allowed(allow_patterns, text)
    if whole_allowed:
        result.findings.append(Finding(SAFE, "your safety_rules.allow rule allows this command."))
    if not whole_allowed:
        for cmd in commands:
            if allow_patterns and _allowed(allow_patterns, cmd.text, " ".join(cmd.argv)):
                result.findings.append(Finding(SAFE, f"{cmd.label()}: allowed by your safety_rules.allow rule."))
                continue
            result.findings += rules.judge(cmd)
        result.findings += script.findings
        result.findings += rules.script_findings(commands)
        if script.problems:
            result.findings += rules.text_findings(text)
    if prompt:
        from caro.safety import request  # the request check: only when there is a request

        result.first = request.mismatch(prompt, commands)
    if result.first is not None:
        result.must_ask = True  # the answer does more than was asked: never run it without a yes
    if cleaned.backticked:
        result.findings += _as_pasted(cleaned.backticked, kind)
    _apply_deny(result, deny, text, [" ".join(c.argv) for c in commands])
    return result


def _as_pasted(backticked: str, kind: str) -> list[Finding]:
    r"""`\`echo cm0g… | base64 -d\``: pasted with its backticks, the shell runs what the inside prints."""
    found: list[Finding] = []
    for cmd in parse(backticked, kind).commands:
        found += [f for f in rules.judge(cmd) if f.level >= HIGH]
    return [Finding(f.level, "Pasted with its backticks, the shell would run what the command prints: "
                             f"{f.reason}") for f in found]


def _apply_deny(result: Judgement, deny: list[dict[str, Any]] | None, text: str, normalised: list[str]) -> None:
    for entry in deny or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            continue
        pattern = _compile(entry["pattern"])
        if pattern is None:
            result.warnings.append(f"deny pattern {entry['pattern']!r} is not a valid regular expression; "
                                   "matched it as plain text")
            pattern = rx.compile(rx.escape(entry["pattern"]))
        if pattern.search(text) or any(pattern.search(n) for n in normalised):
            level = entry.get("level", "high")
            index = RISKS.index(level) if level in RISKS else HIGH
            message = entry.get("message") or "matches one of your deny rules"
            result.findings.append(Finding(min(index, CRITICAL), f"{message} (your rule: /{entry['pattern']}/)"))
