"""The one parser: every output format a backend meets, and commands that must survive intact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caro.backends.base import RawOutput, ToolCall
from caro.errors import UnparseableOutput
from caro.parsing import Suggestion, parse

# Commands whose punctuation breaks naive parsers (quotes, semicolons, tabs, braces, \;, newlines).
TRICKY = [
    'find . -name "*.log" -type f -mtime +7 -delete',
    "find . -type f -exec rm {} \\;",
    'echo "a,b}"; ls -la | grep -v "^d"',
    "awk -F'\t' '{print $1}' data.tsv",
    "cat <<'EOF' > notes.txt\nline one: {x}\nEOF",
    "grep -rn 'TODO:' src/ && echo done",
    "sort < in.txt > out.txt 2>&1",
]


def fg_call(command: str, explanation: str = "Does it.", end: bool = True) -> str:
    text = (f"<start_function_call>call:run_shell_command{{command:<escape>{command}<escape>,"
            f"explanation:<escape>{explanation}<escape>}}")
    return text + ("<end_function_call>" if end else "")


@pytest.mark.parametrize("command", TRICKY)
def test_functiongemma_call_keeps_commands_intact(command: str) -> None:
    assert parse(RawOutput(fg_call(command))) == Suggestion(command, "Does it.")


@pytest.mark.parametrize("command", TRICKY)
def test_unterminated_functiongemma_call_after_stop_string(command: str) -> None:
    # With <end_function_call> as a stop string the closing tag never arrives.
    assert parse(RawOutput(fg_call(command, end=False))).command == command
    unterminated_value = f"<start_function_call>call:run_shell_command{{command:<escape>{command}"
    assert parse(RawOutput(unterminated_value)).command == command


@pytest.mark.parametrize("command", TRICKY)
def test_tool_call_json_string_arguments(command: str) -> None:
    import json

    raw = RawOutput("", [ToolCall("run_shell_command", json.dumps({"command": command, "explanation": "x"}))])
    assert parse(raw) == Suggestion(command, "x")


def test_functiongemma_after_think_block_and_explanation_with_punctuation() -> None:
    text = "<think>The user wants containers, so docker ps.</think>" + fg_call("docker ps", "Lists: a, b {c}")
    assert parse(RawOutput(text)) == Suggestion("docker ps", "Lists: a, b {c}")


def test_functiongemma_bare_values_are_coerced_to_the_schema() -> None:
    text = "<start_function_call>call:run_shell_command{command:42,explanation:true}<end_function_call>"
    assert parse(RawOutput(text)) == Suggestion("42", "true")


def test_functiongemma_followed_by_hallucinated_response_block() -> None:
    text = fg_call("ls -la") + "<start_function_response>response:run_shell_command{value:<escape>x<escape>}"
    assert parse(RawOutput(text)).command == "ls -la"


def test_functiongemma_wrong_function_is_a_diagnostic_error() -> None:
    text = "<start_function_call>call:get_weather{city:<escape>Paris<escape>}<end_function_call>"
    with pytest.raises(UnparseableOutput) as caught:
        parse(RawOutput(text))
    assert "get_weather" in caught.value.message
    assert caught.value.detail == text  # the raw output, shown under -v


def test_call_without_command_is_a_diagnostic_error() -> None:
    with pytest.raises(UnparseableOutput) as caught:
        parse(RawOutput("", [ToolCall("run_shell_command", '{"explanation": "nothing"}')]))
    assert "without a command" in caught.value.message
    assert "nothing" in caught.value.detail


def test_tool_call_arguments_as_object() -> None:
    raw = RawOutput("", [ToolCall("run_shell_command", {"command": "ls\t-la", "explanation": "Lists."})])
    assert parse(raw) == Suggestion("ls\t-la", "Lists.")


def test_empty_tool_calls_beside_real_content() -> None:
    # LM Studio 0.3.35 always sends "tool_calls": [] (bug-tracker #1318).
    assert parse(RawOutput(fg_call("docker ps"), [])).command == "docker ps"


def test_wrong_tool_call_falls_back_to_a_call_in_content() -> None:
    raw = RawOutput(fg_call("uptime"), [ToolCall("get_weather", '{"city": "Paris"}')])
    assert parse(raw).command == "uptime"


def test_lmstudio_default_tool_request_format() -> None:
    text = ('[TOOL_REQUEST]{"name": "run_shell_command", "arguments": {"command": "docker ps -a", '
            '"explanation": "All containers."}}[END_TOOL_REQUEST]')
    assert parse(RawOutput(text)) == Suggestion("docker ps -a", "All containers.")
    unterminated = '[TOOL_REQUEST]{"name": "run_shell_command", "arguments": {"command": "df -h"}}'
    assert parse(RawOutput(unterminated)).command == "df -h"


@pytest.mark.parametrize("text, command", [
    ('{"name": "run_shell_command", "arguments": {"command": "ls -la"}}', "ls -la"),
    ('{"name": "run_shell_command", "parameters": {"command": "ls -la"}}', "ls -la"),
    ('{"cmd": "du -sh ."}', "du -sh ."),
    ('{"command": "du -sh .", "explanation": "Size."}', "du -sh ."),
    ('Sure! {"cmd": "uname -a"} hope this helps', "uname -a"),
    ('{"cmd": "find . -name "*.txt""}', 'find . -name "*.txt"'),
    ('{"cmd": "grep -r "foo bar" . ", "explanation": "Search."}', 'grep -r "foo bar" .'),
    ('{"command": "find . -exec rm {} \\;"}', "find . -exec rm {} \\;"),
    ('{"command": "printf \'a\\tb\'"}', "printf 'a\tb'"),
])
def test_json_forms_including_broken_quotes(text: str, command: str) -> None:
    assert parse(RawOutput(text)).command == command


def test_fenced_code() -> None:
    text = "Here is the command:\n```bash\n$ docker ps -a\n```\nIt lists all containers."
    found = parse(RawOutput(text))
    assert found.command == "docker ps -a"
    assert "lists all containers" in found.explanation


def test_fenced_multiline_command_keeps_newlines() -> None:
    text = "```sh\nfor f in *.txt; do\n  wc -l \"$f\"\ndone\n```"
    assert parse(RawOutput(text)).command == 'for f in *.txt; do\n  wc -l "$f"\ndone'


def test_inline_code_in_prose() -> None:
    assert parse(RawOutput("You can use `docker ps` to list running containers.")).command == "docker ps"


@pytest.mark.parametrize("text, command", [
    ("docker ps", "docker ps"),
    ("  ls -la | sort  \n", "ls -la | sort"),
    ("$ git status", "git status"),
    ("Command: uname -r", "uname -r"),
])
def test_plain_text(text: str, command: str) -> None:
    assert parse(RawOutput(text)).command == command


@pytest.mark.parametrize("text", [
    "I cannot help with that request.",
    "Sorry, I don't know.",
    "",
    "<think>only thinking, never answering",
    '{"answer": "I do not know"}',
    "[TOOL_REQUEST]not json at all[END_TOOL_REQUEST]",
])
def test_prose_or_nothing_is_unparseable(text: str) -> None:
    with pytest.raises(UnparseableOutput) as caught:
        parse(RawOutput(text))
    assert caught.value.hint
    assert caught.value.detail == text


def test_stray_turn_tokens_are_not_part_of_the_command() -> None:
    assert parse(RawOutput("ls -la<end_of_turn>")).command == "ls -la"


# Any command text survives: printable characters, quotes, braces, backslashes, tabs and newlines.
_COMMAND_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\t\n"),
    min_size=1, max_size=80,
).map(str.strip).filter(lambda s: bool(s) and not any(t in s for t in ("<escape>", "<think>", "</think>", "<start_", "<end_", "<eos>", "<bos>", "<|", "</s>")))


@given(_COMMAND_TEXT)
@settings(max_examples=200, deadline=None)
def test_any_command_survives_functiongemma_and_tool_calls(command: str) -> None:
    import json

    assert parse(RawOutput(fg_call(command))).command == command
    assert parse(RawOutput(fg_call(command, end=False))).command == command
    assert parse(RawOutput("", [ToolCall("run_shell_command", json.dumps({"command": command}))])).command == command
    wrapped = json.dumps({"name": "run_shell_command", "arguments": {"command": command}})
    assert parse(RawOutput(f"[TOOL_REQUEST]{wrapped}[END_TOOL_REQUEST]")).command == command


def test_fenced_code_skips_comment_lines() -> None:
    text = "```bash\n# list the containers\ndocker ps\n```"
    assert parse(RawOutput(text)).command == "docker ps"


@pytest.mark.parametrize("text", ["run_shell_command", "run_shell_command()", "`run_shell_command`",
                                  "```\nrun_shell_command\n```"])
def test_the_bare_tool_name_is_not_a_command(text: str) -> None:
    with pytest.raises(UnparseableOutput, match="tool's name"):
        parse(RawOutput(text=text))
