"""Run an evaluation set through caro's normal pipeline and score every answer.

Each prompt goes through `caro.flow.generate` (prompt building, backend, parser, safety engine) exactly as
`caro PROMPT` would, with fallback to other backends turned off so the configuration under test is the
one that answers. Nothing the model suggests is run on the host: only the scorer's sandboxes run
commands.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from caro.config import Settings
from caro.errors import CaroError
from caro.evaluation.dataset import Case
from caro.evaluation.scoring import Score, Scorer

if TYPE_CHECKING:
    from caro.evaluation.judge import Judge, Verdict

# Methods where a judge is asked when the execution verdict is "wrong": the answer ran and differed, or
# could not be compared.
JUDGED_METHODS = ("functional", "normalized")

RISK_ORDER = {"critical": 4, "high": 3, "moderate": 2, "safe": 1}
# Misses ranked worst first: a wrong command that ran > one that could not run > blocked > no answer.
MISS_ORDER = {"functional": 0, "normalized": 1, "exact": 1, "blocked": 2, "unanswered": 3}


@dataclass
class CaseResult:
    """One case's answer and its score."""

    case: Case
    command: str | None
    score: Score
    risk: str | None = None
    backend: str | None = None
    model: str | None = None
    generation_ms: float | None = None
    total_ms: float | None = None
    error: str | None = None  # error code
    error_message: str = ""
    unparseable: bool = False
    judge: Verdict | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "prompt": self.case.prompt,
            "command": self.command,
            "correct": self.score.correct,
            "method": self.score.method,
            "category": self.case.category,
            "platform": self.case.platform,
            "references": list(self.case.references),
        }
        data.update({k: v for k, v in self.score.as_dict().items() if k not in ("correct", "method")})
        data.update({
            "risk": self.risk,
            "backend": self.backend,
            "model": self.model,
            "timing_ms": {"generation": _round(self.generation_ms), "total": _round(self.total_ms)},
            "error": {"code": self.error, "message": self.error_message} if self.error else None,
            "judge": self.judge.as_dict() if self.judge else None,
        })
        return data


@dataclass
class Run:
    """One configuration's results over the whole set."""

    label: str
    config: dict[str, Any]
    results: list[CaseResult] = field(default_factory=list)
    sandbox: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    judge: str | None = None  # the judge's label, when one was asked

    def summary(self, worst: int = 10) -> dict[str, Any]:
        return summarise(self, worst)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def summarise(run: Run, worst: int = 10) -> dict[str, Any]:
    results = run.results
    total = len(results)
    answered = sum(1 for r in results if r.command)
    correct = sum(1 for r in results if r.score.correct)
    methods: dict[str, int] = {}
    for r in results:
        methods[r.score.method] = methods.get(r.score.method, 0) + 1
    categories: dict[str, dict[str, Any]] = {}
    for r in results:
        entry = categories.setdefault(r.case.category, {"total": 0, "correct": 0})
        entry["total"] += 1
        entry["correct"] += int(r.score.correct)
    for entry in categories.values():
        entry["accuracy"] = _ratio(entry["correct"], entry["total"])
    totals = [r.total_ms for r in results if r.total_ms is not None and r.command]
    generations = [r.generation_ms for r in results if r.generation_ms is not None]
    misses = sorted(
        (r for r in results if not r.score.correct),
        key=lambda r: (MISS_ORDER.get(r.score.method, 9), -RISK_ORDER.get(r.risk or "", 0), r.case.line),
    )
    return {
        "total": total,
        "answered": answered,
        "correct": correct,
        "accuracy": _ratio(correct, total),
        "unanswered": total - answered,
        "unparseable": sum(1 for r in results if r.unparseable),
        "unparseable_rate": _ratio(sum(1 for r in results if r.unparseable), total),
        "blocked": sum(1 for r in results if r.score.method == "blocked"),
        "declined": sum(1 for r in results if r.error == "declined" and not r.command),
        "errors": sum(1 for r in results if r.error and not r.command
                      and r.error not in ("declined", "unparseable_output")),
        "exact_match": _ratio(sum(1 for r in results if r.score.exact), total),
        "normalized_match": _ratio(sum(1 for r in results if r.score.normalized), total),
        "functional_checked": sum(1 for r in results if r.score.functional is not None),
        # Decided by comparing what the commands did, with no one's opinion on differences in form.
        "decided_by_output": sum(1 for r in results if r.score.method == "functional"),
        "judge": _judge_summary(run, correct, total),
        "methods": dict(sorted(methods.items())),
        "methods_correct": {m: sum(1 for r in results if r.score.method == m and r.score.correct)
                            for m in sorted(methods)},
        "by_category": dict(sorted(categories.items())),
        "latency_ms": {
            "p50": _round(percentile(totals, 50)),
            "p95": _round(percentile(totals, 95)),
            "mean": _round(sum(totals) / len(totals)) if totals else None,
            "max": _round(max(totals)) if totals else None,
        },
        "generation_ms": {"p50": _round(percentile(generations, 50)), "p95": _round(percentile(generations, 95))},
        "sandbox": run.sandbox,
        "duration_s": round(run.duration_s, 1),
        "worst_misses": [
            {"prompt": r.case.prompt, "command": r.command, "references": list(r.case.references),
             "category": r.case.category, "method": r.score.method, "risk": r.risk,
             "note": r.score.note or r.error_message,
             "judge": r.judge.as_dict() if r.judge else None}
            for r in misses[:worst]
        ],
    }


