"""Scoring one answer against a case's references: functional equivalence, normalised match, exact match.

The decision, per case:
1. no command (declined, unparseable, backend error) -> wrong, method "unanswered";
2. the safety engine blocked it -> wrong, method "blocked";
3. the same text as a reference -> right, method "exact";
4. the same normalised form as a reference -> right, method "normalized" (normalisation keeps meaning);
5. otherwise, when a sandbox is available and both commands may run (rated safe or moderate, Linux
   userland): run the candidate and each usable reference in identical sandboxes; same stdout, exit
   status and file tree as any reference -> right, else wrong; method "functional". A reference is
   usable when it ran within the limits, was found (exit 126/127 means the tool is missing here), did
   something visible (no output and no file change proves nothing: `git log` outside a repository fails
   the same way as `git status`, and `true` matches any silent command), and gave the same effects on a second run (clocks, PIDs and
   random output make a reference unusable). A reference that prints nothing and changes files is
   compared on exit status and files only, so `tar -cvf` matches `tar -cf`;
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
        first = self.sandbox.run(reference, case.files)
        if first.error:
            return ReferenceRun(first, False, f"sandbox error: {first.error}")
        if first.limited:
            return ReferenceRun(first, False, "reference exceeded the sandbox limits")
        if first.status in (126, 127):
            return ReferenceRun(first, False, "reference needs a tool the sandbox lacks")
        baseline = self.baseline(case)
        changed = first.tree != baseline.tree
        if not first.stdout and not changed:
            # Nothing to see: any command that prints nothing would match (`true`, a failing `git log`).
            why = f"fails in the sandbox (exit {first.status}, no output)" if first.status else "has no visible effect here"
            return ReferenceRun(first, False, f"reference {why}")
        second = self.sandbox.run(reference, case.files)
        if not first.same_effects(second):
            return ReferenceRun(first, False, "reference output varies between runs")
        return ReferenceRun(first, True, effects_only=changed and not first.stdout)

    def baseline(self, case: Case) -> Outcome:
        """The fixture as the sandbox shows it when nothing runs."""
        key = (case.key, "")
        if key not in self._references:
            assert self.sandbox is not None
            self._references[key] = ReferenceRun(self.sandbox.run("true", case.files), False)
        outcome = self._references[key].outcome
        assert outcome is not None
        return outcome

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
        assert self.sandbox is not None
        outcome = self.sandbox.run(stripped, case.files)
        if outcome.error:
            return Score(False, "normalized", note=f"sandbox error: {outcome.error}")
        differences: list[str] = []
        for reference, run in usable:
            assert run.outcome is not None
            same = (outcome.status, outcome.tree) == (run.outcome.status, run.outcome.tree) if run.effects_only \
                else outcome.same_effects(run.outcome)
            if same:
                return Score(True, "functional", functional=True, matched=reference)
            differences = differences or outcome.differences(run.outcome)
        limit = " (stopped by the sandbox limits)" if outcome.limited else ""
        return Score(False, "functional", functional=False, note="; ".join(differences) + limit)

    def _why_not_runnable(self, case: Case, risk: str | None) -> str:
        if self.sandbox is None:
            return "not run: no sandbox"
        if case.platform == "macos":
            return "not run: macOS case (the sandbox has a GNU userland)"
        if risk is not None and risk not in RUNNABLE_RISKS:
            return f"not run: rated {risk}"
        return ""
