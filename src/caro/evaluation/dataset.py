"""Evaluation sets: JSON Lines, one case a line (format in docs/evaluation.md).

    {"prompt": "...", "references": ["...", "..."], "category": "...", "platform": "linux" | "macos" | "any",
     "status": 0,
     "fixture": {"files": {"relative/path": "contents", "/testbed/a.txt": "...", "empty/dir/": ""},
                 "setup": "shell commands run first", "cwd": "/testbed"}}

`category`, `platform`, `status` (the exit status the references end with, default 0) and `fixture` are
optional. A path ending in "/" is an empty folder; an absolute path lies in a top-level folder of its own
(`/testbed`, `/workspace`), never in one the sandbox is built from (`/usr`, `/etc`, `/home`, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.errors import UsageError
from caro.evaluation.sandbox import fixture_root

PLATFORMS = ("linux", "macos", "any")


@dataclass(frozen=True)
class Case:
    """One evaluation case."""

    prompt: str
    references: tuple[str, ...]
    category: str = "general"
    platform: str = "any"
    files: dict[str, str] = field(default_factory=dict)
    line: int = 0
    setup: str = ""  # shell commands that prepare the fixture (run in the sandbox before each command)
    cwd: str = ""  # the working directory in the sandbox; "" is ~/work
    status: int = 0  # the exit status a correct command ends with

    @property
    def fixture(self) -> dict[str, Any]:
        """What the sandbox needs to lay out this case: files, setup and working directory."""
        return {"files": self.files, "setup": self.setup, "cwd": self.cwd}

    @property
    def key(self) -> str:
        return f"{self.line}:{self.prompt}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prompt": self.prompt, "references": list(self.references),
                                "category": self.category, "platform": self.platform}
        if self.status:
            data["status"] = self.status
        fixture: dict[str, Any] = {"files": dict(self.files)} if self.files else {}
        if self.setup:
            fixture["setup"] = self.setup
        if self.cwd:
            fixture["cwd"] = self.cwd
        if fixture:
            data["fixture"] = fixture
        return data


def _problem(path: Path, line: int, text: str) -> UsageError:
    return UsageError(f"{path}:{line}: {text}",
                      "Each line must be one JSON object; see docs/evaluation.md for the format.")


def parse_case(data: Any, path: Path, line: int) -> Case:
    """Check one decoded line and build its Case; errors name the file and line."""
    if not isinstance(data, dict):
        raise _problem(path, line, "a case must be a JSON object")
    unknown = set(data) - {"prompt", "references", "category", "platform", "fixture", "status"}
    if unknown:
        raise _problem(path, line, f"unknown field(s): {', '.join(sorted(unknown))}")
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise _problem(path, line, "'prompt' must be a non-empty string")
    references = data.get("references")
    if (not isinstance(references, list) or not references
            or not all(isinstance(r, str) and r.strip() for r in references)):
        raise _problem(path, line, "'references' must be a non-empty list of commands")
    category = data.get("category", "general")
    if not isinstance(category, str) or not category:
        raise _problem(path, line, "'category' must be a non-empty string")
    platform = data.get("platform", "any")
    if platform not in PLATFORMS:
        raise _problem(path, line, f"'platform' must be one of: {', '.join(PLATFORMS)}")
    status = data.get("status", 0)
    if not isinstance(status, int) or isinstance(status, bool) or not 0 <= status <= 255:
        raise _problem(path, line, "'status' must be an exit status, 0 to 255")
    fixture = data.get("fixture", {})
    files = fixture.get("files", {}) if isinstance(fixture, dict) else None
    if (not isinstance(files, dict) or set(fixture) - {"files", "setup", "cwd"}
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())):
        raise _problem(path, line, "'fixture' must be {\"files\": {\"path\": \"contents\"}, \"setup\": \"...\", "
                                   "\"cwd\": \"/folder\"} (each part optional)")
    for name in files:
        parts = Path(name).parts
        if not name or ".." in parts:
            raise _problem(path, line, f"fixture path must stay inside its folder: {name!r}")
        if name.startswith("/") and fixture_root(name) is None:
            raise _problem(path, line, f"absolute fixture path must lie in a folder of its own, such as "
                                       f"/testbed, not in one the sandbox is built from: {name!r}")
    setup, cwd = fixture.get("setup", ""), fixture.get("cwd", "")
    if not isinstance(setup, str):
        raise _problem(path, line, "'fixture.setup' must be a string of shell commands")
    if not isinstance(cwd, str) or (cwd and not cwd.startswith("/")):
        raise _problem(path, line, "'fixture.cwd' must be an absolute path, such as \"/testbed\"")
    return Case(prompt.strip(), tuple(r.strip() for r in references), category, platform, dict(files), line,
                setup=setup, cwd=cwd, status=status)


def load(path: Path) -> list[Case]:
    """Read an evaluation set. Blank lines and lines starting with '#' are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"evaluation set not found: {path}",
                         "Give the path to a .jsonl file, for example data/eval.jsonl.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read evaluation set {path}: {exc}", "Check the file's permissions and encoding.") from None
    cases = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise _problem(path, number, f"invalid JSON: {exc}") from None
        cases.append(parse_case(data, path, number))
    if not cases:
        raise UsageError(f"evaluation set {path} holds no cases", "Add one JSON object per line; see docs/evaluation.md.")
    return cases
