"""Settings: defaults < config file < environment < flags, resolved once, with the source of each value.

The schema below is the single list of keys caro reads. `caro config show` prints every key with its
source, `caro config init` writes a commented file from it, and docs/configuration.md documents it.
A key that is not in the schema is warned about; a wrong value is an error naming file, line and key.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caro.errors import ConfigError

BACKENDS = ("auto", "lmstudio", "ollama", "openai", "embedded", "builtin")
SHELLS = ("bash", "zsh", "fish", "sh", "powershell", "cmd")
SAFETY_MODES = ("strict", "moderate", "permissive")
OUTPUTS = ("plain", "json", "yaml")
PLATFORMS = ("auto", "linux", "macos", "windows")
RISK_LEVELS = ("safe", "moderate", "high", "critical")


@dataclass(frozen=True)
class Key:
    """One configuration key: its default, type, allowed values and the comment shown in docs."""

    default: Any
    help: str
    choices: tuple[str, ...] = ()
    env: str = ""
    minimum: float | None = None
    # Extra check for structured values; returns an error text or "".
    check: Callable[[Any], str] | None = None


def _check_deny_rules(value: Any) -> str:
    if not isinstance(value, list):
        return "must be a list of tables"
    for i, rule in enumerate(value):
        if not isinstance(rule, dict):
            return f"entry {i + 1} must be a table like {{pattern = \"...\", level = \"high\", message = \"...\"}}"
        if not isinstance(rule.get("pattern"), str) or not rule["pattern"]:
            return f"entry {i + 1} needs a non-empty string 'pattern'"
        if rule.get("level", "high") not in RISK_LEVELS:
            return f"entry {i + 1}: level must be one of {', '.join(RISK_LEVELS)}"
        problem = _regex_problem(rule["pattern"])
        if problem:
            return f"entry {i + 1}: {problem}"
        unknown = set(rule) - {"pattern", "level", "message"}
        if unknown:
            return f"entry {i + 1}: unknown field(s) {', '.join(sorted(unknown))}"
    return ""


def _check_patterns(value: Any) -> str:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of strings"
    for i, pattern in enumerate(value):
        problem = _regex_problem(pattern)
        if problem:
            return f"entry {i + 1}: {problem}"
    return ""


def _regex_problem(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"{pattern!r} is not a valid regular expression ({exc})"
    return ""


# Dotted names: "section.key" lives in [section] of the TOML file.
SCHEMA: dict[str, Key] = {
    "backend": Key("auto", "auto | lmstudio | ollama | openai | embedded | builtin", BACKENDS, "CARO_BACKEND"),
    "model": Key("", "model for whichever backend answers; empty = each backend's own setting", env="CARO_MODEL"),
    "fallback": Key(True, "when the chosen backend is unavailable, try the next one and say so"),
    "safety": Key("moderate", "strict | moderate | permissive", SAFETY_MODES, "CARO_SAFETY"),
    "shell": Key("auto", "auto | bash | zsh | fish | sh | powershell | cmd", ("auto", *SHELLS)),
    "platform": Key("auto", "auto | linux | macos | windows: which userland commands target", PLATFORMS),
    "output": Key("plain", "plain | json | yaml", OUTPUTS),
    "timeout": Key(30.0, "seconds for one generation request (spec FR-019)", minimum=0.1),
    "history": Key(True, "add commands caro runs to your shell's history file"),
    "lmstudio.url": Key("http://localhost:1234/v1", "LM Studio's OpenAI-compatible endpoint", env="CARO_LMSTUDIO_URL"),
    "lmstudio.model": Key("", "LM Studio model identifier; empty = the loaded model"),
    "lmstudio.api": Key("chat", "chat | completions", ("chat", "completions")),
    "lmstudio.stream": Key(True, "stream the answer (progress shown on a terminal)"),
    "lmstudio.api_key": Key("", "only when LM Studio requires authentication"),
    "lmstudio.load_timeout": Key(120.0, "extra seconds allowed when LM Studio loads the model on demand (JIT)",
                                 minimum=0),
    "ollama.url": Key("http://localhost:11434", "Ollama server"),
    "ollama.model": Key("", "Ollama model name; empty = the first model installed"),
    "openai.url": Key("", "any OpenAI-compatible server: vLLM, llama.cpp server, LocalAI"),
    "openai.model": Key("", "model identifier; empty = the first model the server lists"),
    "openai.api_key_env": Key("OPENAI_API_KEY", "environment variable holding the bearer token"),
    "openai.tool_choice": Key(
        True, "name the shell tool in tool_choice (forces a tool call on llama.cpp's server and vLLM); "
        "false for models with their own call format, such as FunctionGemma"
    ),
    "embedded.model_path": Key("", "a GGUF file; empty = discover", env="CARO_MODEL_PATH"),
    "embedded.adapter_path": Key(
        "", "a LoRA adapter GGUF applied on top of the model; empty = caro's own adapter when the model is its "
        "base (SmolLM2-135M-Instruct), \"none\" = no adapter", env="CARO_ADAPTER_PATH"
    ),
    "embedded.threads": Key(0, "CPU threads; 0 = half the logical cores, at most 8", minimum=0),
    "embedded.context": Key(2048, "context window in tokens", minimum=256),
    "embedded.batch": Key(512, "prompt batch size", minimum=1),
    "embedded.max_tokens": Key(160, "most tokens to generate", minimum=1),
    "embedded.temperature": Key(0.1, "sampling temperature", minimum=0),
    "embedded.stop": Key([], "extra stop sequences, added to the model's own", check=_check_patterns),
    "embedded.constrain": Key(
        "auto", "auto | always | never: force parseable JSON output (auto: unless the model has a native call format)",
        ("auto", "always", "never"),
    ),
    "safety_rules.allow": Key([], "regular expressions for commands you treat as safe", check=_check_patterns),
    "safety_rules.deny": Key(
        [], 'tables {pattern = "regex", level = "high", message = "why"}', check=_check_deny_rules
    ),
}

SECTIONS = sorted({name.split(".")[0] for name in SCHEMA if "." in name})


def caro_home(env: Mapping[str, str] | None = None) -> Path:
    """The folder holding config, cache and models: $CARO_HOME, else ~/.caro."""
    env = os.environ if env is None else env
    home = env.get("CARO_HOME")
    return Path(home).expanduser() if home else Path.home() / ".caro"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """$CARO_CONFIG, else $CARO_HOME/config.toml."""
    env = os.environ if env is None else env
    explicit = env.get("CARO_CONFIG")
    return Path(explicit).expanduser() if explicit else caro_home(env) / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Resolved settings. `values[name]` is the value, `sources[name]` where it came from."""

    values: dict[str, Any]
    sources: dict[str, str]
    path: Path
    home: Path
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def source(self, name: str) -> str:
        return self.sources[name]

    def with_values(self, **overrides: Any) -> Settings:
        """A copy with some top-level values replaced (source 'flag')."""
        values = dict(self.values)
        sources = dict(self.sources)
        for name, value in overrides.items():
            values[name] = value
            sources[name] = "flag"
        return Settings(values, sources, self.path, self.home, list(self.warnings))

    @property
    def backend(self) -> str:
        return str(self.values["backend"])

    @property
    def safety(self) -> str:
        return str(self.values["safety"])

    @property
    def output(self) -> str:
        return str(self.values["output"])

    @property
    def timeout(self) -> float:
        return float(self.values["timeout"])

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"


