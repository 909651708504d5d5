"""The scorer calls equivalent commands equal and different ones different (real sandbox, real parser)."""

from __future__ import annotations

import pytest

from caro.evaluation.dataset import Case
from caro.evaluation.sandbox import Sandbox
from caro.evaluation.scoring import Scorer

FILES = {
    "f": "alpha\nbeta\ngamma\n",
    "notes.txt": "b\na\nc\na\n",
    ".hidden": "secret\n",
    "src/main.py": "print('hi')\n",
    "src/util.py": "x = 1\n",
    "docs/readme.md": "# readme\n",
}


@pytest.fixture(scope="module")
def scorer(sandbox: Sandbox) -> Scorer:
    return Scorer(sandbox)


def case(*references: str, platform: str = "any", files: dict[str, str] | None = None) -> Case:
    return Case("test prompt", references, "test", platform, FILES if files is None else files, line=hash(references))


def test_cat_into_wc_and_redirect_agree_on_output(sandbox: Sandbox, scorer: Scorer) -> None:
    piped, redirected = sandbox.run("cat f | wc -l", FILES), sandbox.run("wc -l < f", FILES)
    assert piped.stdout == redirected.stdout == b"3\n"
    assert piped.same_effects(redirected)
    assert scorer.score(case("wc -l < f"), "cat f | wc -l").correct


@pytest.mark.parametrize(("reference", "candidate"), [
    ("ls -a", "ls -A"),
    ("wc -l < f", "wc -l f"),  # prints the file name too
    ("head -n 2 f", "head -n 3 f"),
    ("sort notes.txt", "sort -r notes.txt"),
    ("sort -u notes.txt", "sort notes.txt"),
    ("mkdir out", "mkdir output"),
    ("touch new.txt", "echo > new.txt"),  # same name, different contents
    ("chmod 600 f", "chmod 644 f"),  # only the file mode differs
    ("grep -c a notes.txt", "grep a notes.txt"),
    ("find . -name '*.py'", "find . -name '*.md'"),
    ("cp f g", "mv f g"),
    ("ls -t", "ls"),  # fixture files have distinct times, an hour apart
])
def test_known_different_pairs_differ(scorer: Scorer, reference: str, candidate: str) -> None:
    score = scorer.score(case(reference), candidate)
    assert not score.correct
    assert score.method == "functional"
    assert score.functional is False


@pytest.mark.parametrize(("reference", "candidate", "method"), [
    ("ls -la", "ls -la", "exact"),
    ("ls -la", "ls -al", "normalized"),
    ("ls -la", "ls -l --all", "normalized"),
    ("find . -name '*.py'", 'find . -name "*.py"', "normalized"),
    ("sort -rn notes.txt", "sort -n -r notes.txt", "normalized"),
    ("head -n 2 f", "head -2 f", "normalized"),
    ("tar -czf out.tgz src", "tar czf out.tgz src", "normalized"),
    ("grep -c a notes.txt", "grep a notes.txt | wc -l", "functional"),
    ("sort -u notes.txt", "sort notes.txt | uniq", "functional"),
    ("tail -n +2 f", "sed 1d f", "functional"),
    ("find src -name '*.py' | sort", "ls src/*.py", "functional"),
    ("mkdir -p a/b", "mkdir a a/b", "functional"),
    ("chmod 600 f", "chmod u=rw,go= f", "functional"),
    ("touch x.txt", ": > x.txt", "functional"),
    ("tar -cf d.tar docs", "tar -cvf d.tar docs", "functional"),  # -v chatter is not held against it
    ("cut -d, -f1 f", "awk -F, '{print $1}' f", "functional"),
])
def test_known_equivalent_pairs_are_equal(scorer: Scorer, reference: str, candidate: str, method: str) -> None:
    score = scorer.score(case(reference), candidate)
    assert score.correct, score.note
    assert score.method == method
    assert score.matched == reference


def test_any_reference_may_match(scorer: Scorer) -> None:
    score = scorer.score(case("wc -l < f", "wc -l f"), "wc --lines f")
    assert score.correct
    assert score.matched == "wc -l f"


def test_unanswered_and_blocked_are_wrong(scorer: Scorer) -> None:
    assert scorer.score(case("ls"), None).method == "unanswered"
    blocked = scorer.score(case("ls"), "rm -rf /", blocked=True, risk="critical")
    assert (blocked.correct, blocked.method) == (False, "blocked")


