"""The safety engine stays cheap to start: judging a command loads no dataclasses, typing or tree-sitter
package (only tree-sitter's compiled modules), for bash and for PowerShell alike.

Runs in `python -I -S` with sys.path set by hand, so no site hook preloads anything
(tests/cli/test_start_imports.py does the same for whole CLI paths)."""

from __future__ import annotations

import importlib.util
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import caro
from caro.safety import Verdict, assess
from caro.safety.model import Finding, Found
from caro.safety.paths import scope

SRC = str(Path(caro.__file__).resolve().parents[1])
HEAVY = ["dataclasses", "inspect", "ast", "tokenize", "typing", "tree_sitter", "tree_sitter_bash",
         "tree_sitter_powershell", "importlib.resources", "pathlib", "unicodedata"]

CODE = """
import sys
sys.path[:0] = sys.argv[1].split("\\n")
from caro.safety import assess
verdict = assess(sys.argv[2], shell=sys.argv[3], prompt="delete the windows folder")
print(verdict.risk)
print("\\n".join(sorted(sys.modules)))
"""


def judged_in_fresh_interpreter(command: str, shell: str) -> tuple[str, set[str]]:
    paths = sysconfig.get_paths()
    search = "\n".join(dict.fromkeys([SRC, paths["purelib"], paths["platlib"], site.getusersitepackages()]))
    done = subprocess.run([sys.executable, "-I", "-S", "-c", CODE, search, command, shell],
                          capture_output=True, text=True, timeout=60, check=True)
    risk, *modules = done.stdout.split("\n")
    return risk, set(modules)


def test_judging_a_bash_command_loads_only_the_parser_binding() -> None:
    risk, modules = judged_in_fresh_interpreter("cd / && rm -rf *", "bash")
    assert risk == "critical"
    assert "tree_sitter_bash._binding" in modules  # it was really parsed
    assert not [m for m in HEAVY if m in modules]


def test_a_line_of_plain_words_is_judged_without_loading_the_parser() -> None:
    risk, modules = judged_in_fresh_interpreter("sudo rm -rf /", "bash")
    assert risk == "critical"
    assert "tree_sitter_bash._binding" not in modules and "tree_sitter._binding" not in modules


@pytest.mark.skipif(importlib.util.find_spec("tree_sitter_powershell") is None,
                    reason="tree-sitter-powershell is not installed")
def test_judging_a_powershell_command_loads_only_the_grammar_binding() -> None:
    risk, modules = judged_in_fresh_interpreter("Remove-Item -Recurse -Force C:\\Windows", "powershell")
    assert risk == "critical"
    assert "tree_sitter_powershell._binding" in modules
    assert not [m for m in HEAVY if m in modules]


def test_plain_classes_compare_by_value_like_the_dataclasses_they_replace() -> None:
    assert Finding(3, "x") == Finding(3, "x") and Finding(3, "x") != Finding(2, "x")
    assert len({Finding(3, "x"), Finding(3, "x")}) == 1  # findings are hashable values
    assert Found(("/",), True) == Found(("/",), True, False) != Found(("/",), True, True)
    assert scope("/etc") == scope("/etc") and hash(scope("/etc")) == hash(scope("/etc"))
    first, second = assess("rm -rf /tmp/x"), assess("rm -rf /tmp/x")
    assert isinstance(first, Verdict) and first == second and first is not second
    assert first != assess("ls")
    assert repr(first).startswith("Verdict(command='rm -rf /tmp/x', risk=")
