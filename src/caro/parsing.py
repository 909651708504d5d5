"""Model output -> Suggestion. One parser for every backend.

PLACEHOLDER core: tool calls and {"command"/"cmd"} JSON. Issue 4 extends it to every format in the wild
(FunctionGemma call tokens, LM Studio's [TOOL_REQUEST], fenced code, broken JSON, plain text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from caro.backends.base import TOOL_NAME, RawOutput
from caro.errors import UnparseableOutput


@dataclass
class Suggestion:
    """A command and its explanation, taken from a model's answer."""

    command: str
    explanation: str = ""


def parse(raw: RawOutput) -> Suggestion:
    """Extract the command from a backend's output, or raise UnparseableOutput."""
    for call in raw.tool_calls:
        args = call.arguments
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                continue
        if call.name == TOOL_NAME and isinstance(args, dict) and args.get("command"):
            return Suggestion(str(args["command"]), str(args.get("explanation") or ""))
    text = raw.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        command = data.get("command") or data.get("cmd")
        if command:
            return Suggestion(str(command), str(data.get("explanation") or ""))
    if text and "\n" not in text:
        return Suggestion(text)
    raise UnparseableOutput("the model's answer holds no command", "Rephrase the request, or rerun with -v to see it.",
                            detail=raw.text)