def _line_of(text: str, dotted: str) -> int | None:
    """Find the line (1-based) where a key is set, so errors can point at it."""
    section, _, key = dotted.rpartition(".")
    current = ""
    pattern = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            continue
        if current == section and pattern.match(line):
            return number
    return None


def _where(path: Path, text: str, dotted: str) -> str:
    line = _line_of(text, dotted)
    return f"{path}:{line}" if line else str(path)


def _coerce(name: str, key: Key, value: Any, origin: str) -> Any:
    """Check and convert one value; raise ValueError with the allowed values on a mismatch."""
    default = key.default
    if isinstance(default, bool):
        if isinstance(value, str) and origin == "env":
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("must be a number")
        try:
            number = float(value) if isinstance(default, float) else int(value)
        except ValueError:
            raise ValueError("must be a number") from None
        if key.minimum is not None and number < key.minimum:
            raise ValueError(f"must be at least {key.minimum:g}")
        return number
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if key.choices and value not in key.choices:
            raise ValueError(f"must be one of: {', '.join(key.choices)}")
        return value
    if key.check:
        problem = key.check(value)
        if problem:
            raise ValueError(problem)
    return value


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if name in SECTIONS and isinstance(value, dict):
            for sub, subvalue in value.items():
                flat[f"{name}.{sub}"] = subvalue
        else:
            flat[name] = value
    return flat


