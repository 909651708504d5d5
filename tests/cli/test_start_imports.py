"""The start path stays light: each everyday path of the real CLI, run in a fresh interpreter, must not
import the modules listed for it.

caro starts once per command, so every module imported on the way is paid at every request. The runs
use `python -I -S` with this checkout's `src` and site-packages put on sys.path by hand: no `.pth` file
runs, so nothing is preloaded by the interpreter's site hooks and what is in `sys.modules` at the end
was imported by caro (benchmarks/bench_startup.py measures the same setup, with times).
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import caro

SRC = str(Path(caro.__file__).resolve().parents[1])

# argv: [file for the module list, search path (one a line), caro args...]
LAUNCHER = """
import sys
out = sys.argv[1]
sys.path[:0] = sys.argv[2].split("\\n")
sys.argv = ["caro", *sys.argv[3:]]
try:
    from caro.cli import main
    code = main()
except SystemExit as exc:
    code = exc.code
finally:
    with open(out, "w") as handle:
        handle.write("\\n".join(sorted(sys.modules)))
raise SystemExit(code)
"""

# Never on any everyday path: other parsers and model stacks, the network stack above sockets.
NEVER = ["bashlex", "yaml", "llama_cpp", "torch", "transformers", "numpy", "tomli", "http.client", "email",
         "ssl", "urllib.request", "asyncio", "concurrent", "multiprocessing", "subprocess", "sqlite3",
         "xml", "caro.training", "caro.evaluation", "caro.backends.embedded", "caro.terminal.interactive",
         "caro.terminal.history"]
# Costly standard-library modules with a cheaper way (plain classes for dataclasses, os.path for pathlib,
# a few lines for URL splitting); inspect, ast and tokenize come with dataclasses; importlib.resources
# brings tempfile, random and zipfile.
HEAVY_STDLIB = ["dataclasses", "inspect", "ast", "tokenize", "pathlib", "urllib", "urllib.parse",
                "ipaddress", "importlib.resources", "tempfile", "zipfile"]
# argparse (with re, enum, gettext and locale) costs about a bare Python start: the everyday forms are read
# without it. shutil (bz2, lzma) came with argparse's help width; threading with the spinner, which never
# draws for -o json or off a terminal; typing and contextlib have cheaper ways.
NO_ARGPARSE = ["argparse", "gettext", "shutil", "threading", "typing", "contextlib"]
# Everything a request needs: not for the paths that make no request.
REQUEST = ["caro.flow", "caro.chain", "caro.backends", "caro.safety", "caro.catalog", "caro.terminal.explain",
           "tree_sitter", "tree_sitter._binding", "tree_sitter_bash", "socket", "caro.http"]

PATHS: dict[str, tuple[list[str], list[str]]] = {
    # `--version` is answered before argparse and the config are touched.
    "version": (["--version"], [*NEVER, *HEAVY_STDLIB, *REQUEST, "argparse", "typing", "re", "json",
                                "caro.config"]),
    # The help page lists subcommands from a table of summaries, without importing them.
    # The first run writes the page with argparse (the next ones read it: see the test below).
    "help": (["--help"], [*NEVER, *HEAVY_STDLIB, *REQUEST, "typing", "shutil", "threading", "contextlib",
                          "caro.commands.check", "caro.commands.models", "caro.commands.doctor"]),
    # Runs at every shell start (`eval "$(caro init zsh)"`): not even re.
    "init": (["init", "zsh"], [*NEVER, *HEAVY_STDLIB, *REQUEST, *NO_ARGPARSE, "re", "json"]),
    # Judging a command needs the safety engine and the parser, nothing of the request pipeline.
    # tree-sitter's compiled modules are loaded without their packages (whose __init__ imports typing and
    # importlib.resources): `tree_sitter._binding` is expected, `tree_sitter` is not.
    "check": (["check", "ls -la"], [*NEVER, *HEAVY_STDLIB, *NO_ARGPARSE, "caro.flow", "caro.chain", "caro.backends",
                                     "caro.catalog", "caro.terminal.explain", "socket", "caro.http", "tree_sitter",
                                     "tree_sitter_bash"]),
    # A catalog answer: no network, no other backend.
    "catalog": (["-b", "builtin", "-o", "json", "list docker containers"],
                [*NEVER, *HEAVY_STDLIB, *NO_ARGPARSE, "socket", "caro.http", "caro.backends.lmstudio",
                 "caro.backends.ollama", "caro.backends.openai_compat", "caro.terminal.explain", "tree_sitter",
                 "tree_sitter_bash"]),
    # An offline explanation: the parser, the table of programs and the safety engine, no backend.
    "explain": (["explain", "--offline", "tar -xzf a.tgz -C /opt && ls /opt | wc -l"],
                [*NEVER, *HEAVY_STDLIB, *NO_ARGPARSE, "caro.flow", "caro.chain", "caro.backends", "caro.catalog",
                 "socket",
                 "caro.http", "tree_sitter", "tree_sitter_bash"]),
}


# A request answered by LM Studio (the stand-in in tests/backends): its client and nothing of the others.
# Plain HTTP to a loopback address needs only `_socket`: socket.py builds enum tables at import.
LMSTUDIO = (["-o", "json", "list docker containers"],
            [*NEVER, *HEAVY_STDLIB, *NO_ARGPARSE, "caro.catalog", "caro.backends.ollama", "caro.backends.builtin",
             "caro.terminal.explain", "tree_sitter", "tree_sitter_bash", "socket", "selectors"])


def search_path() -> str:
    """caro's sources, then where packages are installed (the user's site too, for `pip install --user`)."""
    paths = sysconfig.get_paths()
    return "\n".join(dict.fromkeys([SRC, paths["purelib"], paths["platlib"], site.getusersitepackages()]))


def imported(args: list[str], tmp_path: Path,
             extra_env: dict[str, str] | None = None) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    out = tmp_path / "modules.txt"
    env = {**os.environ, "NO_COLOR": "1", **(extra_env or {})}
    done = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(out), search_path(), *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    return set(out.read_text().split("\n")), done


@pytest.mark.parametrize("name", list(PATHS))
def test_the_start_path_imports_nothing_it_does_not_need(name: str, tmp_path: Path) -> None:
    args, forbidden = PATHS[name]
    modules, done = imported(args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "caro.cli" in modules  # the run reached caro: the check below means something
    found = sorted(m for m in forbidden if m in modules)
    assert not found, f"caro {' '.join(args)} imported {', '.join(found)}"


def test_the_isolated_run_starts_from_a_bare_interpreter(tmp_path: Path) -> None:
    """No site hook ran: a module the interpreter's .pth files may preload is absent after --version."""
    modules, done = imported(["--version"], tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("caro ")
    assert "site" not in modules
    assert "certifi" not in modules and "pathlib" not in modules


def test_the_parser_is_really_loaded_on_the_check_path(tmp_path: Path) -> None:
    """The lists above forbid the tree-sitter packages; the compiled parser itself must be there."""
    modules, done = imported(["check", "cd / && rm -rf *"], tmp_path)
    assert done.returncode == 4, done.stderr  # blocked: the command was parsed and judged
    assert {"tree_sitter._binding", "tree_sitter_bash._binding"} <= modules


def test_a_line_of_plain_words_is_judged_without_the_parser(tmp_path: Path) -> None:
    """`rm -rf /` has no shell syntax: its words are its fields, and the parser is not even loaded."""
    modules, done = imported(["check", "rm -rf /"], tmp_path)
    assert done.returncode == 4, done.stderr  # still blocked
    assert "tree_sitter._binding" not in modules


# re (with enum, functools and collections), json and shlex cost a fresh interpreter 8-11 ms: more than the
# rest of a catalog answer. caro's own patterns (caro/patterns.py), JSON (caro/jsontext.py) and quoting
# (caro/shell_syntax.py) do without them once a first run in the home has kept its compiled patterns.
STDLIB_START = ["re", "enum", "functools", "collections", "json", "shlex"]


@pytest.mark.parametrize("name", ["check", "catalog", "init", "version"])
def test_after_a_first_run_no_path_imports_re_or_json(name: str, tmp_path: Path) -> None:
    args = PATHS[name][0]
    home = {"CARO_HOME": str(tmp_path / "home")}
    _, done = imported(args, tmp_path, home)
    assert done.returncode == 0, done.stderr
    again, repeat = imported(args, tmp_path, home)
    assert repeat.returncode == 0 and repeat.stdout.split("timing")[0] == done.stdout.split("timing")[0]
    found = sorted(m for m in STDLIB_START if m in again)
    assert not found, f"caro {' '.join(args)} imported {', '.join(found)} on its second run"


def test_the_parser_falls_back_to_the_ordinary_import() -> None:
    """Where the compiled module cannot be found directly, tree-sitter is imported the usual way."""
    code = (
        "import importlib.machinery as m\n"
        "m.EXTENSION_SUFFIXES = []\n"  # the direct load finds no compiled module; ordinary imports still do
        "import sys\n"
        "from caro import shell_syntax\n"
        "tree = shell_syntax.parse_bytes(b'ls -la | wc -l')\n"
        "assert tree.root_node.children[0].type == 'pipeline', tree.root_node\n"
        "assert 'tree_sitter' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": SRC})
    assert done.returncode == 0, done.stderr


