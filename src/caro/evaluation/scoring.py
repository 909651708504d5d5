"""Scoring one answer against a case's references: functional equivalence, normalised match, exact match.

The decision, per case:
1. no command (declined, unparseable, backend error) -> wrong, method "unanswered";
2. the safety engine blocked it -> wrong, method "blocked";
3. the same text as a reference -> right, method "exact";
4. the same normalised form as a reference -> right, method "normalized" (normalisation keeps meaning);
5. otherwise, when a sandbox is available and both commands may run (rated safe or moderate, Linux
   userland): run the candidate and each usable reference in identical sandboxes; same stdout, stderr,
   exit status and file tree as any reference -> right, else wrong; method "functional".

   A reference that fails is not a reference: it is usable only when it ends with the case's exit status
   (0 unless the case names another) and no stage of its pipeline failed with a message on stderr. It
   must also run within the limits, do something visible (no output and no file change proves nothing:
   `true` matches any silent command) and give the same effects on a second run (clocks, PIDs and random
   output make a reference unusable). A candidate that fails is wrong whatever it printed, so two
   failures are never "the same". A reference that prints nothing and changes files is compared on exit
   status, stderr and files only, so `tar -cvf` matches `tar -cf`;
6. no usable functional comparison -> wrong, decided by the string metrics ("normalized"), with the
   reason the candidate was not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caro.evaluation.dataset import Case
from caro.evaluation.normalize import normalise
from caro.evaluation.sandbox import Outcome, Sandbox

RUNNABLE_RISKS = ("safe", "moderate")


@dataclass
class Score:
    """How one answer was judged."""

    correct: bool
    method: str  # functional | normalized | exact | unanswered | blocked
    exact: bool = False
    normalized: bool = False
    functional: bool | None = None  # None: not compared by running
    note: str = ""  # why it was not run, or what differed
    matched: str | None = None  # the reference it matched
    # What the commands did, for a judge: the candidate's and the closest reference's outcome.
    candidate_run: Outcome | None = field(default=None, repr=False)
    reference_run: Outcome | None = field(default=None, repr=False)
    compared_reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "method": self.method,
            "exact": self.exact,
            "normalized": self.normalized,
            "functional": self.functional,
            "note": self.note,
            "matched_reference": self.matched,
        }


@dataclass
class ReferenceRun:
    outcome: Outcome | None
    usable: bool
    why: str = ""
    # The reference prints nothing and changes files: its purpose is the change, so extra chatter on
    # stdout (tar -v, cp -v) is not held against a candidate.
    effects_only: bool = False


@dataclass
class Scorer:
    """Scores answers; caches reference runs so each reference runs once per evaluation."""

    sandbox: Sandbox | None = None
    mode: str = "moderate"
    _references: dict[tuple[str, str], ReferenceRun] = field(default_factory=dict)

    def _risk(self, command: str) -> str:
        from caro import safety

        return safety.assess(command, mode=self.mode).risk

    def reference_run(self, case: Case, reference: str) -> ReferenceRun:
        key = (case.key, reference)
        if key not in self._references:
            self._references[key] = self._run_reference(case, reference)
        return self._references[key]

    def _run_reference(self, case: Case, reference: str) -> ReferenceRun:
        assert self.sandbox is not None
        risk = self._risk(reference)
        if risk not in RUNNABLE_RISKS:
            return ReferenceRun(None, False, f"reference rated {risk}, not run")
        first = self._run(case, reference)
        if first.error:
            return ReferenceRun(first, False, f"sandbox error: {first.error}")
        if first.limited:
            return ReferenceRun(first, False, "reference exceeded the sandbox limits")
        if first.status in (126, 127) and case.status not in (126, 127):
            return ReferenceRun(first, False, "reference needs a tool the sandbox lacks")
        if first.failed(case.status):
            return ReferenceRun(first, False, f"reference fails in the sandbox ({describe_failure(first, case.status)})")
        changed = bool(first.changes)
        if not first.stdout and not first.stderr and not changed:
            # Nothing to see: any command that prints nothing would match (`true`, `find` finding nothing).
            return ReferenceRun(first, False, "reference has no visible effect here")
        second = self._run(case, reference)
        if not first.same_effects(second):
            return ReferenceRun(first, False, "reference output varies between runs")
        return ReferenceRun(first, True, effects_only=changed and not first.stdout)

    def _run(self, case: Case, command: str) -> Outcome:
        assert self.sandbox is not None
        return self.sandbox.run(command, case.files, setup=case.setup, cwd=case.cwd)

    def score(self, case: Case, command: str | None, *, blocked: bool = False, risk: str | None = None) -> Score:
        if not command:
            return Score(False, "unanswered")
        if blocked:
            return Score(False, "blocked", note=f"blocked by the safety engine (risk {risk})")
        stripped = command.strip()
        for reference in case.references:
            if stripped == reference.strip():
                return Score(True, "exact", exact=True, normalized=True, matched=reference)
        form = normalise(stripped)
        for reference in case.references:
            if form == normalise(reference):
                return Score(True, "normalized", normalized=True, matched=reference)
        if risk is None and self.sandbox is not None:
            risk = self._risk(stripped)
        why = self._why_not_runnable(case, risk)
        if why:
            return Score(False, "normalized", note=why)
        usable = [(ref, run) for ref in case.references if (run := self.reference_run(case, ref)).usable]
        if not usable:
            reasons = {self.reference_run(case, ref).why for ref in case.references}
            return Score(False, "normalized", note="; ".join(sorted(reasons)))
        outcome = self._run(case, stripped)
        if outcome.error:
            return Score(False, "normalized", note=f"sandbox error: {outcome.error}")
        first_ref, first_run = usable[0]

        def scored(correct: bool, note: str = "", matched: str | None = None) -> Score:
            return Score(correct, "functional", functional=correct, note=note, matched=matched,
                         candidate_run=outcome, reference_run=first_run.outcome, compared_reference=first_ref)

        if outcome.failed(case.status):
            # Whatever it printed: a failing command is not an answer, even when a reference fails alike.
            return scored(False, f"the command fails ({describe_failure(outcome, case.status)})")
        differences: list[str] = []
        for reference, run in usable:
            assert run.outcome is not None
            same = (outcome.status, outcome.stderr, outcome.changes) == (
                run.outcome.status, run.outcome.stderr, run.outcome.changes) if run.effects_only \
                else outcome.same_effects(run.outcome)
            if same:
                return scored(True, matched=reference)
            differences = differences or outcome.differences(run.outcome)
        limit = " (stopped by the sandbox limits)" if outcome.limited else ""
        return scored(False, "; ".join(differences) + limit)

    def _why_not_runnable(self, case: Case, risk: str | None) -> str:
        if self.sandbox is None:
            return "not run: no sandbox"
        if case.platform == "macos":
            return "not run: macOS case (the sandbox has a GNU userland)"
        if risk is not None and risk not in RUNNABLE_RISKS:
            return f"not run: rated {risk}"
        return ""


def describe_failure(outcome: Outcome, expected: int = 0) -> str:
    """`exit 2: ls: cannot access 'x': No such file or directory` (the first line of stderr)."""
    message = outcome.stderr.decode(errors="replace").strip().splitlines()
    if outcome.status != expected:
        where = f"exit {outcome.status}" + (f", expected {expected}" if expected else "")
    else:
        stages = outcome.pipestatus[:-2]
        where = f"a pipeline stage exits {next((c for c in stages if c not in (0, 141)), outcome.status)}"
    return where + (f": {message[0][:120]}" if message else "")
