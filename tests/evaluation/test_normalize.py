"""Normalised match: spelling differences vanish, meaning differences stay (real tree-sitter-bash parser)."""

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


# Constructs bashlex could not read at all: tree-sitter parses them, so the commands around them normalise.
@pytest.mark.parametrize(("a", "b"), [
    ("[[ -f x ]] && ls -la", "[[ -f x ]]  &&  ls -al"),
    ("echo $((1+2)) | wc -l", "echo $((1+2))  |  wc --lines"),
    ("case $x in a) ls;; esac; ls -la", "case $x in a) ls;; esac\nls -al"),
    ("[[ $n -gt 2 ]] || grep -rn foo .", "[[ $n -gt 2 ]] || grep -n -r foo ."),
    ("echo > f hi", "echo hi > f"),  # words after a redirect's target are still arguments
    ("ls -la 2>/dev/null", "ls -al 2> /dev/null"),
    ("ls # list the files", "ls"),
    ("! grep -q x f", "! grep --quiet x f"),
])
def test_bash_only_constructs_normalise(a: str, b: str) -> None:
    assert same(a, b), (normalise(a), normalise(b))


@pytest.mark.parametrize(("a", "b"), [
    ("[[ -f x ]] && ls", "[[ -d x ]] && ls"),
    ("echo $((1+2))", "echo $((1+3))"),
    ("a & b", "a ; b"),
    ("! grep x f", "grep x f"),
    ("case $x in a) ls;; esac", "case $x in b) ls;; esac"),
    ("ls 2>/dev/null", "ls >/dev/null"),
])
def test_bash_only_constructs_keep_their_meaning(a: str, b: str) -> None:
    assert not same(a, b), normalise(a)


def test_a_list_normalises_each_command() -> None:
    assert normalise("[[ -f x ]] && ls -la") == "[[ -f x ]] && ls -a -l"
    assert normalise("cat f | wc -l") == normalise("wc -l < f") == "wc -l <f"
