"""Shell integration: the init snippets (package data next to this file) and their key binding.

A key is named portably (`alt-e`, `ctrl-g`, `ctrl-x ctrl-e`, or `none` for no binding) and translated
here into each shell's own syntax, so one CARO_KEY value works in bash, zsh, fish and PowerShell.
"""

from __future__ import annotations

import os

from caro.errors import UsageError

# `caro init` runs in every new shell: pathlib, typing and re stay off this path (os.path and str methods
# do the work).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

INIT_SHELLS = ("bash", "zsh", "fish", "powershell")
COMPLETION_SHELLS = ("bash", "zsh", "fish")  # `caro completions SHELL`
DEFAULT_KEY = "alt-e"
KEY_ENV = "CARO_KEY"

_FILES = {"bash": "bash.sh", "zsh": "zsh.zsh", "fish": "fish.fish", "powershell": "powershell.ps1"}
_MODIFIERS = {"alt": "alt", "meta": "alt", "m": "alt", "ctrl": "ctrl", "control": "ctrl", "c": "ctrl"}
# Characters that need no quoting in any of the four shells' binding syntax.
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789/.,;")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")

Chord = tuple[str, str]  # (modifier, character)


def _key_error(spec: str, why: str) -> UsageError:
    return UsageError(
        f"cannot use key '{spec}' for the caro binding: {why}",
        "Name a key like alt-e, ctrl-g or 'ctrl-x ctrl-e' (CARO_KEY or --key), or 'none' for no binding.",
    )


def _split_chords(text: str) -> list[str]:
    """`text` split at each run of whitespace and commas (empty parts kept at either end, as re.split)."""
    parts: list[str] = []
    current: list[str] = []
    between = False
    for ch in text:
        if ch.isspace() or ch == ",":
            if not between:
                parts.append("".join(current))
                current = []
            between = True
        else:
            current.append(ch)
            between = False
    parts.append("".join(current))
    return parts


def parse_key(spec: str) -> list[Chord]:
    """'alt-e' -> [('alt', 'e')]; 'ctrl-x ctrl-e' -> [('ctrl', 'x'), ('ctrl', 'e')]; 'none' -> []."""
    text = spec.strip().lower()
    if text in ("none", "off", ""):
        return []
    chords: list[Chord] = []
    for part in _split_chords(text):
        # A modifier (letters), '-' or '+', one character: `([a-z]+)[-+](.)`.
        name, char = part[:-2], part[-1:]
        if not (name and part[-2] in "-+" and set(name) <= _LOWER and name in _MODIFIERS):
            raise _key_error(spec, f"'{part}' is not a modifier and a key, like alt-e or ctrl-g")
        modifier = _MODIFIERS[name]
        if char not in _KEY_CHARS:
            raise _key_error(spec, f"'{char}' is not a letter, digit or one of / . , ;")
        if modifier == "ctrl" and not char.isalpha():
            raise _key_error(spec, "ctrl works with letters only")
        chords.append((modifier, char))
    if len(chords) > 3:
        raise _key_error(spec, "use at most three chords")
    return chords


def key_label(chords: list[Chord]) -> str:
    """Human name: 'Alt+E', 'Ctrl+X Ctrl+E'."""
    return " ".join(f"{m.capitalize()}+{c.upper()}" for m, c in chords) or "no key"


def key_sequence(chords: list[Chord], shell: str) -> str:
    """The key in the shell's own binding syntax."""
    if shell == "bash":
        return "".join(f"\\e{c}" if m == "alt" else f"\\C-{c}" for m, c in chords)
    if shell == "zsh":
        return "".join(f"^[{c}" if m == "alt" else f"^{c.upper()}" for m, c in chords)
    if shell == "fish":
        return "".join(f"\\e{c}" if m == "alt" else f"\\c{c}" for m, c in chords)
    if shell == "powershell":
        return ",".join(f"{m.capitalize()}+{c}" for m, c in chords)
    raise ValueError(shell)


