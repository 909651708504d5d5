"""The prompt: FunctionGemma declaration rendering (golden) and the context every prompt carries."""

from __future__ import annotations

import pytest

from caro import prompting
from caro.backends.base import GenerationRequest
from caro.context import Context

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Gets the current weather in a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": 'The city and state, e.g. "San Francisco, CA" or "Tokyo, JP"'},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"],
                         "description": "The unit to return the temperature in."},
            },
            "required": ["location"],
        },
    },
}

# Google's canonical declaration block.
WEATHER_DECLARATION = (
    "<start_function_declaration>declaration:get_current_weather{description:<escape>Gets the current weather "
    "in a given location.<escape>,parameters:{properties:{location:{description:<escape>The city and state, "
    'e.g. "San Francisco, CA" or "Tokyo, JP"<escape>,type:<escape>STRING<escape>},unit:{description:<escape>'
    "The unit to return the temperature in.<escape>,enum:[<escape>celsius<escape>,<escape>fahrenheit<escape>],"
    "type:<escape>STRING<escape>}},required:[<escape>location<escape>],type:<escape>OBJECT<escape>}}"
    "<end_function_declaration>"
)


def test_declaration_matches_googles_rendering() -> None:
    assert prompting.render_declaration(WEATHER_TOOL) == WEATHER_DECLARATION


def test_declaration_without_required_omits_it() -> None:
    tool = {"function": {"name": "f", "description": "d", "parameters": {
        "type": "object", "properties": {"b": {"type": "integer"}, "a": {"type": "string"}}}}}
    assert prompting.render_declaration(tool) == (
        "<start_function_declaration>declaration:f{description:<escape>d<escape>,parameters:{properties:"
        "{a:{type:<escape>STRING<escape>},b:{type:<escape>INTEGER<escape>}},type:<escape>OBJECT<escape>}}"
        "<end_function_declaration>")


def request(platform: str, shell: str) -> GenerationRequest:
    return GenerationRequest(prompt="list files by size", context=Context(platform=platform, shell=shell, cwd="/"))


def test_functiongemma_prompt_shape() -> None:
    text = prompting.functiongemma_prompt(request("linux", "bash"))
    assert text.startswith("<start_of_turn>developer\n")
    assert not text.startswith("<bos>")  # the server adds BOS
    # The trigger sentence is followed directly by the declaration, as the template renders it.
    assert prompting.FUNCTION_CALLING_TRIGGER + "<start_function_declaration>declaration:run_shell_command" in text
    assert text.endswith("<start_of_turn>user\nlist files by size<end_of_turn>\n<start_of_turn>model\n")


@pytest.mark.parametrize("platform, shell, words", [
    ("linux", "bash", ["Linux", "GNU", "bash"]),
    ("macos", "zsh", ["macOS", "BSD", "zsh"]),
    ("windows", "powershell", ["Windows", "powershell"]),
])
def test_os_shell_and_flavour_are_always_in_the_prompt(platform: str, shell: str, words: list[str]) -> None:
    req = request(platform, shell)
    for text in (prompting.system_prompt(req), prompting.functiongemma_prompt(req)):
        for word in words:
            assert word in text
