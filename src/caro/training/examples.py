"""Training examples: the compact authoring form, the chat form FunctionGemma's template renders, and text.

Authoring form (one JSON object a line; what people write):

    {"prompt": "...", "command": "...", "explanation": "...", "os": "linux", "shell": "bash"}

An empty `command` marks a refusal: the model answers in prose (the explanation) and calls no tool.

Chat form (what the chat template renders; OpenAI-style messages plus the tool schema):

    {"messages": [{"role": "system", ...}, {"role": "user", ...},
                  {"role": "assistant", "content": "", "tool_calls": [{"type": "function",
                   "function": {"name": "run_shell_command", "arguments": {"command": ..., "explanation": ...}}}]}],
     "tools": [<caro's run_shell_command tool>]}

Text form: {"text": ...}, the chat form rendered by the model's own chat template, without the leading
<bos> (the tokenizer adds it again when training).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from caro.backends.base import TOOL_NAME, GenerationRequest
from caro.context import Context

OSES = ("linux", "macos", "windows")
EXAMPLE_SHELLS = ("bash", "zsh", "fish", "sh", "powershell", "cmd")
DEFAULT_SHELL = {"linux": "bash", "macos": "zsh", "windows": "powershell"}
REQUIRED_FIELDS = ("prompt", "command", "explanation")
OPTIONAL_FIELDS = ("os", "shell", "id", "tags")
# Appended after a call in the text form: FunctionGemma is trained to emit it after a call, and servers
# stop on it, so a fine-tuned model ends its answer cleanly.
AFTER_CALL = "<start_function_response>"


class ExampleError(ValueError):
    """One line of a dataset is not a valid example; the message says what is wrong."""


@dataclass(frozen=True)
class Example:
    """One authoring-form example, checked."""

    prompt: str
    command: str
    explanation: str
    os: str = "linux"
    shell: str = "bash"

    @property
    def is_refusal(self) -> bool:
        return not self.command

    def as_dict(self) -> dict[str, str]:
        return {"prompt": self.prompt, "command": self.command, "explanation": self.explanation,
                "os": self.os, "shell": self.shell}


def detect_form(record: dict[str, Any]) -> str:
    """'authoring', 'chat' or 'text', from the keys a record carries."""
    if "messages" in record:
        return "chat"
    if "text" in record and "prompt" not in record:
        return "text"
    return "authoring"


def parse_authoring(record: dict[str, Any]) -> Example:
    """Check an authoring-form record and return it as an Example; ExampleError says what is wrong."""
    unknown = sorted(set(record) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise ExampleError(f"unknown field(s) {', '.join(unknown)}; allowed: "
                           f"{', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}")
    for name in REQUIRED_FIELDS:
        if name not in record:
            raise ExampleError(f"missing field '{name}'")
        if not isinstance(record[name], str):
            raise ExampleError(f"field '{name}' must be a string")
    prompt = record["prompt"].strip()
    command = record["command"].strip()
    explanation = record["explanation"].strip()
    if not prompt:
        raise ExampleError("field 'prompt' is empty")
    if not explanation:
        raise ExampleError("field 'explanation' is empty (a refusal explains itself there)")
    if "\n" in command:
        raise ExampleError("field 'command' spans several lines; caro suggests one command")
    os_name = record.get("os", "linux")
    if os_name not in OSES:
        raise ExampleError(f"field 'os' must be one of {', '.join(OSES)} (got {os_name!r})")
    shell = record.get("shell", DEFAULT_SHELL[os_name])
    if shell not in EXAMPLE_SHELLS:
        raise ExampleError(f"field 'shell' must be one of {', '.join(EXAMPLE_SHELLS)} (got {shell!r})")
    if os_name == "windows" and shell not in ("powershell", "cmd"):
        raise ExampleError(f"shell {shell!r} does not fit os 'windows' (use powershell or cmd)")
    if os_name != "windows" and shell == "cmd":
        raise ExampleError(f"shell 'cmd' does not fit os {os_name!r}")
    return Example(prompt, command, explanation, os_name, shell)


def request_messages(example: Example, style: str = "functiongemma") -> list[dict[str, Any]]:
    """The system and user messages caro sends for this OS and shell, so training and serving match."""
    from caro import prompting

    context = Context(platform=example.os, shell=example.shell, cwd=".")
    request = GenerationRequest(prompt=example.prompt, context=context)
    return [dict(m) for m in prompting.chat_messages(request, style)]


def tools(style: str = "functiongemma") -> list[dict[str, Any]] | None:
    from caro import prompting

    return prompting.chat_tools(style)


def to_chat(example: Example, style: str = "functiongemma") -> dict[str, Any]:
    """The chat form of one example in a model's answer style (prompting.STYLES): system, user and the
    assistant's tool call, JSON answer or refusal."""
    from caro import prompting

    assistant: dict[str, Any]
    if style == prompting.JSON:
        assistant = {"role": "assistant", "content": prompting.json_answer(example.command, example.explanation)}
    elif example.is_refusal:
        assistant = {"role": "assistant", "content": example.explanation}
    else:
        arguments = {"command": example.command, "explanation": example.explanation}
        assistant = {"role": "assistant", "content": "",
                     "tool_calls": [{"type": "function", "function": {"name": TOOL_NAME, "arguments": arguments}}]}
    chat: dict[str, Any] = {"messages": [*request_messages(example, style), assistant]}
    declared = tools(style)
    if declared:
        chat["tools"] = declared
    return chat