def _judge_summary(run: Run, correct: int, total: int) -> dict[str, Any] | None:
    """What the judge said about the cases execution called wrong; None when no judge was asked."""
    if run.judge is None:
        return None
    asked = [r for r in run.results if r.judge is not None]
    right = sum(1 for r in asked if r.judge and r.judge.verdict == "right")
    wrong = sum(1 for r in asked if r.judge and r.judge.verdict == "wrong")
    return {
        "backend": run.judge,
        "asked": len(asked),
        "right": right,
        "wrong": wrong,
        "no_verdict": len(asked) - right - wrong,
        # Execution's right answers plus those the judge called right: an upper figure, next to accuracy.
        "accuracy_with_judge": _ratio(correct + right, total),
    }


def _error_kind(error: CaroError) -> tuple[str, bool]:
    """(error code, whether the model answered without a usable command)."""
    cause = error.__cause__ if isinstance(error.__cause__, CaroError) else getattr(error, "cause", None)
    code = cause.code if isinstance(cause, CaroError) else error.code
    if code == "unparseable_output":
        return code, True
    # A lone backend's failure is wrapped in NoBackendError; the model's raw text rides along in
    # `detail` only when it answered without a command.
    if code == "no_backend" and error.detail:
        return "unparseable_output", True
    if code == "no_backend":
        return "declined", False  # the lone backend gave no answer and no text: treated as a decline
    return code, False


def evaluate_case(case: Case, settings: Settings, scorer: Scorer, judge: Judge | None = None) -> CaseResult:
    from caro import flow

    case_settings = settings.with_values(platform=case.platform) if case.platform != "any" else settings
    result = flow.generate(case.prompt, case_settings)
    command = result.command or None
    error = result.error
    code, unparseable = (None, False)
    if error is not None and not command:
        code, unparseable = _error_kind(error)
    elif error is not None:
        code = error.code
    score = scorer.score(case, command, blocked=result.blocked, risk=result.risk)
    opinion = None
    if judge is not None and command and not score.correct and score.method in JUDGED_METHODS:
        opinion = judge.ask(case, command, score)
    return CaseResult(
        case,
        command,
        score,
        risk=result.risk,
        backend=result.backend,
        model=result.model,
        generation_ms=result.generation_ms,
        total_ms=result.total_ms,
        error=code,
        error_message=error.message if error is not None else "",
        unparseable=unparseable,
        judge=opinion,
    )


def run(
    cases: list[Case],
    settings: Settings,
    scorer: Scorer,
    *,
    label: str,
    config: dict[str, Any],
    sandbox_info: dict[str, Any],
    on_case: Callable[[int, CaseResult], None] | None = None,
    judge: Judge | None = None,
) -> Run:
    """Evaluate every case with one configuration (and a judge's second opinion, when given)."""
    started = time.perf_counter()
    outcome = Run(label, config, sandbox=sandbox_info, judge=judge.label if judge else None)
    for index, case in enumerate(cases):
        result = evaluate_case(case, settings, scorer, judge)
        outcome.results.append(result)
        if on_case:
            on_case(index + 1, result)
    outcome.duration_s = time.perf_counter() - started
    return outcome
