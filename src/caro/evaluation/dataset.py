"""Evaluation sets: JSON Lines, one case a line (format in docs/evaluation.md).

    {"prompt": "...", "references": ["...", "..."], "category": "...", "platform": "linux" | "macos" | "any",
     "fixture": {"files": {"relative/path": "contents", "empty/dir/": ""}}}

`category`, `platform` and `fixture` are optional. A path ending in "/" is an empty folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.errors import UsageError

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

    @property
    def key(self) -> str:
        return f"{self.line}:{self.prompt}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prompt": self.prompt, "references": list(self.references),
                                "category": self.category, "platform": self.platform}
        if self.files:
            data["fixture"] = {"files": dict(self.files)}
        return data


def _problem(path: Path, line: int, text: str) -> UsageError:
    return UsageError(f"{path}:{line}: {text}",
                      "Each line must be one JSON object; see docs/evaluation.md for the format.")


def parse_case(data: Any, path: Path, line: int) -> Case:
    """Check one decoded line and build its Case; errors name the file and line."""
    if not isinstance(data, dict):
        raise _problem(path, line, "a case must be a JSON object")
    unknown = set(data) - {"prompt", "references", "category", "platform", "fixture"}
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
    fixture = data.get("fixture", {})
    files = fixture.get("files", {}) if isinstance(fixture, dict) else None
    if (not isinstance(files, dict) or set(fixture) - {"files"}
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())):
        raise _problem(path, line, "'fixture' must be {\"files\": {\"relative/path\": \"contents\"}}")
    for name in files:
        parts = Path(name).parts
        if not name or name.startswith("/") or ".." in parts:
            raise _problem(path, line, f"fixture path must be relative and stay inside the folder: {name!r}")
    return Case(prompt.strip(), tuple(r.strip() for r in references), category, platform, dict(files), line)


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