def bind_lines(chords: list[Chord], shell: str) -> str:
    """The lines that bind the key to caro's widget, in emacs and vi insert modes; a comment for none."""
    if not chords:
        return "# no key bound (CARO_KEY=none)" if shell != "bash" else ":  # no key bound (CARO_KEY=none)"
    seq = key_sequence(chords, shell)
    if shell == "bash":
        return "\n    ".join(f"bind -m {m} -x '\"{seq}\": __caro_widget'" for m in ("emacs", "vi-insert"))
    if shell == "zsh":
        return "\n".join(f"bindkey -M {m} '{seq}' __caro_widget" for m in ("emacs", "viins"))
    if shell == "fish":
        return f"bind {seq} __caro_widget\nbind -M insert {seq} __caro_widget"
    return (
        f"Set-PSReadLineKeyHandler -Chord '{seq}' -BriefDescription 'caro' "
        "-Description 'Replace the line with the command caro suggests for it' -ScriptBlock { __CaroWidget }"
    )


def resolve_key(key: str | None, env: Mapping[str, str] | None = None) -> str:
    """--key, else $CARO_KEY, else the default."""
    env = os.environ if env is None else env
    if key:
        return key
    return env.get(KEY_ENV, "").strip() or DEFAULT_KEY


def snippet(shell: str, key: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The init snippet for `shell`, with the key binding filled in."""
    if shell not in _FILES:
        raise UsageError(
            f"caro has no shell integration for '{shell}'",
            f"Use one of: {', '.join(INIT_SHELLS)}.",
        )
    chords = parse_key(resolve_key(key, env))
    # A plain file read: importlib.resources costs more start-up time than the whole snippet (it runs in
    # every new shell through `eval "$(caro init ...)"`).
    with open(os.path.join(os.path.dirname(__file__), _FILES[shell]), encoding="utf-8") as handle:
        text = handle.read()
    return text.replace("__CARO_KEY_NAME__", key_label(chords)).replace("__CARO_BIND__", bind_lines(chords, shell))


def load_line(shell: str, key: str | None = None) -> str:
    """The line that loads the integration from the shell's startup file."""
    init = f"caro init {shell}" + (f" --key '{key}'" if key else "")
    return {
        "bash": f'eval "$({init})"',
        "zsh": f'eval "$({init})"',
        "fish": f"{init} | source",
        "powershell": f"Invoke-Expression (& {init} | Out-String)",
    }[shell]


def startup_file(shell: str, env: Mapping[str, str] | None = None) -> Path:
    """Where the load line belongs: ~/.bashrc, $ZDOTDIR/.zshrc, $XDG_CONFIG_HOME/fish/conf.d/caro.fish,
    the PowerShell profile."""
    from pathlib import Path

    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    if shell == "bash":
        return home / ".bashrc"
    if shell == "zsh":
        return Path(env.get("ZDOTDIR") or home) / ".zshrc"
    config = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    if shell == "fish":
        # fish reads every file in conf.d at start-up, so caro gets a file of its own.
        return config / "fish" / "conf.d" / "caro.fish"
    if shell == "powershell":
        if os.name == "nt":
            return home / "Documents" / "PowerShell" / "Microsoft.PowerShell_profile.ps1"
        return config / "powershell" / "Microsoft.PowerShell_profile.ps1"
    raise UsageError(f"caro has no shell integration for '{shell}'", f"Use one of: {', '.join(INIT_SHELLS)}.")


def install(shell: str, key: str | None = None, env: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """Add the load line to the startup file unless it is there. Returns (file, changed)."""
    path = startup_file(shell, env)
    line = load_line(shell, key)
    try:
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}", "Add this line by hand: " + line) from None
    if line in existing:
        return path, False
    prefix = "" if not existing or existing.endswith("\n") else "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{prefix}# caro: turn the line into a command with a key binding\n{line}\n")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc}", "Add this line by hand: " + line) from None
    return path, True
