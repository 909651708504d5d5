"""The prompt `caro finetune` trains on is byte for byte the prompt the embedded backend serves, for each
model family: FunctionGemma (Gemma 3), SmolLM2 (Llama) and Qwen2."""

from __future__ import annotations

import importlib.util
import json

import pytest

from caro import prompting
from caro.backends.base import GenerationRequest
from caro.context import Context
from caro.training import examples as ex
from tests.helpers import need
from tests.training import templates

EXAMPLE = ex.Example("show the last 20 lines of app.log", "tail -n 20 app.log", "Shows the end of app.log.",
                     "macos", "zsh")
STYLES = {"functiongemma": "functiongemma", "smollm2": "json", "qwen2": "tools"}


@pytest.fixture(autouse=True)
def _parts() -> None:
    need(importlib.util.find_spec("transformers") is not None and importlib.util.find_spec("llama_cpp") is not None,
         "transformers (caro[train]) and llama-cpp-python (caro[embedded])")


def served(family: str) -> str:
    """What the embedded backend renders for this request: llama-cpp-python's Jinja formatter on the
    GGUF's template with prompting.chat_messages (see backends/embedded.py)."""
    from llama_cpp import llama_chat_format

    style = prompting.answer_style(templates.FAMILIES[family])
    request = GenerationRequest(prompt=EXAMPLE.prompt, context=Context(platform="macos", shell="zsh", cwd="."))
    bos, eos = templates.SPECIAL[family]
    formatter = llama_chat_format.Jinja2ChatFormatter(template=templates.FAMILIES[family], eos_token=eos,
                                                      bos_token=bos)
    messages = prompting.chat_messages(request, style)
    tools = prompting.chat_tools(style)
    prompt = str(formatter(messages=messages, tools=tools).prompt)
    # llama.cpp adds <bos> itself when a template writes it; training leaves it to the tokenizer too.
    return prompt.removeprefix(bos) if "bos_token" in templates.FAMILIES[family] else prompt


@pytest.mark.parametrize("family", list(templates.FAMILIES))
def test_training_prompt_is_the_served_prompt(family: str) -> None:
    renderer = ex.Renderer(templates.tokenizer(family))
    assert renderer.style == STYLES[family]
    prompt, _ = ex.split_text(renderer.chat(EXAMPLE), renderer)
    assert prompt == served(family)
    assert "macOS" in prompt and EXAMPLE.prompt in prompt  # the platform and the request reach the model


def test_each_style_learns_its_own_answer() -> None:
    answers = {}
    for family in templates.FAMILIES:
        renderer = ex.Renderer(templates.tokenizer(family))
        answers[family] = ex.split_text(renderer.chat(EXAMPLE), renderer)[1]
    assert answers["functiongemma"].startswith("<start_function_call>call:run_shell_command{")
    assert answers["functiongemma"].endswith("<start_function_response>")
    assert json.loads(answers["smollm2"].removesuffix("<|im_end|>\n")) == {
        "command": "tail -n 20 app.log", "explanation": "Shows the end of app.log."}
    body = answers["qwen2"].split("<tool_call>\n", 1)[1].split("\n</tool_call>", 1)[0]
    assert json.loads(body) == {"name": "run_shell_command", "arguments": {
        "command": "tail -n 20 app.log", "explanation": "Shows the end of app.log."}}


def test_a_refusal_in_json_style_is_an_empty_command() -> None:
    renderer = ex.Renderer(templates.tokenizer("smollm2"))
    refusal = ex.Example("wipe the disk", "", "I won't do that: it destroys every file.")
    answer = ex.split_text(renderer.chat(refusal), renderer)[1]
    assert json.loads(answer.removesuffix("<|im_end|>\n")) == {"command": "",
                                                                "explanation": "I won't do that: it destroys every file."}
