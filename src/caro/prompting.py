"""What caro says to a model: the system prompt, the shell-command tool, and the request with its context."""

from __future__ import annotations

from typing import Any

from caro.backends.base import TOOL_NAME, GenerationRequest

# FunctionGemma switches tool use on with exactly this sentence (reference §1.7).
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


def system_prompt(request: GenerationRequest) -> str:
    """Instructions for chat models: one command for this OS and shell, via the tool."""
    ctx = request.context
    return (
        f"{FUNCTION_CALLING_TRIGGER}. You turn a request into exactly one {ctx.shell} command for "
        f"{ctx.describe()}. Call {TOOL_NAME} with the command and a one-sentence explanation. "
        "Use flags that exist on this platform, keep the command as simple as the request allows, "
        "start paths at the current directory, and never write destructive commands unless asked."
    )


def user_message(request: GenerationRequest) -> str:
    return request.prompt