def test_a_request_to_lm_studio_imports_only_its_client(tmp_path: Path) -> None:
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    try:
        modules, done = imported(LMSTUDIO[0], tmp_path, {"CARO_LMSTUDIO_URL": server.url})
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert '"backend": "lmstudio"' in done.stdout  # LM Studio answered: the run took the path under test
    found = sorted(m for m in LMSTUDIO[1] if m in modules)
    assert not found, f"caro {' '.join(LMSTUDIO[0])} imported {', '.join(found)}"


def test_a_second_request_to_lm_studio_imports_neither_re_nor_json(tmp_path: Path) -> None:
    from tests.backends.fake_lmstudio import FakeLMStudio

    server = FakeLMStudio().start()
    env = {"CARO_LMSTUDIO_URL": server.url, "CARO_HOME": str(tmp_path / "home")}
    try:
        imported(LMSTUDIO[0], tmp_path, env)
        modules, done = imported(LMSTUDIO[0], tmp_path, env)
    finally:
        server.stop()
    assert done.returncode == 0 and '"backend": "lmstudio"' in done.stdout, done.stderr
    found = sorted(m for m in STDLIB_START if m in modules)
    assert not found, f"caro {' '.join(LMSTUDIO[0])} imported {', '.join(found)} on its second run"


