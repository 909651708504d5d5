"""A stand-in for vLLM's OpenAI-compatible server started without `--enable-auto-tool-choice`, for the
one behaviour caro's generic `openai` backend must handle that no server here has: a request with `tools`
and an automatic tool choice is refused with HTTP 400 and vLLM's error object
(`{"object": "error", "message": "\"auto\" tool choice requires --enable-auto-tool-choice and
--tool-call-parser to be set", "type": "BadRequestError", "param": null, "code": 400}`). A named tool
choice is accepted (vLLM answers it with guided decoding). Everything else — /v1/models, chat answers,
streaming, header recording — is the OpenAI wire format the LM Studio stand-in already speaks.
"""

from __future__ import annotations

from typing import Any

from tests.backends.fake_lmstudio import FakeLMStudio
from tests.backends.fake_server import Handler

AUTO_TOOL_CHOICE = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'


class FakeVLLM(FakeLMStudio):
    def post(self, handler: Handler, path: str, body: Any) -> None:
        named = isinstance(body, dict) and isinstance(body.get("tool_choice"), dict)
        if path == "/v1/chat/completions" and isinstance(body, dict) and body.get("tools") and not named:
            handler.send_json(400, {"object": "error", "message": AUTO_TOOL_CHOICE, "type": "BadRequestError",
                                    "param": None, "code": 400})
            return
        super().post(handler, path, body)
