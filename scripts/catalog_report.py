"""How precise the built-in catalog is on a set of requests with reference commands.

    python scripts/catalog_report.py data/catalog-traps.jsonl [more.jsonl ...] [-v]
    python scripts/catalog_report.py --nl2bash DIR [--sample 400] [--seed 13] [--half odd|even|all] [-v]

A JSONL set has one request a line: {"prompt", "platform", "accept": [commands]} for a request with a
right answer, or {"prompt", "platform", "expect": "decline"} for one the catalog must not answer.
`--nl2bash DIR` reads a local copy of NL2Bash's data/bash/all.nl and all.cm (not part of caro: GPL-3.0,
used to measure only) and samples pairs from it.

An answer is right when it equals an accepted command word for word (shell quoting aside). Otherwise
it is looked up in the verdict file (data/catalog-nl2bash-verdicts.json by default: line number, a
checksum of caro's command, verdict; no request or command text), where answers judged by hand are
recorded with `--record LINE=right|wrong ...`; an answer with no verdict is listed as "unjudged" for a
person to judge. A verdict holds only while caro gives the same command. Prints answered / right /
wrong / declined and every wrong and unjudged answer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from caro import catalog
from caro.context import Context

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = ROOT / "data" / "catalog-nl2bash-verdicts.json"
_SHELLS = {"linux": "bash", "macos": "zsh", "windows": "powershell"}


def normalise(command: str) -> str:
    """One spelling per command: words split as the shell does, so 'a b' and "a b" agree."""
    try:
        return " ".join(shlex.split(command, comments=False, posix=True))
    except ValueError:
        return " ".join(command.split())


@dataclass
class Case:
    key: str  # the prompt for JSONL sets, the line number for NL2Bash
    prompt: str
    platform: str
    accept: list[str]
    decline: bool = False


@dataclass
class Outcome:
    asked: int = 0
    answered: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    declined: int = 0
    declined_must: int = 0  # of those, requests marked "expect": "decline"
    declined_in: list[str] = field(default_factory=list)  # in-scope requests declined
    timings: list[float] = field(default_factory=list)

    def summary(self, name: str) -> str:
        judged = self.right + len(self.wrong)
        precision = f"{self.right / judged:.1%}" if judged else "n/a"
        share = f"{self.answered / self.asked:.1%}" if self.asked else "n/a"
        return (
            f"{name}: asked {self.asked}, answered {self.answered} ({share}), right {self.right}, "
            f"wrong {len(self.wrong)}, unjudged {len(self.unjudged)}, declined {self.declined}; "
            f"precision {precision}"
        )


def read_jsonl(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(
                row["prompt"],
                row["prompt"],
                row.get("platform", "linux"),
                row.get("accept", []),
                row.get("expect") == "decline",
            )
        )
    return cases


def read_nl2bash(folder: Path, sample: int, seed: int, half: str) -> list[Case]:
    requests = (folder / "all.nl").read_text(encoding="utf-8").splitlines()
    commands = (folder / "all.cm").read_text(encoding="utf-8").splitlines()
    numbers = [
        n
        for n in range(min(len(requests), len(commands)))
        if half == "all" or (n % 2 == 1) == (half == "odd")
    ]
    chosen = sorted(random.Random(seed).sample(numbers, min(sample, len(numbers))))
    return [Case(str(n + 1), requests[n], "linux", [commands[n]]) for n in chosen]


def fingerprint(command: str) -> str:
    return hashlib.sha1(normalise(command).encode()).hexdigest()[:12]


def load_verdicts(path: Path) -> dict[tuple[str, str], bool]:
    if not path.exists():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {(str(r["line"]), r["command_sha1"]): r["verdict"] == "right" for r in rows}


def record(path: Path, cases: list[Case], judged: dict[str, str]) -> None:
    """Store the hand verdicts for the answers caro gives now to the given lines."""
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    for case in cases:
        if case.key not in judged:
            continue
        found = catalog.match(case.prompt, Context(case.platform, _SHELLS[case.platform], "/"))
        if found is None:
            raise SystemExit(f"line {case.key}: the catalog declines it now; nothing to judge")
        mark = fingerprint(found.command)
        rows = [r for r in rows if (str(r["line"]), r["command_sha1"]) != (case.key, mark)]
        rows.append({"line": int(case.key), "command_sha1": mark, "verdict": judged[case.key]})
    rows.sort(key=lambda r: (r["line"], r["command_sha1"]))
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n", encoding="utf-8")


def run(cases: list[Case], verdicts: dict[tuple[str, str], bool]) -> Outcome:
    outcome = Outcome()
    for case in cases:
        outcome.asked += 1
        context = Context(case.platform, _SHELLS[case.platform], "/")
        start = time.perf_counter()
        found = catalog.match(case.prompt, context)
        outcome.timings.append(time.perf_counter() - start)
        label = f"{case.key}: {case.prompt[:90]!r}" if case.key != case.prompt else repr(case.prompt)
        if found is None:
            outcome.declined += 1
            outcome.declined_must += case.decline
            if not case.decline:
                outcome.declined_in.append(label)
            continue
        outcome.answered += 1
        line = f"{label}\n      -> {found.command}   [{found.intent_id}]"
        if case.decline:
            outcome.wrong.append(line + "\n      want: decline")
            continue
        said = normalise(found.command)
        verdict = verdicts.get((case.key, fingerprint(found.command)))
        if verdict is None and any(said == normalise(a) for a in case.accept):
            verdict = True
        if verdict is True:
            outcome.right += 1
        elif verdict is False:
            outcome.wrong.append(line + f"\n      want: {case.accept[0] if case.accept else 'decline'}")
        else:
            outcome.unjudged.append(line + f"\n      reference: {case.accept[0] if case.accept else '-'}")
    return outcome


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", nargs="*", type=Path, help="JSONL request sets")
    parser.add_argument("--nl2bash", type=Path, help="folder holding NL2Bash's all.nl and all.cm")
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--half", choices=("odd", "even", "all"), default="odd")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS)
    parser.add_argument(
        "--record", nargs="+", metavar="LINE=VERDICT", help="store hand verdicts (right|wrong)"
    )
    parser.add_argument("--declined", action="store_true", help="also list in-scope requests declined")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list right answers' count per set")
    args = parser.parse_args(argv)
    if not args.sets and args.nl2bash is None:
        parser.error("give a JSONL set or --nl2bash DIR")
    verdicts = load_verdicts(args.verdicts)
    batches: list[tuple[str, list[Case]]] = [(str(p), read_jsonl(p)) for p in args.sets]
    if args.nl2bash is not None:
        name = f"NL2Bash sample ({args.sample}, seed {args.seed}, {args.half} lines)"
        batches.append((name, read_nl2bash(args.nl2bash, args.sample, args.seed, args.half)))
    if args.record:
        judged = dict(item.split("=", 1) for item in args.record)
        if any(v not in ("right", "wrong") for v in judged.values()) or args.nl2bash is None:
            parser.error("--record takes LINE=right or LINE=wrong, with --nl2bash")
        record(args.verdicts, batches[-1][1], judged)
        verdicts = load_verdicts(args.verdicts)
    for name, cases in batches:
        outcome = run(cases, verdicts)
        print(outcome.summary(name))
        for title, lines in (("WRONG", outcome.wrong), ("UNJUDGED", outcome.unjudged)):
            if lines:
                print(f"  {title} ({len(lines)})")
                for line in lines:
                    print("    " + line)
        if args.declined and outcome.declined_in:
            print(f"  DECLINED ({len(outcome.declined_in)})")
            for line in outcome.declined_in:
                print("    " + line)
        if args.verbose and outcome.timings:
            ordered = sorted(outcome.timings)
            print(f"  median match {ordered[len(ordered) // 2] * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
