"""`caro dataset synth`: training examples made from the built-in catalog's intents.

Every phrasing of every intent is filled with varied, realistic slot values and asked of the catalog
matcher for each platform and shell; an example is kept only when the matcher answers it with the intent
it came from, so the command and explanation are exactly what caro's offline catalog gives for that
request. Examples pass the same checks as `caro dataset validate`, are de-duplicated, and none may be a
near-duplicate of a request in the evaluation or held-out sets (the measure `caro dataset validate
--against` uses).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caro.context import Context

# Realistic values per slot name (see caro.catalog.slots for the types). Values the matcher cannot read
# as the slot's type simply yield no example.
VALUES: dict[str, tuple[str, ...]] = {
    "file": ("notes.txt", "app.log", "config.yaml", "README.md", "main.py", "data.csv", "report.pdf",
             "index.html", "server.js", "todo.txt", "settings.json", "error.log", "build.gradle", "Makefile",
             "docker-compose.yml", "requirements.txt", "photo.jpg", "backup.sql", "notes.md", "access.log"),
    "dir": ("src", "logs", "docs", "build", "tests", "Downloads", "projects/web", "/var/log", "/tmp", "assets",
            "~/Documents", "node_modules", "data", "backups", "scripts"),
    "folder": ("src", "logs", "docs", "build", "backups", "photos"),
    "path": ("src/main.py", "logs", "/etc/hosts", "notes.txt", "build/output", "data/users.csv"),
    "src": ("notes.txt", "report.pdf", "src/app.js", "photo.jpg", "config.yaml", "old.log"),
    "dst": ("backup/", "archive", "/tmp", "docs/report.pdf", "notes.bak", "old/"),
    "archive": ("backup.tar.gz", "release.tar.gz", "logs.tar", "site.tgz", "project.tar.bz2"),
    "zipfile": ("photos.zip", "release.zip", "archive.zip", "docs.zip"),
    "gzfile": ("access.log.gz", "dump.sql.gz", "data.csv.gz"),
    "ext": ("py", "log", "txt", "js", "md", "csv", "json", "jpg"),
    "glob": ("*.py", "*.log", "*.txt", "*.js", "*.md", "*.csv"),
    "size": ("100MB", "1GB", "500KB", "10 MB", "2 GB", "50MB"),
    "bytes": ("100MB", "1GB", "10 MB"),
    "age": ("2 days", "24 hours", "30 minutes", "a week", "3 days"),
    "minutes": ("10 minutes", "30 minutes", "5 minutes"),
    "days": ("7 days", "30 days", "3 days", "90 days"),
    "seconds": ("5 seconds", "10 seconds", "2 seconds"),
    "port": ("8080", "3000", "443", "5432", "22", "80", "9000"),
    "count": ("5", "10", "20", "3", "50", "100"),
    "epoch": ("1700000000", "1609459200"),
    "pid": ("1234", "4242", "987", "31337"),
    "pattern": ('"TODO"', '"error"', '"timeout"', '"FIXME"', '"import os"', '"localhost"', '"WARN"'),
    "text": ('"hello world"', '"done"', '"build finished"', '"TODO"'),
    "replacement": ('"bar"', '"new"', '"prod"'),
    "message": ('"fix typo"', '"add tests"', '"update readme"', '"initial commit"'),
    "host": ("example.com", "github.com", "8.8.8.8", "192.168.1.10", "db.internal", "google.com"),
    "url": ("https://example.com", "https://example.com/file.tar.gz", "https://api.github.com/users",
            "http://localhost:8080/health"),
    "user": ("alice", "bob", "deploy", "www-data", "carol"),
    "group": ("docker", "developers", "staff", "admins"),
    "mode": ("755", "644", "600", "+x", "700"),
    "var": ("PATH", "HOME", "JAVA_HOME", "NODE_ENV", "EDITOR"),
    "process": ("nginx", "python", "node", "chrome", "postgres", "java"),
    "container": ("web", "db", "redis", "api", "my-app"),
    "image": ("nginx", "ubuntu:22.04", "redis:7", "postgres:16", "python:3.12"),
    "volume": ("data", "pgdata", "cache"),
    "network": ("backend", "frontend", "my-net"),
    "pod": ("web-5d8f7", "api-0", "nginx-6b9c", "worker-1"),
    "deployment": ("web", "api", "frontend", "worker"),
    "namespace": ("default", "kube-system", "staging", "production"),
    "service": ("nginx", "docker", "ssh", "postgresql", "apache2", "cron"),
    "node": ("node-1", "worker-2", "gpu-node"),
    "context": ("staging", "production", "minikube"),
    "package": ("git", "curl", "htop", "nodejs", "requests", "ripgrep", "jq", "numpy", "tmux", "wget"),
    "branch": ("main", "develop", "feature/login", "fix-typo", "release-2.0"),
    "remote": ("origin", "upstream"),
    "tag": ("v1.0.0", "v2.3", "release-1"),
    "commit": ("a1b2c3d", "HEAD~1", "9fceb02", "HEAD~3"),
    "interface": ("eth0", "wlan0", "en0", "lo"),
    "command": ("ls", "python", "git", "docker", "node", "grep", "df -h", "date", "free -h"),
    "domain": ("example.com", "github.com", "openai.com", "wikipedia.org"),
}

# (os, shell, share of the draws): Linux and bash most, as most requests come from there.
PLATFORMS: tuple[tuple[str, str, int], ...] = (
    ("linux", "bash", 8), ("linux", "zsh", 1), ("linux", "sh", 1), ("macos", "zsh", 2), ("macos", "bash", 1),
    ("windows", "powershell", 1),
)
_SLOT = re.compile(r"\{(\w+)\??\}")


@dataclass
class SynthReport:
    candidates: int = 0
    kept: int = 0
    declined: int = 0  # the matcher did not answer, or answered with another intent
    duplicates: int = 0
    near_duplicates: int = 0
    invalid: int = 0
    unsafe: int = 0  # high-risk targets, which `caro dataset validate` rejects


class Guard:
    """The requests no training example may resemble (evaluation and held-out sets), by the same measure
    as `caro dataset validate --against` (character-trigram overlap, validate.NEAR_DUPLICATE)."""

    def __init__(self, prompts: Iterable[str], threshold: float | None = None) -> None:
        from caro.training import validate

        self.threshold = validate.NEAR_DUPLICATE if threshold is None else threshold
        self.prompts = list(prompts)
        self.grams = [validate.trigrams(validate.normalise(p)) for p in self.prompts]
        self.index: dict[str, list[int]] = {}
        for number, grams in enumerate(self.grams):
            for gram in grams:
                self.index.setdefault(gram, []).append(number)

    def resembles(self, prompt: str) -> str | None:
        """The guarded request this prompt nearly duplicates, else None."""
        from caro.training import validate

        mine = validate.trigrams(validate.normalise(prompt))
        shared: dict[int, int] = {}
        for gram in mine:
            for number in self.index.get(gram, ()):
                shared[number] = shared.get(number, 0) + 1
        for number, count in shared.items():
            # Jaccard from the shared count, without building the union set.
            if count / (len(mine) + len(self.grams[number]) - count) >= self.threshold:
                return self.prompts[number]
        return None


def guarded_prompts(paths: Iterable[Path]) -> list[str]:
    """The `prompt` of every record in these JSON Lines files."""
    prompts: list[str] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("prompt"), str):
                    prompts.append(record["prompt"])
    return prompts


def _fill(text: str, rng: random.Random) -> str | None:
    def value(m: re.Match[str]) -> str:
        choices = VALUES.get(m.group(1))
        if not choices:
            raise KeyError(m.group(1))
        return rng.choice(choices)

    try:
        return _SLOT.sub(value, text)
    except KeyError:
        return None


def _platforms(rng: random.Random, count: int) -> list[tuple[str, str]]:
    weighted = [(os_name, shell) for os_name, shell, share in PLATFORMS for _ in range(share)]
    return [rng.choice(weighted) for _ in range(count)]


def synthesize(guard: Guard, *, per_phrasing: int = 4, seed: int = 0,
               report: SynthReport | None = None) -> Iterator[dict[str, str]]:
    """Authoring-form examples from the catalog (see the module docstring)."""
    from caro import catalog
    from caro.catalog.matcher import match
    from caro.training.examples import ExampleError, parse_authoring
    from caro.training.validate import normalise

    report = report if report is not None else SynthReport()
    rng = random.Random(seed)
    book = catalog.get()
    seen: set[tuple[str, str, str]] = set()
    for intent in book.intents:
        for phrasing in intent.phrasings:
            has_slots = bool(_SLOT.search(phrasing.text))
            for os_name, shell in _platforms(rng, per_phrasing if has_slots else max(2, per_phrasing // 2)):
                prompt = _fill(phrasing.text, rng)
                report.candidates += 1
                if prompt is None:
                    report.declined += 1
                    continue
                key = (normalise(prompt), os_name, shell)
                if key in seen:
                    report.duplicates += 1
                    continue
                seen.add(key)
                found = match(prompt, Context(platform=os_name, shell=shell, cwd="."), book)
                if found is None or found.intent_id != intent.id:
                    report.declined += 1
                    continue
                if guard.resembles(prompt):
                    report.near_duplicates += 1
                    continue
                record: dict[str, Any] = {"prompt": prompt, "command": found.command,
                                          "explanation": found.explanation or f"Runs {found.command}.",
                                          "os": os_name, "shell": shell}
                try:
                    parse_authoring(record)
                except ExampleError:
                    report.invalid += 1
                    continue
                if not safe_target(found.command, shell):
                    report.unsafe += 1
                    continue
                report.kept += 1
                yield record


def safe_target(command: str, shell: str) -> bool:
    """The check `caro dataset validate` makes of a target: at most moderate risk."""
    from caro.safety import assess

    verdict = assess(command, mode="moderate", shell=shell)
    return verdict.risk not in ("high", "critical") and not verdict.blocked


def mix(synthetic: list[dict[str, str]], extra: list[dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    """Synthetic and hand-written examples shuffled together (hand-written first on equal prompts)."""
    from caro.training.examples import DEFAULT_SHELL
    from caro.training.validate import normalise

    rng = random.Random(seed)

    def key(r: dict[str, Any]) -> tuple[str, str, str]:
        os_name = str(r.get("os", "linux"))
        return normalise(str(r.get("prompt", ""))), os_name, str(r.get("shell", DEFAULT_SHELL.get(os_name, "")))

    taken = {key(r) for r in extra}
    rows: list[dict[str, Any]] = list(extra) + [r for r in synthetic if key(r) not in taken]
    rng.shuffle(rows)
    return rows
