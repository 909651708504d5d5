"""`caro dataset validate|convert` on the shipped dataset and on broken files, through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caro.training import examples as ex
from caro.training.chat_template import render
from caro.training.validate import NEAR_DUPLICATE, normalise, similarity, trigrams

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "data" / "train.jsonl"
HELDOUT = ROOT / "data" / "heldout.jsonl"

GOOD = {"prompt": "list files by size", "command": "ls -lS", "explanation": "Lists files, largest first.",
        "os": "linux", "shell": "bash"}


def rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_shipped_dataset_is_valid(caro) -> None:
    done = caro("dataset", "validate", str(TRAIN), "-o", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["summary"]["errors"] == 0
    done = caro("dataset", "validate", str(HELDOUT), "--against", str(TRAIN), "-o", "json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_shipped_dataset_coverage() -> None:
    train, held = rows(TRAIN), rows(HELDOUT)
    everything = train + held
    assert len(everything) >= 500
    assert len(held) >= 50
    assert sum(r["os"] == "linux" for r in everything) >= 150
    assert sum(r["os"] == "macos" for r in everything) >= 150
    assert sum(r["shell"] == "powershell" for r in everything) >= 50
    assert sum(1 for r in everything if not r["command"]) >= 10  # refusals
    # GNU and BSD variants of the same request differ where the flags differ.
    by_prompt = {(r["prompt"], r["os"]): r["command"] for r in everything}
    assert any("stat -c" in c for c in by_prompt.values()) and any("stat -f" in c for c in by_prompt.values())
    assert any("sed -i ''" in c for c in by_prompt.values())


def test_heldout_has_no_near_duplicates_of_train() -> None:
    train_grams = [trigrams(normalise(r["prompt"])) for r in rows(TRAIN)]
    for row in rows(HELDOUT):
        grams = trigrams(normalise(row["prompt"]))
        assert max(similarity(grams, g) for g in train_grams) < NEAR_DUPLICATE, row["prompt"]


def test_training_data_does_not_leak_into_the_evaluation_set() -> None:
    """`caro eval` scores a fine-tune on data/eval.jsonl; none of its requests may be trained on."""
    evaluation = ROOT / "data" / "eval.jsonl"
    assert evaluation.exists()  # the evaluation set ships with caro
    eval_grams = [trigrams(normalise(r["prompt"])) for r in rows(evaluation)]
    for row in rows(TRAIN) + rows(HELDOUT):
        grams = trigrams(normalise(row["prompt"]))
        assert max(similarity(grams, g) for g in eval_grams) < NEAR_DUPLICATE, row["prompt"]


def test_every_target_passes_the_safety_engine() -> None:
    from caro.safety import assess

    for row in rows(TRAIN) + rows(HELDOUT):
        if row["command"]:
            verdict = assess(row["command"], mode="moderate", shell=row["shell"])
            assert verdict.risk in ("safe", "moderate"), (row["command"], verdict.reasons)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "must be a JSON object"),
        (json.dumps({**GOOD, "prompt": ""}), "'prompt' is empty"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "explanation"}), "missing field 'explanation'"),
        (json.dumps({**GOOD, "os": "plan9"}), "field 'os' must be one of"),
        (json.dumps({**GOOD, "os": "windows", "shell": "bash"}), "does not fit os 'windows'"),
        (json.dumps({**GOOD, "colour": "red"}), "unknown field(s) colour"),
        (json.dumps({**GOOD, "command": "ls\nrm x"}), "spans several lines"),
        (json.dumps({**GOOD, "prompt": "wipe it", "command": "rm -rf /"}), "risk"),
        (json.dumps({"messages": [{"role": "user", "content": "hi"}]}), "last message must be the assistant"),
        (json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [
            {"function": {"name": "other_tool", "arguments": {"command": "ls"}}}]}]}), "must be to run_shell_command"),
    ],
)
def test_validate_rejects_each_broken_line_with_its_number(caro, tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "d.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "prompt": "show disk usage",
                                                                     "command": "df -h"}), line])
    done = caro("dataset", "validate", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}:3: error:" in done.stdout
    assert message in done.stdout
    assert f"{path}:1:" not in done.stdout and f"{path}:2:" not in done.stdout
    assert "Traceback" not in done.stderr


def test_validate_reports_duplicates_and_leakage(caro, tmp_path: Path) -> None:
    train = write(tmp_path / "train.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "prompt": "List files by size!"})])
    held = write(tmp_path / "held.jsonl", [json.dumps({**GOOD, "prompt": "list the files by size"}),
                                           json.dumps({**GOOD, "prompt": "how much memory is free",
                                                       "command": "free -h"})])
    done = caro("dataset", "validate", str(train), "-o", "json")
    issues = json.loads(done.stdout)["issues"]
    assert done.returncode == 2
    assert [(i["line"], "duplicate of line 1" in i["message"]) for i in issues] == [(2, True)]
    done = caro("dataset", "validate", str(held), "--against", str(train), "-o", "json")
    issues = json.loads(done.stdout)["issues"]
    assert [i["line"] for i in issues] == [1]
    assert "near-duplicate of" in issues[0]["message"] and f"{train}:1" in issues[0]["message"]


def test_validate_flags_overlong_examples(caro, tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "prompt": "x " * 3000})])
    done = caro("dataset", "validate", str(path), "--max-tokens", "600", "-o", "json")
    issues = json.loads(done.stdout)["issues"]
    assert [(i["line"], i["severity"]) for i in issues] == [(2, "warning")]
    assert "exceeds the limit of 600" in issues[0]["message"]


def test_validate_missing_file_is_a_clear_error(caro, tmp_path: Path) -> None:
    done = caro("dataset", "validate", str(tmp_path / "nope.jsonl"))
    assert done.returncode == 2
    assert "no such file" in done.stderr and "Traceback" not in done.stderr


def test_convert_to_chat_and_text(caro, tmp_path: Path) -> None:
    source = write(tmp_path / "a.jsonl", [json.dumps(GOOD), json.dumps(
        {"prompt": "erase the disk", "command": "", "explanation": "I won't erase a disk.", "os": "macos"})])
    chat_path, text_path = tmp_path / "chat.jsonl", tmp_path / "text.jsonl"
    assert caro("dataset", "convert", str(source), "--to", "chat", "--out", str(chat_path)).returncode == 0
    chats = rows(chat_path)
    call = chats[0]["messages"][-1]["tool_calls"][0]["function"]
    assert call == {"name": "run_shell_command", "arguments": {"command": "ls -lS",
                                                              "explanation": "Lists files, largest first."}}
    assert chats[0]["messages"][0]["role"] == "system" and "GNU" in chats[0]["messages"][0]["content"]
    assert chats[0]["tools"][0]["function"]["name"] == "run_shell_command"
    assert chats[1]["messages"][-1] == {"role": "assistant", "content": "I won't erase a disk."}
    assert "macOS" in chats[1]["messages"][0]["content"]
    # The chat form validates and converts on to text.
    assert caro("dataset", "validate", str(chat_path)).returncode == 0
    done = caro("dataset", "convert", str(chat_path), "--to", "text", "--out", str(text_path))
    assert done.returncode == 0, done.stderr
    texts = [r["text"] for r in rows(text_path)]
    assert not texts[0].startswith("<bos>")
    assert texts[0].endswith("<start_of_turn>model\n<start_function_call>call:run_shell_command{command:<escape>"
                             "ls -lS<escape>,explanation:<escape>Lists files, largest first.<escape>}"
                             "<end_function_call><start_function_response>")
    assert texts[1].endswith("<start_of_turn>model\nI won't erase a disk.<end_of_turn>\n")
    assert "declaration:run_shell_command{description:<escape>" in texts[0]


def test_template_renders_published_functiongemma_example() -> None:
    """Byte-for-byte the rendering the reference quotes from the Unsloth notebook (Example B)."""
    messages = [
        {"role": "system", "content": "You are a weather assistant."},
        {"role": "user", "content": "What is the weather in Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}]},
        {"role": "tool", "name": "get_weather", "content": '{"city": "Tokyo", "temp_c": 25, "condition": "sunny"}'},
        {"role": "assistant", "content": "It is currently 25°C and sunny in Tokyo."},
    ]
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Get the current weather for a given city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string",
                                                                 "description": "City name, e.g. 'Tokyo'."}},
                       "required": ["city"]}}}]
    expected = (
        "<bos><start_of_turn>developer\nYou are a weather assistant.<start_function_declaration>declaration:"
        "get_weather{description:<escape>Get the current weather for a given city.<escape>,parameters:{properties:"
        "{city:{description:<escape>City name, e.g. 'Tokyo'.<escape>,type:<escape>STRING<escape>}},required:"
        "[<escape>city<escape>],type:<escape>OBJECT<escape>}}<end_function_declaration><end_of_turn>\n"
        "<start_of_turn>user\nWhat is the weather in Tokyo?<end_of_turn>\n<start_of_turn>model\n"
        "<start_function_call>call:get_weather{city:<escape>Tokyo<escape>}<end_function_call>"
        "<start_function_response>response:get_weather{value:<escape>{\"city\": \"Tokyo\", \"temp_c\": 25, "
        "\"condition\": \"sunny\"}<escape>}<end_function_response>It is currently 25°C and sunny in Tokyo."
        "<end_of_turn>\n"
    )
    assert render(messages, tools) == expected


def test_training_prompt_matches_what_caro_sends() -> None:
    """The text a model is trained on starts with exactly the prompt caro renders at serving time."""
    from caro import prompting
    from caro.backends.base import GenerationRequest
    from caro.context import Context

    example = ex.parse_authoring({**GOOD, "os": "macos", "shell": "zsh"})
    text = ex.to_text(ex.to_chat(example))
    request = GenerationRequest(prompt=GOOD["prompt"], context=Context("macos", "zsh", "."))
    assert text.startswith(prompting.functiongemma_prompt(request))


def test_validate_against_an_evaluation_set_reads_its_prompts(caro, tmp_path: Path) -> None:
    """--against takes any file whose lines carry a "prompt", such as caro's evaluation set."""
    evaluation = write(tmp_path / "eval.jsonl", [json.dumps({"prompt": "list the files by size",
                                                             "references": ["ls -lS"], "category": "listing"})])
    train = write(tmp_path / "train.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "prompt": "show free memory",
                                                                          "command": "free -h"})])
    done = caro("dataset", "validate", str(train), "--against", str(evaluation), "-o", "json")
    issues = json.loads(done.stdout)["issues"]
    assert done.returncode == 2 and [i["line"] for i in issues] == [1]
    assert f"{evaluation}:1" in issues[0]["message"]