def test_the_help_page_is_read_back_without_argparse(tmp_path: Path) -> None:
    """The first `caro --help` in a home writes the page with argparse; the next one only reads it."""
    first, done = imported(["--help"], tmp_path)
    assert done.returncode == 0 and "argparse" in first
    again, repeat = imported(["--help"], tmp_path)
    assert repeat.returncode == 0 and repeat.stdout == done.stdout
    assert "usage: caro" in repeat.stdout and "commands (caro COMMAND --help for each)" in repeat.stdout
    assert not {"argparse", "re", "gettext"} & again, sorted({"argparse", "re", "gettext"} & again)


def test_the_launcher_imports_nothing_before_caro() -> None:
    """bin/caro (installed as the `caro` command on POSIX systems by setup.py) imports neither `re` nor
    anything else before caro's own start: pip's entry-point wrapper would import `re` first."""
    launcher = Path(SRC).parent / "bin" / "caro"
    done = subprocess.run([sys.executable, "-S", "-X", "importtime", str(launcher), "--version"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": SRC})
    assert done.returncode == 0 and done.stdout.startswith("caro "), done.stderr
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "caro.cli" in modules
    assert not {"re", "enum", "json", "functools"} & modules, sorted({"re", "enum", "json", "functools"} & modules)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_read_back_without_argparse(shell: str, tmp_path: Path) -> None:
    """`eval "$(caro completions zsh)"` may run at every shell start: the script is built from every
    subcommand's parser once, then read back like the help page."""
    home = {"CARO_HOME": str(tmp_path / "home")}
    first, done = imported(["completions", shell], tmp_path, home)
    assert done.returncode == 0 and "argparse" in first and "caro.commands.completions" in first
    again, repeat = imported(["completions", shell], tmp_path, home)
    assert repeat.returncode == 0 and repeat.stdout == done.stdout and "caro" in repeat.stdout
    assert not {"argparse", "caro.commands.completions", "caro.commands.finetune"} & again
    from caro.commands.completions import script

    assert repeat.stdout == script(shell)  # what the parsers write today, not a stale copy
