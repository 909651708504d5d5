#!/usr/bin/env python3
"""Convert public NL2Bash test sets into caro's evaluation format, from a copy you downloaded yourself.

    python3 scripts/convert_outside_sets.py alfa PATH/TO/InterCode-ALFA -o alfa.jsonl
    python3 scripts/convert_outside_sets.py eabench PATH/TO/nl2bash-eabench -o eabench.jsonl
    caro eval alfa.jsonl -b builtin --json alfa-builtin.json

Nothing of these sets ships with caro: this script reads them where you put them and writes a caro set.

- `alfa`: InterCode-ALFA's 300 test prompts (MIT licence; github.com/westenfelder/InterCode-ALFA, the
  same rows as the NL2SH-ALFA "test" split), in their order. PATH is a checkout of the repository or the
  installed `icalfa` package: the script finds `nl2bash_fs_1.json` … `nl2bash_fs_5.json` and the
  `setup_nl2b_fs_N.sh` scripts that build each file system. Each case keeps the prompt unchanged, both
  gold commands as references, the setup script as the fixture's `setup`, its top-level folders
  (`/testbed`, `/system`, `/workspace`, `/backup`) as absolute fixture folders, and `/` as the working
  directory, as in ALFA's containers.
- `eabench`: IBM's nl2bash-eabench (bash_1, bash_2, bash_3; github.com/IBM/nl2bash-eabench). Each test's
  prompt, its ground-truth `bash.sh` as the reference, its data files as the fixture and its
  `prerequisite.sh` / `pre_test.sh` as the setup. A test whose files cannot be written as text (binary
  data, symbolic links) is left out and counted.

Differences from the original harnesses are listed in docs/evaluation.md (no root user, a GNU userland,
no network, ALFA's fifth file system is Alpine there).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ALFA_SPLITS = 5
# Folders a setup script may not claim: the sandbox is built from them (see caro.evaluation.sandbox).
SYSTEM_ROOTS = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev", "sys", "run",
                "home", "tmp", "boot", "root", "var", "opt", "srv", "mnt", "media"}
_ABSOLUTE = re.compile(r"""(?:^|[\s"'=>(:])/([a-z][a-z0-9_]{2,})(?=[/\s"')]|$)""", re.MULTILINE)


class ConversionError(Exception):
    """The given folder does not hold the set; the text says what was looked for."""


def _find(root: Path, name: str) -> Path:
    found = sorted(root.rglob(name))
    if not found:
        raise ConversionError(f"{name} not found under {root}")
    return found[0]


def _script_body(text: str) -> str:
    """A script without its #! line and surrounding blank lines."""
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    return "\n".join(lines).strip()


def roots_in(*texts: str) -> list[str]:
    """Top-level folders a setup script or command uses (`/testbed/a` -> testbed), system folders left out."""
    return sorted({name for text in texts for name in _ABSOLUTE.findall(text) if name not in SYSTEM_ROOTS})


def convert_alfa(root: Path) -> list[dict[str, Any]]:
    cases = []
    for split in range(1, ALFA_SPLITS + 1):
        rows = json.loads(_find(root, f"nl2bash_fs_{split}.json").read_text(encoding="utf-8"))
        setup = _script_body(_find(root, f"setup_nl2b_fs_{split}.sh").read_text(encoding="utf-8"))
        for row in rows:
            references = [c for c in dict.fromkeys((row["gold"].strip(), row.get("gold2", "").strip())) if c]
            folders = roots_in(setup, *references)
            cases.append({
                "prompt": row["query"],
                "references": references,
                "category": f"alfa-fs{split}",
                "platform": "linux",
                "fixture": {"files": {f"/{name}/": "" for name in folders}, "setup": setup, "cwd": "/"},
            })
    return cases


# Files of an eabench test that belong to its harness, not to the world the command sees.
_EABENCH_HARNESS = {"name", "prompt", "test.py", "bash.sh", "prerequisite.sh", "evaluate.sh", "evaluate.sh%",
                    "prologue.sh", "podman.opts", "t.sh", "pre_test.sh", "test.sh", "post_test.sh"}


def _eabench_case(test: Path, bench: str) -> dict[str, Any] | None:
    truth = _script_body((test / "bash.sh").read_text(encoding="utf-8"))
    if not truth:
        return None
    home = test / "home" / "test"
    base = home if home.is_dir() else test
    setup_file = home / "pre_test.sh" if home.is_dir() else test / "prerequisite.sh"
    setup = _script_body(setup_file.read_text(encoding="utf-8")) if setup_file.is_file() else ""
    files: dict[str, str] = {}
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base).as_posix()
        if path.is_symlink():
            return None
        if path.is_dir() or path.name in _EABENCH_HARNESS or relative.startswith(("var/", "output/")):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return None
        if base is test and _script_body(text) == truth:
            continue  # bash_1 keeps a copy of the ground truth under a descriptive name
        files[relative] = text
    return {
        "prompt": (test / "prompt").read_text(encoding="utf-8").strip(),
        "references": [truth],
        "category": f"eabench-{bench}",
        "platform": "linux",
        "fixture": {"files": files, "setup": setup},
    }


def convert_eabench(root: Path) -> tuple[list[dict[str, Any]], int]:
    cases, left_out = [], 0
    benches = sorted(p for p in root.glob("bash_*") if p.is_dir())
    if not benches:
        raise ConversionError(f"no bash_1, bash_2, bash_3 folders under {root}")
    for bench in benches:
        for test in sorted(p for p in bench.glob("test*") if (p / "prompt").is_file() and (p / "bash.sh").is_file()):
            case = _eabench_case(test, bench.name)
            if case is None:
                left_out += 1
            else:
                cases.append(case)
    return cases, left_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=("alfa", "eabench"), help="which outside set PATH holds")
    parser.add_argument("path", type=Path, help="your copy of the set's repository (or the icalfa package)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the caro evaluation set to write")
    args = parser.parse_args(argv)
    if not args.path.is_dir():
        print(f"convert_outside_sets: {args.path} is not a folder; give the path of your copy of the set.",
              file=sys.stderr)
        return 2
    left_out = 0
    try:
        if args.set == "alfa":
            cases = convert_alfa(args.path)
        else:
            cases, left_out = convert_eabench(args.path)
    except (ConversionError, OSError, ValueError, KeyError) as exc:
        print(f"convert_outside_sets: cannot read the {args.set} set: {exc}", file=sys.stderr)
        return 2
    args.output.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    note = f" ({left_out} left out: binary files or symbolic links)" if left_out else ""
    print(f"wrote {len(cases)} cases to {args.output}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