def read_file(path: Path) -> tuple[dict[str, Any], str]:
    """Parse the TOML file; a missing file means no values. Errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}", "Check the file's permissions and encoding.") from None
    import tomllib

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"{where}: invalid TOML: {reason}",
            f"Fix the line, or run 'caro config init --force' to write a fresh file (it replaces {path}).",
        ) from None


def load(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Resolve settings. `flags` holds only values given on the command line (dotted names)."""
    env = os.environ if env is None else env
    home = caro_home(env)
    path = path or config_path(env)
    values = {name: key.default for name, key in SCHEMA.items()}
    sources = dict.fromkeys(SCHEMA, "default")
    warnings: list[str] = []

    data, text = read_file(path)
    for name, value in _flatten(data).items():
        key = SCHEMA.get(name)
        if key is None:
            import difflib

            close = difflib.get_close_matches(name, list(SCHEMA), n=1)
            suggestion = f" (did you mean '{close[0]}'?)" if close else ""
            warnings.append(f"{_where(path, text, name)}: unknown key '{name}' is ignored{suggestion}")
            continue
        try:
            values[name] = _coerce(name, key, value, "file")
        except ValueError as exc:
            raise ConfigError(
                f"{_where(path, text, name)}: '{name}' {exc} (got {value!r})",
                f"Edit {path}; 'caro config show' lists every key and its current value.",
            ) from None
        sources[name] = f"file {path}"

    for name, key in SCHEMA.items():
        if key.env and env.get(key.env, "") != "":
            try:
                values[name] = _coerce(name, key, env[key.env], "env")
            except ValueError as exc:
                raise ConfigError(
                    f"environment variable {key.env}: {exc} (got {env[key.env]!r})",
                    f"Unset {key.env} or give it an allowed value.",
                ) from None
            sources[name] = f"env {key.env}"

    for name, value in (flags or {}).items():
        if value is None:
            continue
        try:
            values[name] = _coerce(name, SCHEMA[name], value, "flag")
        except ValueError as exc:
            from caro.errors import UsageError

            raise UsageError(f"option for '{name}' {exc} (got {value!r})", "See 'caro --help'.") from None
        sources[name] = "flag"

    return Settings(values, sources, path, home, warnings)


def default_file_text() -> str:
    """The commented config file that `caro config init` writes."""
    lines = [
        "# caro configuration. Precedence: command-line flags > environment > this file > defaults.",
        "# Every key is optional; delete what you do not change. See docs/configuration.md.",
        "",
    ]
    current = ""
    for name, key in SCHEMA.items():
        section, _, short = name.rpartition(".")
        if section != current:
            lines += ["", f"[{section}]"]
            current = section
        env = f" (env {key.env})" if key.env else ""
        lines.append(f"# {key.help}{env}")
        lines.append(f"{short} = {toml_value(key.default)}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """Render a simple value as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def warn(message: str) -> None:
    """Print a configuration warning on stderr."""
    print(f"caro: warning: {message}", file=sys.stderr)
