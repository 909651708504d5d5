"""Scoring the catalog against a held-out request set: `python -m caro.catalog.evaluate [FILE] [-v]`.

Each JSONL line is {"prompt", "platform", "accept": [commands]} for an in-scope request, or
{"prompt", "platform", "expect": "decline"} for a vague or out-of-scope one.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from caro import catalog
from caro.context import Context

DEFAULT_SET = Path("data/catalog-heldout.jsonl")
_SHELLS = {"linux": "bash", "macos": "zsh", "windows": "powershell"}


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _same(a: str, b: str) -> bool:
    """The same command, word for word as the shell reads it ('*.py' and "*.py" agree)."""
    return _words(a) == _words(b)


@dataclass
class Report:
    in_scope: int = 0
    answered: int = 0
    correct: int = 0
    out_of_scope: int = 0
    declined_out: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    answered_out: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.answered if self.answered else 1.0

    @property
    def coverage(self) -> float:
        return self.answered / self.in_scope if self.in_scope else 0.0

    def summary(self) -> str:
        return (
            f"in-scope {self.in_scope}: answered {self.answered} ({self.coverage:.1%}), "
            f"correct {self.correct} ({self.precision:.1%} of answered); "
            f"out-of-scope {self.out_of_scope}: declined {self.declined_out}"
        )


def evaluate(path: Path = DEFAULT_SET) -> Report:
    report = Report()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        context = Context(case["platform"], _SHELLS[case["platform"]], "/")
        found = catalog.match(case["prompt"], context)
        label = f"[{case['platform']}] {case['prompt']!r}"
        if case.get("expect") == "decline":
            report.out_of_scope += 1
            if found is None:
                report.declined_out += 1
            else:
                report.answered_out.append(f"{label} -> {found.command} ({found.intent_id})")
            continue
        report.in_scope += 1
        if found is None:
            report.missed.append(label)
            continue
        report.answered += 1
        if any(_same(found.command, accepted) for accepted in case["accept"]):
            report.correct += 1
        else:
            report.wrong.append(f"{label} -> {found.command} ({found.intent_id}); want {case['accept'][0]}")
    return report


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [a for a in argv if a != "-v"]
    report = evaluate(Path(paths[0]) if paths else DEFAULT_SET)
    print(report.summary())
    if verbose:
        for title, lines in (
            ("WRONG", report.wrong),
            ("ANSWERED OUT-OF-SCOPE", report.answered_out),
            ("MISSED", report.missed),
        ):
            print(f"\n{title} ({len(lines)})")
            for line in lines:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
