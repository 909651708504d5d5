"""Settings: defaults < config file < environment < flags, resolved once, with the source of each value.

The schema below is the single list of keys caro reads. `caro config show` prints every key with its
source, `caro config init` writes a commented file from it, and docs/configuration.md documents it.
A key that is not in the schema is warned about; a wrong value is an error naming file, line and key.
"""

from __future__ import annotations

import os

from caro.errors import ConfigError

# Kept light (caro starts once per command): no dataclasses, typing, pathlib or re at import time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any

BACKENDS = ("auto", "lmstudio", "ollama", "openai", "embedded", "builtin")
SHELLS = ("bash", "zsh", "fish", "sh", "powershell", "cmd")
SAFETY_MODES = ("strict", "moderate", "permissive")
OUTPUTS = ("plain", "json", "yaml")
PLATFORMS = ("auto", "linux", "macos", "windows")
RISK_LEVELS = ("safe", "moderate", "high", "critical")

# The command-line option that sets a key, for messages about a bad flag value.
FLAG_NAMES = {
    "backend": "--backend", "model": "--model", "shell": "--shell", "platform": "--platform",
    "safety": "--safety", "output": "--output", "timeout": "--timeout", "lmstudio.url": "--url",
    "ollama.url": "--url", "openai.url": "--url",
}


class Key:
    """One configuration key: its default, type, allowed values and the comment shown in docs."""

    __slots__ = ("check", "choices", "default", "env", "help", "kind", "minimum")

    def __init__(
        self,
        default: Any,
        help: str,
        choices: tuple[str, ...] = (),
        env: str = "",
        minimum: float | None = None,
        check: Callable[[Any], str] | None = None,
        kind: str = "",
    ) -> None:
        self.default = default
        self.help = help
        self.choices = choices
        self.env = env
        self.minimum = minimum
        # Extra check for structured values; returns an error text or "".
        self.check = check
        # "url": an http(s) URL (empty allowed when the default is empty); "env": an environment variable name.
        self.kind = kind


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
    import re

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
    "timeout": Key(30.0, "seconds for one generation request", minimum=0.1),
    "history": Key(True, "add commands caro runs to your shell's history file"),
    "lmstudio.url": Key("http://localhost:1234/v1", "LM Studio's OpenAI-compatible endpoint", env="CARO_LMSTUDIO_URL",
                         kind="url"),
    "lmstudio.model": Key("", "LM Studio model identifier; empty = the loaded model"),
    "lmstudio.api": Key("chat", "chat | completions", ("chat", "completions")),
    "lmstudio.stream": Key(True, "stream the answer (progress shown on a terminal)"),
    "lmstudio.api_key": Key("", "only when LM Studio requires authentication"),
    "lmstudio.load_timeout": Key(120.0, "extra seconds allowed when LM Studio loads the model on demand (JIT)",
                                 minimum=0),
    "ollama.url": Key("http://localhost:11434", "Ollama server", kind="url"),
    "ollama.model": Key("", "Ollama model name; empty = the first model installed"),
    "openai.url": Key("", "any OpenAI-compatible server: vLLM, llama.cpp server, LocalAI", kind="url"),
    "openai.model": Key("", "model identifier; empty = the first model the server lists"),
    "openai.api_key_env": Key("OPENAI_API_KEY", "environment variable holding the bearer token", kind="env"),
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


def write_cache(path: str, data: bytes) -> bool:
    """Write one of caro's cache files atomically (a parallel caro never reads half a file). False when it
    could not be written: a read-only home only costs speed, so callers go on."""
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except OSError:
        return False
    return True


def _home_str(env: Mapping[str, str]) -> str:
    home = env.get("CARO_HOME")
    return os.path.expanduser(home) if home else os.path.join(os.path.expanduser("~"), ".caro")


def _config_str(env: Mapping[str, str]) -> tuple[str, bool]:
    """The config file's path, and whether the user named it (CARO_CONFIG) rather than took the default."""
    explicit = env.get("CARO_CONFIG")
    if explicit:
        return os.path.expanduser(explicit), True
    return os.path.join(_home_str(env), "config.toml"), False


def caro_home(env: Mapping[str, str] | None = None) -> Path:
    """The folder holding config, cache and models: $CARO_HOME, else ~/.caro."""
    from pathlib import Path

    return Path(_home_str(os.environ if env is None else env))


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """$CARO_CONFIG, else $CARO_HOME/config.toml."""
    from pathlib import Path

    return Path(_config_str(os.environ if env is None else env)[0])