def test_dangerous_candidate_is_not_run(scorer: Scorer) -> None:
    score = scorer.score(case("ls"), "rm -rf ~", risk="high")
    assert not score.correct
    assert score.functional is None
    assert "rated high" in score.note


def test_macos_cases_are_not_run(scorer: Scorer) -> None:
    score = scorer.score(case("stat -f %z f", platform="macos"), "wc -c < f")
    assert score.functional is None
    assert score.method == "normalized"
    assert "macOS" in score.note


def test_varying_reference_falls_back_to_string_metrics(scorer: Scorer) -> None:
    score = scorer.score(case("date +%N"), "date +%s%N")
    assert score.functional is None
    assert "varies" in score.note


def test_silent_reference_proves_nothing(scorer: Scorer) -> None:
    # No empty file here: the reference prints nothing, and so would any silent command.
    score = scorer.score(case("find . -type f -empty"), "find . -name nothing-like-this")
    assert not score.correct
    assert score.functional is None
    assert "no visible effect" in score.note


def test_home_and_working_folder_differ(scorer: Scorer) -> None:
    assert not scorer.score(case("echo $HOME"), "pwd").correct


def test_reference_that_only_fails_proves_nothing(scorer: Scorer) -> None:
    # Outside a repository both fail identically; that must not count as equivalent.
    score = scorer.score(case("git status", files={}), "git log")
    assert not score.correct
    assert score.functional is None
    assert "fails in the sandbox" in score.note


def test_without_sandbox_only_string_metrics_decide() -> None:
    scorer = Scorer(None)
    assert scorer.score(case("ls -la"), "ls -al").correct
    score = scorer.score(case("grep -c a notes.txt"), "grep a notes.txt | wc -l")
    assert not score.correct
    assert score.functional is None
    assert "no sandbox" in score.note


@pytest.mark.parametrize(("reference", "candidate"), [
    # Both fail inside a pipeline, both print 0: the false "both failed, so the same" verdict.
    ("grep ERROR missing.log | wc -l", "cat missing.log | grep ERROR | wc -l"),
    ("cat missing.txt", "cat < /dev/null missing.txt"),  # the very same error message
    ("git log", "git status"),  # outside a repository both fail
])
def test_two_failures_are_never_the_same(scorer: Scorer, reference: str, candidate: str) -> None:
    score = scorer.score(case(reference), candidate)
    assert not score.correct
    assert score.functional is None
    assert "reference fails in the sandbox" in score.note


def test_a_failing_candidate_is_wrong_whatever_it_prints(scorer: Scorer) -> None:
    score = scorer.score(case("grep -c a notes.txt"), "grep a notes.txt missing.txt | grep -c a")
    assert (score.correct, score.method, score.functional) == (False, "functional", False)
    assert score.note.startswith("the command fails")


def test_stderr_is_compared(scorer: Scorer) -> None:
    score = scorer.score(case("ls src"), "ls src; echo warning >&2")
    assert not score.correct
    assert "stderr differs" in score.note


def test_a_case_may_name_the_status_it_expects(scorer: Scorer) -> None:
    expects_one = Case("count lines with zzz", ("grep -c zzz notes.txt",), "test", "any", FILES, line=7, status=1)
    assert scorer.score(expects_one, "grep -c zzz < notes.txt").correct  # prints 0, exits 1, as expected
    assert not scorer.score(expects_one, "grep zzz notes.txt | wc -l").correct  # prints 0 but exits 0
    without = case("grep -c zzz notes.txt")  # the same reference, no status named: it fails
    assert "reference fails" in scorer.score(without, "grep -c zzz < notes.txt").note


def test_fixtures_at_absolute_paths(scorer: Scorer) -> None:
    absolute = Case("show a.txt in the testbed", ("cat /testbed/a.txt",), "test", "any",
                    {"/testbed/a.txt": "alpha\n", "/testbed/b.txt": "beta\n"}, line=8, cwd="/")
    assert scorer.score(absolute, "cat testbed/a.txt").functional is True
    assert scorer.score(absolute, "cat /testbed/b.txt").functional is False
    moved = Case("rename a.txt to c.txt in /testbed", ("mv /testbed/a.txt /testbed/c.txt",), "test", "any",
                 {"/testbed/a.txt": "alpha\n"}, line=9, setup="mkdir /testbed/sub")
    assert scorer.score(moved, "cd /testbed && mv a.txt c.txt").correct
    assert not scorer.score(moved, "cp /testbed/a.txt /testbed/c.txt").correct
