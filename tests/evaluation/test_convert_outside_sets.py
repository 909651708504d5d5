"""scripts/convert_outside_sets.py turns the layouts of InterCode-ALFA and nl2bash-eabench into caro sets.

The layouts are rebuilt here in miniature (made-up prompts, the real folder and file names), so the test
needs neither set; the converted cases load as caro cases and run in the real sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from caro.evaluation.dataset import load
from caro.evaluation.sandbox import Sandbox
from caro.evaluation.scoring import Scorer

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "convert_outside_sets.py"


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def alfa(tmp_path: Path) -> Path:
    root = tmp_path / "InterCode-ALFA"
    datasets = root / "src" / "icalfa" / "assets" / "datasets"
    docker = root / "src" / "icalfa" / "assets" / "docker"
    datasets.mkdir(parents=True)
    docker.mkdir(parents=True)
    for split in range(1, 6):
        rows = [{"query": f"show the notes of split {split}", "gold": f"cat /testbed/notes{split}.txt",
                 "gold2": f"cat /testbed/notes{split}.txt", "difficulty": 0}]
        if split == 3:
            rows.append({"query": "copy the workspace file to the backup folder",
                         "gold": "cp /workspace/a.txt /backup/", "gold2": "cp /workspace/a.txt /backup/a.txt",
                         "difficulty": 1})
        (datasets / f"nl2bash_fs_{split}.json").write_text(json.dumps(rows))
        setup = ("#!/bin/bash\nrm -rf /testbed/\nmkdir -p /testbed/dir1\n"
                 f"echo 'split {split}' > /testbed/notes{split}.txt\n")
        if split == 3:
            setup = "#!/bin/bash\nmkdir -p /workspace /backup\necho data > /workspace/a.txt\n"
        (docker / f"setup_nl2b_fs_{split}.sh").write_text(setup)
    return root


def test_alfa_keeps_prompts_and_order_and_runs_with_absolute_paths(alfa: Path, tmp_path: Path,
                                                                   sandbox: Sandbox) -> None:
    out = tmp_path / "alfa.jsonl"
    done = convert("alfa", str(alfa), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote 6 cases" in done.stdout
    cases = load(out)
    assert [c.prompt for c in cases][:3] == ["show the notes of split 1", "show the notes of split 2",
                                             "show the notes of split 3"]
    assert cases[0].references == ("cat /testbed/notes1.txt",)  # identical gold commands kept once
    assert cases[0].cwd == "/" and "/testbed/" in cases[0].files and cases[0].setup.startswith("rm -rf")
    copy = next(c for c in cases if c.prompt.startswith("copy"))
    assert set(copy.files) == {"/backup/", "/workspace/"}
    scorer = Scorer(sandbox)
    assert scorer.score(cases[0], "cat testbed/notes1.txt").functional is True
    assert scorer.score(copy, "cp /workspace/a.txt /backup/a.txt").correct
    assert not scorer.score(copy, "mv /workspace/a.txt /backup/").correct


def test_eabench_takes_prompt_truth_files_and_setup(tmp_path: Path, sandbox: Sandbox) -> None:
    root = tmp_path / "nl2bash-eabench"
    first = root / "bash_1" / "test1"
    first.mkdir(parents=True)
    (first / "prompt").write_text("Count the lines of a.txt\n")
    (first / "name").write_text("test1\n")
    (first / "bash.sh").write_text("#!/bin/bash\nwc -l < a.txt\n")
    (first / "count_lines.sh").write_text("#!/bin/bash\nwc -l < a.txt\n")  # the truth under its own name
    (first / "prerequisite.sh").write_text("#!/bin/bash\necho extra >> a.txt\n")
    (first / "test.py").write_text("print('harness')\n")
    (first / "a.txt").write_text("one\ntwo\n")
    second = root / "bash_2" / "test001"
    (second / "home" / "test").mkdir(parents=True)
    (second / "prompt").write_text("Show b.txt\n")
    (second / "bash.sh").write_text("#!/bin/bash\ncat b.txt\n")
    (second / "home" / "test" / "b.txt").write_text("bee\n")
    (second / "home" / "test" / "pre_test.sh").write_text("#!/bin/bash\n")
    (second / "home" / "test" / "link.txt").symlink_to("b.txt")
    out = tmp_path / "eabench.jsonl"
    done = convert("eabench", str(root), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote 1 cases" in done.stdout and "1 left out" in done.stdout  # the symbolic link
    (case,) = load(out)
    assert case.references == ("wc -l < a.txt",)
    assert case.files == {"a.txt": "one\ntwo\n"}
    assert case.setup == "echo extra >> a.txt"
    assert Scorer(sandbox).score(case, "cat a.txt | wc -l").correct  # three lines after the setup
    assert not Scorer(sandbox).score(case, "wc -l a.txt").correct


def test_a_wrong_path_is_explained(tmp_path: Path) -> None:
    done = convert("alfa", str(tmp_path), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert "nl2bash_fs_1.json not found" in done.stderr and "Traceback" not in done.stderr
    missing = convert("eabench", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out.jsonl"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