class Settings:
    """Resolved settings. `values[name]` is the value, `sources[name]` where it came from.

    `problem` is set only when the settings were loaded tolerantly (`caro doctor`, `caro config path`)
    and the config file could not be used: it is the error a normal run would have stopped with.
    """

    __slots__ = ("_home", "_path", "problem", "sources", "values", "warnings")

    def __init__(
        self,
        values: dict[str, Any],
        sources: dict[str, str],
        path: str | os.PathLike[str],
        home: str | os.PathLike[str],
        warnings: list[str] | None = None,
        problem: ConfigError | None = None,
    ) -> None:
        self.values = values
        self.sources = sources
        self._path = os.fspath(path)
        self._home = os.fspath(home)
        self.warnings = list(warnings or [])
        self.problem = problem

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __repr__(self) -> str:
        return f"Settings(path={self._path!r}, values={self.values!r})"

    def source(self, name: str) -> str:
        return self.sources[name]

    def with_values(self, **overrides: Any) -> Settings:
        """A copy with some top-level values replaced (source 'flag')."""
        values = dict(self.values)
        sources = dict(self.sources)
        for name, value in overrides.items():
            values[name] = value
            sources[name] = "flag"
        return Settings(values, sources, self._path, self._home, self.warnings, self.problem)

    @property
    def path(self) -> Path:
        from pathlib import Path

        return Path(self._path)

    @property
    def home(self) -> Path:
        from pathlib import Path

        return Path(self._home)

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
    def cache_location(self) -> str:
        """cache_dir as a plain string, for the start path (no pathlib)."""
        return os.path.join(self._home, "cache")

    @property
    def models_dir(self) -> Path:
        return self.home / "models"


def _line_of(text: str, dotted: str) -> int | None:
    """Find the line (1-based) where a key (or, for a section name, its [header]) is set."""
    import re

    section, _, key = dotted.rpartition(".")
    current = ""
    pattern = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            if not section and current == key:
                return number
            continue
        if current == section and pattern.match(line):
            return number
    return None


def _where(path: str, text: str, dotted: str) -> str:
    line = _line_of(text, dotted)
    return f"{path}:{line}" if line else path


def _url_problem(value: str) -> str:
    """'' when `value` is an http(s) URL with a host, else what is wrong with it."""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL, like http://localhost:1234/v1"
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    name, colon, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not colon:
        name = host
    if not name or any(c.isspace() for c in value) or (colon and not port.isdigit()):
        return "must be an http:// or https:// URL with a host (and a numeric port, if any)"
    return ""


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
        if not isinstance(default, float) and isinstance(value, float) and not value.is_integer():
            raise ValueError("must be a whole number")
        try:
            number = float(value) if isinstance(default, float) else int(value)
        except ValueError:
            raise ValueError("must be a whole number" if isinstance(default, int) else "must be a number") from None
        if key.minimum is not None and number < key.minimum:
            raise ValueError(f"must be at least {key.minimum:g}")
        return number
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if key.choices and value not in key.choices:
            raise ValueError(f"must be one of: {', '.join(key.choices)}")
        if key.kind == "url" and (value or default):
            problem = _url_problem(value)
            if problem:
                raise ValueError(problem)
        if key.kind == "env" and not (value.replace("_", "a").isalnum() and value.isascii()
                                      and not value[:1].isdigit()):
            raise ValueError("must be the name of an environment variable, like OPENAI_API_KEY")
        return value
    if isinstance(default, list) and not isinstance(value, list):
        raise ValueError("must be a list")
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


def read_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Parse the TOML file; a missing file means no values. Errors name the file and line."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}, ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}", "Check the file's permissions and encoding.") from None
    import tomllib

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        import re

        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{path}:{match.group(1)}" if match else path
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"{where}: invalid TOML: {reason}",
            f"Fix the line, or run 'caro config init --force' to write a fresh file (it replaces {path}).",
        ) from None


def _file_values(path: str, values: dict[str, Any], sources: dict[str, str], warnings: list[str]) -> None:
    """Apply the config file's values; raise ConfigError naming file, line and key on a bad one."""
    data, text = read_file(path)
    for name, value in _flatten(data).items():
        key = SCHEMA.get(name)
        if key is None:
            import difflib

            if isinstance(value, dict):
                close = difflib.get_close_matches(name, SECTIONS, n=1)
                suggestion = f" (did you mean [{close[0]}]?)" if close else ""
                warnings.append(f"{_where(path, text, name)}: unknown section [{name}] is ignored{suggestion}")
                continue
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