def check_chat(record: dict[str, Any]) -> tuple[str, str, str]:
    """Check a chat-form record; return (prompt, command, shell-or-empty). ExampleError says what is wrong."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ExampleError("'messages' must be a non-empty list")
    unknown = sorted(set(record) - {"messages", "tools"})
    if unknown:
        raise ExampleError(f"unknown field(s) {', '.join(unknown)}; a chat record has 'messages' and 'tools'")
    for i, message in enumerate(messages, 1):
        if not isinstance(message, dict) or message.get("role") not in ("system", "developer", "user", "assistant"):
            raise ExampleError(f"message {i} needs a role: system, developer, user or assistant")
    users = [m for m in messages if m["role"] == "user"]
    if not users or not isinstance(users[-1].get("content"), str) or not users[-1]["content"].strip():
        raise ExampleError("no user message with text")
    last = messages[-1]
    if last["role"] != "assistant":
        raise ExampleError("the last message must be the assistant's answer")
    calls = last.get("tool_calls") or []
    if not calls:
        if not isinstance(last.get("content"), str) or not last["content"].strip():
            raise ExampleError("the assistant neither calls a tool nor answers in text")
        return users[-1]["content"], "", ""
    call = calls[0].get("function", calls[0]) if isinstance(calls[0], dict) else None
    if not isinstance(call, dict) or call.get("name") != TOOL_NAME:
        raise ExampleError(f"the assistant's call must be to {TOOL_NAME}")
    arguments = call.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            raise ExampleError("the call's arguments are a string but not JSON") from None
    if not isinstance(arguments, dict) or not isinstance(arguments.get("command"), str) \
            or not arguments["command"].strip():
        raise ExampleError("the call's arguments need a non-empty string 'command'")
    declared = record.get("tools")
    if not isinstance(declared, list) or not any(
        isinstance(t, dict) and t.get("function", t).get("name") == TOOL_NAME for t in declared
    ):
        raise ExampleError(f"'tools' must declare {TOOL_NAME}")
    return users[-1]["content"], arguments["command"], ""


def to_text(chat: dict[str, Any], renderer: Renderer | None = None) -> str:
    """Render the chat form with a chat template (without a <bos> the template writes); a FunctionGemma
    call ends with AFTER_CALL."""
    return "".join(split_text(chat, renderer))


def split_text(chat: dict[str, Any], renderer: Renderer | None = None) -> tuple[str, str]:
    """(prompt, answer): the prompt exactly as served (the template with its generation prompt) and the
    answer the model learns. ExampleError when the template does not render the prompt as a prefix."""
    renderer = renderer or Renderer()
    messages = chat["messages"]
    text = renderer(messages, chat.get("tools"))
    prompt = renderer(messages[:-1], chat.get("tools"), add_generation_prompt=True)
    if not text.startswith(prompt) or len(text) == len(prompt):
        raise ExampleError("the chat template does not render the prompt followed by the answer "
                           "(no model turn to learn from)")
    if messages[-1].get("tool_calls") and renderer.style == "functiongemma" and not text.endswith(AFTER_CALL):
        text += AFTER_CALL
    return prompt, text[len(prompt):]


class Renderer:
    """Renders messages with a model's own chat template (from its tokenizer), else caro's FunctionGemma one."""

    def __init__(self, tokenizer: Any = None) -> None:
        self.tokenizer = tokenizer
        from caro.prompting import answer_style

        self.style = answer_style(self.template)

    @property
    def template(self) -> str:
        own = getattr(self.tokenizer, "chat_template", None) if self.tokenizer is not None else None
        if isinstance(own, str) and own:
            return own
        from caro.training.chat_template import TEMPLATE

        return TEMPLATE

    @property
    def bos(self) -> str:
        """The <bos> text a template writes itself (the tokenizer adds it again when training)."""
        if "bos_token" not in self.template:
            return ""
        token = getattr(self.tokenizer, "bos_token", None) if self.tokenizer is not None else "<bos>"
        return str(token or "")

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                 add_generation_prompt: bool = False) -> str:
        if self.tokenizer is not None and getattr(self.tokenizer, "chat_template", None):
            text = str(self.tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                                          add_generation_prompt=add_generation_prompt))
        else:
            from caro.training.chat_template import render

            text = render(messages, tools, add_generation_prompt=add_generation_prompt)
        bos = self.bos
        return text.removeprefix(bos) if bos else text

    def chat(self, example: Example) -> dict[str, Any]:
        """The chat form of `example` in this template's answer style."""
        return to_chat(example, self.style)
