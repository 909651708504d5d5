"""What caro says to a model: the system prompt, the shell-command tool, and FunctionGemma prompt text.

Two request shapes use the same words:

- chat (`/v1/chat/completions`, Ollama `/api/chat`): `messages()` plus `TOOL`; the server applies the
  model's chat template;
- raw completion (`/v1/completions`, `lmstudio.api = "completions"`): caro renders FunctionGemma's
  template itself with `functiongemma_prompt()` and sends `STOP_SEQUENCES`.

OS, userland flavour (GNU/BSD) and shell are always in the system text, because `ls`, `sed -i`, `date`
and `find` flags differ between them. The system text ends with FunctionGemma's trigger sentence, so the
tool declarations follow it directly, as the model was trained.
"""

from __future__ import annotations

from caro import jsontext
from caro.backends.base import TOOL_NAME, GenerationRequest
from caro.context import Context

# typing only for the type checker: this module is on a request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# FunctionGemma switches tool use on with exactly this sentence.
FUNCTION_CALLING_TRIGGER = "You are a model that can do function calling with the following functions"

TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Run one shell command on the user's machine.",
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The exact shell command to run."},
                "explanation": {"type": "string", "description": "One sentence explaining what the command does."},
            },
            "required": ["command"],
        },
    },
}

# Where generation must stop: end of the model turn, and the tool-response block a FunctionGemma
# fine-tune was trained to open right after its call.
STOP_SEQUENCES = ["<end_of_turn>", "<start_function_response>"]

# LM Studio's hub preset for FunctionGemma uses 0.1; a command that drives a shell should be repeatable.
TEMPERATURE = 0.1
MAX_TOKENS = 256


def instructions(ctx: Context) -> str:
    """The task, with the OS, userland flavour and shell the command must suit."""
    return (
        f"You turn a request into exactly one {ctx.shell} command for {ctx.describe()}. "
        f"Call {TOOL_NAME} with the command and a one-sentence explanation. "
        "Use flags that exist on this platform, keep the command as simple as the request allows, "
        "start paths at the current directory, and never write destructive commands unless asked."
    )


def system_prompt(request: GenerationRequest) -> str:
    """System text for chat models; it ends with the trigger so the declarations follow it."""
    return f"{instructions(request.context)}\n{FUNCTION_CALLING_TRIGGER}"


def user_message(request: GenerationRequest) -> str:
    return request.prompt


def messages(request: GenerationRequest) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": system_prompt(request)},
        {"role": "user", "content": user_message(request)},
    ]


# --- answer styles: how a model calls the tool ----------------------------------------------------------
#
# functiongemma: FunctionGemma's own call tokens (`<start_function_call>call:run_shell_command{...}`);
# tools:         the model's own tool-call template (Qwen2's `<tool_call>{json}</tool_call>`, ...), tools
#                declared through the template;
# json:          models whose template knows no tools answer with one JSON object,
#                {"command": "...", "explanation": "..."}, which caro's parser reads and the embedded
#                backend's grammar enforces.
# Training (caro finetune) and serving (every backend) build their messages here, so a fine-tuned model
# sees at run time exactly the prompt it was trained on.

FUNCTIONGEMMA, TOOLS, JSON = "functiongemma", "tools", "json"
STYLES = (FUNCTIONGEMMA, TOOLS, JSON)


def answer_style(chat_template: str) -> str:
    """The answer style a chat template supports (see above)."""
    if "start_function_declaration" in chat_template or "start_function_call" in chat_template:
        return FUNCTIONGEMMA
    if "tool_calls" in chat_template or "tools" in chat_template:
        return TOOLS
    return JSON


def json_system_prompt(request: GenerationRequest) -> str:
    """System text for models that answer in JSON: short, because the small models tuned on it (on a
    CPU) gain nothing from long instructions, while every token costs time in training and serving."""
    return f"Shell command for {request.context.describe()}. JSON reply."


def chat_messages(request: GenerationRequest, style: str) -> list[dict[str, str]]:
    """System and user messages for a model of this answer style."""
    if style == JSON:
        return [{"role": "system", "content": json_system_prompt(request)},
                {"role": "user", "content": user_message(request)}]
    return messages(request)


def chat_tools(style: str) -> list[dict[str, Any]] | None:
    """The tools passed to the chat template: none for JSON answers."""
    return None if style == JSON else [jsontext.loads(jsontext.dumps(TOOL))]


def json_answer(command: str, explanation: str) -> str:
    """A JSON-style answer, byte for byte what the embedded backend's grammar lets a model write."""
    return jsontext.dumps({"command": command, "explanation": explanation}, ensure_ascii=False)


def json_fallback_instructions() -> str:
    """For servers that reject `tools`: ask for the call as JSON text instead (the parser reads both)."""
    return (
        f'Answer with only this JSON, nothing else: {{"name": "{TOOL_NAME}", "arguments": '
        '{"command": "<the command>", "explanation": "<one sentence>"}}'
    )


# --- FunctionGemma rendering ----------------------------------------


def _escape(text: str) -> str:
    return f"<escape>{text}<escape>"


def _render_property(schema: dict[str, Any]) -> str:
    parts = []
    if "description" in schema:
        parts.append(f"description:{_escape(str(schema['description']))}")
    if "enum" in schema:
        parts.append("enum:[" + ",".join(_escape(str(e)) for e in schema["enum"]) + "]")
    if "type" in schema:
        parts.append(f"type:{_escape(str(schema['type']).upper())}")
    return "{" + ",".join(parts) + "}"


def render_declaration(tool: dict[str, Any]) -> str:
    """One tool as FunctionGemma declares it: keys sorted, types upper-cased, strings in <escape>."""
    function = tool.get("function", tool)
    params = function.get("parameters") or {}
    parts = []
    properties = params.get("properties") or {}
    if properties:
        parts.append("properties:{" + ",".join(
            f"{name}:{_render_property(properties[name])}" for name in sorted(properties)) + "}")
    if params.get("required"):
        parts.append("required:[" + ",".join(_escape(str(r)) for r in params["required"]) + "]")
    if params.get("type"):
        parts.append(f"type:{_escape(str(params['type']).upper())}")
    return (
        f"<start_function_declaration>declaration:{function['name']}"
        f"{{description:{_escape(str(function.get('description', '')))},parameters:{{{','.join(parts)}}}}}"
        "<end_function_declaration>"
    )


def functiongemma_prompt(request: GenerationRequest, tools: list[dict[str, Any]] | None = None) -> str:
    """The full FunctionGemma prompt up to the model's turn, as its chat template renders a system
    message, the tools and one user message. No <bos>: the server adds it."""
    declarations = "".join(render_declaration(tool) for tool in (tools or [TOOL]))
    return (
        f"<start_of_turn>developer\n{system_prompt(request).strip()}{declarations}<end_of_turn>\n"
        f"<start_of_turn>user\n{user_message(request).strip()}<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