def load(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    path: str | os.PathLike[str] | None = None,
    tolerant: bool = False,
    must_exist: bool = True,
) -> Settings:
    """Resolve settings. `flags` holds only values given on the command line (dotted names).

    A config file the user named (`path`, or $CARO_CONFIG) must exist unless `must_exist` is false
    (`caro config init` creates it). With `tolerant`, a config file (or CARO_* value) that cannot be used
    is set aside: the result carries the first such error in `problem` and uses the other sources (for
    `caro doctor` and `caro config path`).
    """
    env = os.environ if env is None else env
    home = _home_str(env)
    if path is not None:
        path_str, named = os.path.expanduser(os.fspath(path)), True
    else:
        path_str, named = _config_str(env)
    values = {name: key.default for name, key in SCHEMA.items()}
    sources = dict.fromkeys(SCHEMA, "default")
    warnings: list[str] = []
    problem: ConfigError | None = None

    try:
        if named and must_exist and not os.path.exists(path_str):
            via = "CARO_CONFIG names" if path is None else "--config names"
            raise ConfigError(
                f"{via} a config file that does not exist: {path_str}",
                "Check the path, or create the file there with "
                + (f"'caro --config {path_str} config init'." if path is not None else "'caro config init'."),
            )
        file_values, file_sources = dict(values), dict(sources)
        _file_values(path_str, file_values, file_sources, warnings)
        values, sources = file_values, file_sources
    except ConfigError as exc:
        if not tolerant:
            raise
        problem = exc

    for name, key in SCHEMA.items():
        if key.env and env.get(key.env, "") != "":
            try:
                values[name] = _coerce(name, key, env[key.env], "env")
            except ValueError as exc:
                error = ConfigError(
                    f"environment variable {key.env}: {exc} (got {env[key.env]!r})",
                    f"Unset {key.env} or give it an allowed value.",
                )
                if not tolerant:
                    raise error from None
                problem = problem or error
                continue
            sources[name] = f"env {key.env}"

    for name, value in (flags or {}).items():
        if value is None:
            continue
        try:
            values[name] = _coerce(name, SCHEMA[name], value, "flag")
        except ValueError as exc:
            from caro.errors import UsageError

            option = FLAG_NAMES.get(name, name)
            raise UsageError(f"{option} {exc} (got {value!r})", "See 'caro --help'.") from None
        sources[name] = "flag"

    return Settings(values, sources, path_str, home, warnings, problem)


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



# ------------------------------------------------------------------------------------ docs/configuration.md

DOCS_BEGIN = "<!-- generated from caro's config schema: do not edit by hand; run `python3 -m caro.config` -->"
DOCS_END = "<!-- end of generated reference -->"


def reference_markdown() -> str:
    """The 'Every key' tables of docs/configuration.md, generated from SCHEMA so they cannot drift."""
    lines = ["## Every key", ""]
    current: str | None = None
    for name, key in SCHEMA.items():
        section = name.rpartition(".")[0]
        if section != current:
            title = f"[{section}]" if section else "Top level"
            lines += [*([""] if current is not None else []), f"### {title}", "",
                      "| Key | Default | Meaning | Environment |", "|---|---|---|---|"]
            current = section
        meaning = key.help.replace("|", "\\|")
        if key.minimum is not None:
            meaning += f" (at least {key.minimum:g})"
        if key.kind == "url":
            meaning += " (an http:// or https:// URL" + (", or empty)" if not key.default else ")")
        env = f"`{key.env}`" if key.env else ""
        lines.append(f"| `{name}` | `{toml_value(key.default)}` | {meaning} | {env} |")
    return "\n".join(lines) + "\n"


def render_docs(text: str) -> str:
    """`text` (docs/configuration.md) with its generated part replaced by the current reference."""
    before, found, rest = text.partition(DOCS_BEGIN)
    _, found_end, after = rest.partition(DOCS_END)
    if not found or not found_end:
        raise ValueError("docs/configuration.md lacks the generated-reference markers")
    return f"{before}{DOCS_BEGIN}\n{reference_markdown()}{DOCS_END}{after}"


if __name__ == "__main__":  # python3 -m caro.config [docs/configuration.md]: regenerate the reference
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join("docs", "configuration.md")
    with open(target, encoding="utf-8") as handle:
        old = handle.read()
    new = render_docs(old)
    if new != old:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(new)
    print(f"{target}: {'updated' if new != old else 'up to date'}")
