"""Checks a dataset file line by line: schema, safety of every target, duplicates, split leakage, length.

Every finding names the file and line, so a broken line is found in seconds.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.training import examples as ex

# Two prompts whose character-trigram sets overlap this much are the same request reworded.
NEAR_DUPLICATE = 0.7
# Rough characters per token when no tokenizer is given (Gemma-style vocabularies on English and shell).
CHARS_PER_TOKEN = 3.5


@dataclass
class Issue:
    path: str
    line: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class Row:
    """One readable line: where it is, its form, and the facts the checks compare."""

    path: str
    line: int
    form: str
    prompt: str
    command: str
    os: str
    shell: str
    record: dict[str, Any]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    lines: int = 0
    max_tokens_seen: int = 0
    tokens_measured: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "examples": len(self.rows),
            "lines": self.lines,
            "errors": len(self.errors),
            "warnings": len(self.issues) - len(self.errors),
            "forms": dict(Counter(r.form for r in self.rows)),
            "os": dict(Counter(r.os for r in self.rows if r.os)),
            "shell": dict(Counter(r.shell for r in self.rows if r.shell)),
            "refusals": sum(1 for r in self.rows if not r.command),
            "max_tokens": self.max_tokens_seen,
            "tokens": "measured" if self.tokens_measured else "estimated",
        }


def normalise(prompt: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", prompt.lower()).split())


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def read_rows(path: Path, report: Report) -> Iterator[Row]:
    """Yield each valid line of a file as a Row; record an Issue for each invalid one."""
    name = str(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        report.issues.append(Issue(name, 0, f"cannot read the file: {exc.strerror or exc}"))
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            report.lines += 1
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                report.issues.append(Issue(name, number, f"not valid JSON: {exc}"))
                continue
            if not isinstance(record, dict):
                report.issues.append(Issue(name, number, "each line must be a JSON object"))
                continue
            form = ex.detect_form(record)
            try:
                if form == "authoring":
                    example = ex.parse_authoring(record)
                    yield Row(name, number, form, example.prompt, example.command, example.os, example.shell,
                              record)
                elif form == "chat":
                    prompt, command, _ = ex.check_chat(record)
                    yield Row(name, number, form, prompt, command, "", "", record)
                else:
                    if not isinstance(record["text"], str) or "<start_of_turn>user" not in record["text"]:
                        raise ex.ExampleError("'text' must be a rendered conversation with a user turn")
                    yield Row(name, number, form, "", "", "", "", record)
            except ex.ExampleError as exc:
                report.issues.append(Issue(name, number, str(exc)))


def check_safety(rows: Iterable[Row], report: Report) -> None:
    """Every target must be at most moderate risk: dangerous requests are taught as refusals or alternatives."""
    from caro.safety import assess

    for row in rows:
        if not row.command:
            continue
        shell = row.shell or "bash"
        # The target alone is judged: a safe alternative to a dangerous request is still a safe command,
        # though caro will flag the request itself when it is served.
        verdict = assess(row.command, mode="moderate", shell=shell)
        if verdict.risk in ("high", "critical") or verdict.blocked:
            why = "; ".join(verdict.reasons) or "no reason given"
            report.issues.append(Issue(row.path, row.line, f"target command is {verdict.risk} risk ({why}); "
                                       "teach a refusal or a safer alternative instead"))


def check_duplicates(rows: list[Row], report: Report) -> None:
    seen: dict[tuple[str, str, str], Row] = {}
    for row in rows:
        if not row.prompt:
            continue
        key = (normalise(row.prompt), row.os, row.shell)
        first = seen.get(key)
        if first is not None:
            report.issues.append(Issue(row.path, row.line, f"duplicate of line {first.line}: same request "
                                       f"for the same OS and shell ({row.prompt!r})"))
        else:
            seen[key] = row


def check_leakage(rows: list[Row], others: list[Row], report: Report, threshold: float = NEAR_DUPLICATE) -> None:
    """A held-out split must not hold a request the training split has, even reworded slightly."""
    indexed = [(o, trigrams(normalise(o.prompt))) for o in others if o.prompt]
    for row in rows:
        if not row.prompt:
            continue
        grams = trigrams(normalise(row.prompt))
        for other, other_grams in indexed:
            score = similarity(grams, other_grams)
            if score >= threshold:
                report.issues.append(Issue(row.path, row.line, f"near-duplicate of {other.path}:{other.line} "
                                           f"(similarity {score:.2f}): {row.prompt!r} ~ {other.prompt!r}"))
                break


def prompts_of(path: Path, report: Report) -> list[Row]:
    """The requests in another split or an evaluation set: any line with a "prompt" (or a chat user turn)."""
    found: list[Row] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        report.issues.append(Issue(str(path), 0, f"cannot read the file: {exc}"))
        return found
    for number, raw in enumerate(lines, 1):
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        prompt = record.get("prompt")
        if not isinstance(prompt, str) and isinstance(record.get("messages"), list):
            users = [m.get("content") for m in record["messages"] if isinstance(m, dict) and m.get("role") == "user"]
            prompt = users[-1] if users else None
        if isinstance(prompt, str) and prompt.strip():
            found.append(Row(str(path), number, "other", prompt, "", "", "", record))
    return found


def check_lengths(rows: list[Row], report: Report, max_tokens: int, tokenizer: Any = None) -> None:
    """Rendered length of each example in tokens: measured with the model's tokenizer when given."""
    renderer = ex.Renderer(tokenizer)
    report.tokens_measured = tokenizer is not None
    render = tokenizer is not None or jinja_available()
    for row in rows:
        if row.form == "text":
            text = row.record["text"]
        else:
            chat = row.record if row.form == "chat" else ex.to_chat(ex.parse_authoring(row.record))
            text = ex.to_text(chat, renderer) if render else _plain_text(chat)
        if tokenizer is not None:
            count = len(tokenizer(text, add_special_tokens=True)["input_ids"])
        else:
            count = int(len(text) / CHARS_PER_TOKEN) + 1
        report.max_tokens_seen = max(report.max_tokens_seen, count)
        if count > max_tokens:
            how = "tokens" if tokenizer is not None else "tokens (estimated; pass --tokenizer to measure)"
            report.issues.append(Issue(row.path, row.line, f"{count} {how} exceeds the limit of {max_tokens}",
                                       "error" if tokenizer is not None else "warning"))


