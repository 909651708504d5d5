"""Normalised match: spelling differences vanish, meaning differences stay (real bashlex parser)."""

from __future__ import annotations

import pytest

from caro.evaluation.normalize import canonical_word, normalise, same


@pytest.mark.parametrize(("a", "b"), [
    ("ls -la", "ls -al"),
    ("ls -la", "ls -l -a"),
    ("ls --all -l", "ls -la"),
    ("ls -l 'my dir'", 'ls -l "my dir"'),
    ("ls -l 'my dir'", "ls -l my\\ dir"),
    ("grep -rn foo .", "grep -n -r foo ."),
    ("grep --ignore-case foo f", "grep -i foo f"),
    ("egrep 'a|b' f", "grep -E 'a|b' f"),
    ("head -5 f", "head -n 5 f"),
    ("head -n5 f", "head --lines=5 f"),
    ("tar -czf a.tgz d", "tar czf a.tgz d"),
    ("tar --create --gzip --file=a.tgz d", "tar -zcf a.tgz d"),
    ("sort -k2 -t, f", "sort -t , -k 2 f"),
    ("find -name '*.py'", "find . -name '*.py'"),
    ("find . -name '*.py' -print", "find . -name '*.py'"),
    ("cat f | wc -l", "wc -l < f"),
    ("ls;", "ls"),
    ("  du   -sh   *  ", "du -sh *"),
    ("rm -R d", "rm -r d"),
    ("sed -r 's/a/b/' f", "sed -E 's/a/b/' f"),
    ("ls -l dir", "ls dir -l"),  # GNU option permutation
])
def test_equivalent_spellings_normalise_alike(a: str, b: str) -> None:
    assert same(a, b), (normalise(a), normalise(b))


@pytest.mark.parametrize(("a", "b"), [
    ("ls -a", "ls -A"),
    ("find . -name '*.py'", "find . -name *.py"),  # a quoted pattern is not a glob
    ("sort -k2 -k1 f", "sort -k1 -k2 f"),  # key order matters
    ("wc -l < f", "wc -l f"),
    ("echo $HOME", "echo '$HOME'"),
    ("chmod -x f", "chmod x f"),  # -x is a mode here, not an option
    ("xargs -n1 echo -n", "xargs -n1 echo"),
    ("find . -name a -o -name b -print", "find . -name a -o -name b"),
    ("awk -F, '{print $1}' f", "awk '{print $1}' -F, f"),  # awk options end at the program
    ("tar -cf a.tar d", "tar -xf a.tar d"),
    ("rm -r d", "rm -f d"),
])
def test_different_commands_stay_different(a: str, b: str) -> None:
    assert not same(a, b), normalise(a)


def test_unparseable_text_is_compared_by_its_words() -> None:
    assert normalise("if  then fi   (((") == "if then fi ((("


def test_canonical_word_marks_literal_specials() -> None:
    assert canonical_word("'*.py'") == canonical_word('"*.py"') == canonical_word("\\*.py") == "\\*.py"
    assert canonical_word("*.py") == "*.py"
