"""A second opinion on differences in form: a model asked whether a command does what the request asks.

Execution decides most cases, but two outputs can differ in form and both answer the request (`ls -la`
for "list the files", `uptime` for "show the load averages"), or agree by the letter and miss its point.
When the execution verdict is "wrong" and the candidate was not blocked, `caro eval --judge BACKEND` asks
any caro backend, with the request, both commands and what each printed, for a verdict and a reason.

Every caro backend answers with one shell command, so the judge is asked to answer with one as well:
`echo 'yes: <reason>'` or `echo 'no: <reason>'`. Its answer is read from the tool call, the parsed
command, or the plain text, in that order; anything that does not start with yes or no (after `echo` and
quotes) is "no verdict", as is a backend error. The judge never changes the execution verdict: both are
recorded, and the summary reports both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from caro.config import Settings
from caro.errors import CaroError
from caro.evaluation.dataset import Case
from caro.evaluation.sandbox import Outcome
from caro.evaluation.scoring import Score

OUTPUT_CHARS = 600  # of each stream shown to the judge

_VERDICT = re.compile(
    r"""^\s*(?:\$\s*)?(?:echo\s+(?:-[ne]+\s+)?)?["'`]?\s*(?:verdict\s*[:=]\s*)?(?P<word>yes|no)\b[\s:,.;!-]*(?P<reason>.*)""",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Verdict:
    """The judge's answer: "right", "wrong" or None (no verdict), with its reason."""

    verdict: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reason": self.reason}


def read_verdict(answer: str) -> Verdict:
    """`echo 'yes: same listing'` -> right; `no - it deletes` -> wrong; anything else -> no verdict."""
    text = answer.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        text = " ".join(str(data.get(key, "")) for key in ("verdict", "answer", "reason")).strip()
    found = _VERDICT.match(text)
    if not found:
        return Verdict(None, f"the judge gave no verdict: {_short(answer) or '(empty answer)'}")
    reason = found.group("reason").strip().rstrip("\"'`").strip() or "(no reason given)"
    if reason.upper().startswith("REASON"):
        # The question's own template, `echo 'yes: REASON'`, repeated back: a small model's echo, not a verdict.
        return Verdict(None, f"the judge repeated the answer template: {_short(answer)}")
    return Verdict("right" if found.group("word").lower() == "yes" else "wrong", _short(reason))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(data: bytes) -> str:
    text = data.decode(errors="replace")
    return text if len(text) <= OUTPUT_CHARS else text[:OUTPUT_CHARS] + f"… ({len(text)} characters)"


def _describe(outcome: Outcome | None) -> str:
    if outcome is None:
        return "not run"
    return (f"exit status {outcome.status}\nstdout:\n{_shown(outcome.stdout) or '(nothing)'}\n"
            f"stderr:\n{_shown(outcome.stderr) or '(nothing)'}")


def question(case: Case, command: str, score: Score) -> str:
    """What the judge is asked: the request, both commands and both outputs."""
    reference = score.compared_reference or case.references[0]
    return (
        "You are judging whether a shell command does what a request asks.\n"
        f"Request: {case.prompt}\n"
        f"Command to judge: {command}\n"
        f"What it did: {_describe(score.candidate_run)}\n"
        f"A correct command: {reference}\n"
        f"What that did: {_describe(score.reference_run)}\n"
        f"The automatic comparison found: {score.note or 'the outputs differ'}.\n"
        "Differences in form (another tool, other columns, other spelling) are fine when the request does "
        "not rule them out; a command that fails, does something else or more than asked is not.\n"
        "Answer with exactly one command: echo 'yes: REASON' if the command to judge does what the request "
        "asks, or echo 'no: REASON' if it does not."
    )


class Judge:
    """Asks one caro backend (chosen with --judge BACKEND[:MODEL]) for verdicts."""

    def __init__(self, settings: Settings, label: str) -> None:
        self.settings = settings
        self.label = label

    def ask(self, case: Case, command: str, score: Score) -> Verdict:
        from caro import backends, context, parsing
        from caro.backends.base import GenerationRequest

        request = GenerationRequest(
            prompt=question(case, command, score),
            context=context.build(self.settings),
            timeout=self.settings.timeout,
            stream=False,
            model=str(self.settings["model"]),
        )
        try:
            raw = backends.create(self.settings.backend, self.settings).generate(request)
        except CaroError as exc:
            return Verdict(None, f"the judge failed: {exc.message}")
        answers = [_arguments_text(call.arguments) for call in raw.tool_calls]
        try:
            answers.append(parsing.parse(raw).command)
        except CaroError:
            pass
        answers.append(raw.text)
        verdicts = [read_verdict(answer) for answer in answers if answer and answer.strip()]
        for verdict in verdicts:
            if verdict.verdict is not None:
                return verdict
        return verdicts[0] if verdicts else Verdict(None, "the judge gave no verdict: (empty answer)")


def _arguments_text(arguments: dict[str, Any] | str) -> str:
    data: Any = arguments
    if isinstance(arguments, str):
        try:
            data = json.loads(arguments)
        except ValueError:
            return arguments
    if isinstance(data, dict):
        return str(data.get("command") or data.get("cmd") or "")
    return ""