def jinja_available() -> bool:
    """jinja2 renders chat templates; a plain install (no 'train' extra) may not have it."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return False
    return True


def _plain_text(chat: dict[str, Any]) -> str:
    """Without jinja2 (a plain install) the template cannot be rendered: estimate from the conversation's
    words, the tool declarations and FunctionGemma's markup around them."""
    parts = [str(m.get("content") or "") + json.dumps(m.get("tool_calls") or "") for m in chat["messages"]]
    return "<start_of_turn>developer\n" + json.dumps(chat.get("tools") or []) + "".join(parts) + "<end_of_turn>" * 3


def validate(
    path: Path,
    *,
    against: list[Path] | None = None,
    safety: bool = True,
    max_tokens: int = 1024,
    tokenizer: Any = None,
) -> Report:
    """Run every check on `path`; `against` are other splits it must not leak into."""
    report = Report()
    report.rows = list(read_rows(path, report))
    if not report.rows and report.lines and not report.issues:
        report.issues.append(Issue(str(path), 0, "no examples in the file"))
    if report.lines == 0 and not report.issues:
        report.issues.append(Issue(str(path), 0, "the file is empty"))
    check_duplicates(report.rows, report)
    if safety:
        check_safety(report.rows, report)
    for other_path in against or []:
        check_leakage(report.rows, prompts_of(other_path, report), report)
    check_lengths(report.rows, report, max_tokens, tokenizer)
    report.issues.sort(key=lambda i: (i.path, i.line))
    return report
