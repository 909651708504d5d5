"""Model output -> Suggestion(command, explanation). One parser for every backend.

Formats, tried in this order (the first that yields a command wins):

1. structured tool calls (OpenAI `tool_calls`, Ollama `tool_calls`): arguments as a JSON string or an
   object; an empty `tool_calls: []` next to real content is simply skipped;
2. FunctionGemma `<start_function_call>call:NAME{key:<escape>…<escape>}<end_function_call>` in the text,
   also unterminated (the end tag was a stop string), after a `<think>` block, with bare values;
3. LM Studio's default tool format `[TOOL_REQUEST]{json}[END_TOOL_REQUEST]`;
4. JSON: `{"name": …, "arguments": {…}}`, `{"command": …}`, `{"cmd": …}`, repaired when a small model
   writes unescaped quotes (`{"cmd": "find . -name "*.txt""}`) or stray backslashes (`\\;`);
5. fenced code (```bash … ```), then inline `code` inside prose;
6. plain text: a single command line.

A call of another function, or a call without a command, is an UnparseableOutput that carries the raw
output as `detail` (shown under -v). Commands keep their quotes, semicolons, tabs, `{}`, `\\;`
and newlines exactly as the model wrote them: string values are never split on punctuation.
"""

from __future__ import annotations

from caro import jsontext
from caro import patterns as rx
from caro.backends.base import TOOL_NAME, RawOutput
from caro.errors import UnparseableOutput

# typing only for the type checker: this module is on a request's start path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

START_CALL = "<start_function_call>"
END_CALL = "<end_function_call>"
ESCAPE = "<escape>"
# Tokens a server may leave in text; never part of a command.
_STRAY_TOKENS = ("<end_of_turn>", "<start_of_turn>", "<eos>", "<bos>", "<start_function_response>",
                 "<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>")
_COMMAND_KEYS = ("command", "cmd", "shell_command", "bash", "script")
_EXPLANATION_KEYS = ("explanation", "description", "reason", "comment")
_HINT = "Rephrase the request, or rerun with -v to see what the model wrote."


class Suggestion:
    """A command and its explanation, taken from a model's answer. (A plain class: a dataclass costs
    milliseconds to build at every start.)"""

    __slots__ = ("command", "explanation")

    def __init__(self, command: str, explanation: str = "") -> None:
        self.command = command
        self.explanation = explanation

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Suggestion):
            return NotImplemented
        return (self.command, self.explanation) == (other.command, other.explanation)

    def __hash__(self) -> int:
        return hash((self.command, self.explanation))

    def __repr__(self) -> str:
        return f"Suggestion(command={self.command!r}, explanation={self.explanation!r})"


class _WrongCall(Exception):
    """A well-formed call that is not a usable shell command (kept to report if nothing else parses)."""


def parse(raw: RawOutput) -> Suggestion:
    """Extract the command from a backend's output, or raise UnparseableOutput."""
    problems: list[str] = []
    for call in raw.tool_calls:
        try:
            found = _from_call(call.name, call.arguments)
        except _WrongCall as exc:
            problems.append(str(exc))
            continue
        if found:
            return found
    text = _clean(raw.text)
    for extract in (_functiongemma, _tool_request, _json_anywhere):
        try:
            found = extract(text)
        except _WrongCall as exc:
            problems.append(str(exc))
            continue
        if found:
            return found
    # A call was made but is unusable: do not guess a command from the surrounding text.
    if not problems and not _structured(text):
        found = _fenced(text) or _plain(text)
        if found and _names_the_tool(found.command):
            problems.append(f"the model wrote the tool's name ({TOOL_NAME}) instead of a command")
        elif found:
            return found
    if problems:
        raise UnparseableOutput(problems[0], _HINT + " The model may not be tuned for caro's tool.",
                                detail=_detail(raw))
    if not text:
        raise UnparseableOutput("the model's answer was empty", _HINT, detail=_detail(raw))
    raise UnparseableOutput("the model answered without a command", _HINT, detail=_detail(raw))


def _detail(raw: RawOutput) -> str:
    calls = "".join(f"\n[tool call] {c.name} {c.arguments!r}" for c in raw.tool_calls)
    return raw.text + calls


def _clean(text: str) -> str:
    """Drop reasoning blocks and end-of-turn tokens; keep everything else byte for byte."""
    if "</think>" in text:
        text = rx.sub(r"<think>.*?</think>", "", text, flags=rx.DOTALL)
    if "<think>" in text and START_CALL not in text.split("<think>", 1)[1]:
        text = text.split("<think>", 1)[0]  # unterminated reasoning with nothing after it
    text = text.replace("<think>", "")
    for token in _STRAY_TOKENS:
        text = text.replace(token, "")
    return text.strip()


def _structured(text: str) -> bool:
    """Call markup or a JSON document that held no command: never read it as a plain command."""
    if START_CALL in text or ESCAPE in text or "[TOOL_REQUEST]" in text:
        return True
    return text[:1] in "{[" and isinstance(_json_object(text), dict | list)


# --- structured calls ----------------------------------------------------------------------------


def _from_call(name: str, arguments: Any) -> Suggestion | None:
    """A call's name and arguments -> Suggestion; _WrongCall when it is not our tool or lacks a command."""
    args: Any = arguments
    if isinstance(arguments, str):
        body = arguments.strip()
        parsed = _json_object(body) if body.startswith("{") else None
        if isinstance(parsed, dict):
            args = parsed
        elif body.startswith("{") and '"' in body[:3] and (repaired := _repair_command(body)):
            args = {"command": repaired.command, "explanation": repaired.explanation}
        else:
            args = _coerce(_fg_arguments(body[1:] if body.startswith("{") else body)[0])
    if name and _normalise(name) != TOOL_NAME:
        if _command_in(args) and name.lower() in ("shell", "bash", "run_command", "execute", "terminal"):
            pass  # close enough: a shell tool under another name
        else:
            raise _WrongCall(f"the model called an unknown function '{name}' instead of {TOOL_NAME}")
    command = _command_in(args)
    if not command:
        raise _WrongCall(f"the model called {name or TOOL_NAME} without a command")
    return Suggestion(command, _explanation_in(args))


def _normalise(name: str) -> str:
    name = name.strip()
    if name.startswith("functions."):
        name = name[len("functions.") :]
    if not name.islower():
        name = rx.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.replace("-", "_").lower()


def _command_in(args: dict[str, Any]) -> str:
    for key in _COMMAND_KEYS:
        value = args.get(key)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        if value is not None and not isinstance(value, dict | list | bool):
            command = str(value).strip()
            if command:
                return command
    return ""


def _explanation_in(args: dict[str, Any]) -> str:
    for key in _EXPLANATION_KEYS:
        value = args.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip()
    return ""


# --- FunctionGemma ---------------------------------------------------------------------------------

# Patterns are compiled on first use (re caches them): a tool-call answer then compiles none.
_CALL_RE = r"<start_function_call>\s*(?:call:)?\s*([A-Za-z_][\w.\-]*)\s*"


def _functiongemma(text: str) -> Suggestion | None:
    calls = list(rx.finditer(_CALL_RE, text))
    if not calls:
        return None
    first_problem: _WrongCall | None = None
    for match in calls:
        name = match.group(1)
        rest = text[match.end() :]
        end = rest.find(START_CALL)
        if end >= 0:
            rest = rest[:end]
        rest = rest.split(END_CALL, 1)[0] if ESCAPE not in rest else _cut_end(rest)
        rest = rest.strip()
        arguments: Any = rest
        if not (rest.startswith("{") and rest[1:].lstrip().startswith('"')):
            arguments = _coerce(_fg_arguments(rest[1:] if rest.startswith("{") else rest)[0])
        try:
            return _from_call(name, arguments)
        except _WrongCall as exc:
            first_problem = first_problem or exc
    assert first_problem is not None
    raise first_problem


def _cut_end(rest: str) -> str:
    """Text up to <end_function_call>, ignoring that tag inside <escape> regions."""
    position = 0
    inside = False
    while True:
        next_escape = rest.find(ESCAPE, position)
        next_end = rest.find(END_CALL, position)
        if next_end < 0:
            return rest
        if not inside and (next_escape < 0 or next_end < next_escape):
            return rest[:next_end]
        if next_escape < 0:
            return rest  # inside an unterminated string: everything is the value
        inside = not inside
        position = next_escape + len(ESCAPE)


def _fg_arguments(body: str, position: int = 0) -> tuple[dict[str, Any], int]:
    """Parse `key:value,…}` (the part after `{`). <escape> regions are read first, so `,:}` inside
    string values never split them. Unterminated input (a stop string cut the call) is accepted."""
    args: dict[str, Any] = {}
    size = len(body)
    while position < size:
        while position < size and body[position] in " \t\r\n,":
            position += 1
        if position >= size:
            break
        if body[position] == "}":
            return args, position + 1
        key_match = rx.compile(r'"?([A-Za-z_][\w\-]*)"?\s*:').match(body, position)
        if not key_match:
            break
        key = key_match.group(1)
        position = key_match.end()
        while position < size and body[position] in " \t":
            position += 1
        value, position = _fg_value(body, position)
        args[key] = value
    return args, position


def _fg_value(body: str, position: int) -> tuple[Any, int]:
    if body.startswith(ESCAPE, position):
        start = position + len(ESCAPE)
        end = body.find(ESCAPE, start)
        if end < 0:  # unterminated: the value runs to the end of the call
            value = body[start:]
            for tail in ("}", END_CALL):
                value = value.removesuffix(tail)
            return value, len(body)
        return body[start:end], end + len(ESCAPE)
    if body.startswith("{", position):
        return _fg_arguments(body, position + 1)
    if body.startswith("[", position):
        items: list[Any] = []
        position += 1
        while position < len(body):
            while position < len(body) and body[position] in " ,":
                position += 1
            if position >= len(body) or body[position] == "]":
                return items, position + 1
            item, new_position = _fg_value(body, position)
            if new_position <= position:
                break
            items.append(item)
            position = new_position
        return items, position
    match = rx.compile(r"[^,}\]]*").match(body, position)
    assert match is not None
    return _cast(match.group(0).strip()), match.end()


def _cast(value: str) -> Any:
    """A bare value: number, boolean, null, or a string (quotes stripped), as Google's parser does."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "none"):
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _coerce(args: dict[str, Any]) -> dict[str, Any]:
    """Coerce values to the tool's schema: command and explanation are strings (a model may write
    `command:42` bare, or `<escape>250<escape>` where a number is meant)."""
    from caro.prompting import TOOL

    properties: dict[str, Any] = TOOL["function"]["parameters"]["properties"]
    out = dict(args)
    for key, value in args.items():
        kind = properties.get(key, {}).get("type")
        if kind == "string" and value is not None and not isinstance(value, str):
            out[key] = jsontext.dumps(value) if isinstance(value, dict | list) else (
                ("true" if value else "false") if isinstance(value, bool) else str(value))
        elif kind in ("integer", "number") and isinstance(value, str):
            cast = _cast(value)
            out[key] = cast if isinstance(cast, int | float) else value
    return out


# --- LM Studio's default format and JSON ------------------------------------------------------------

_TOOL_REQUEST_RE = r"\[TOOL_REQUEST\](.*?)(?:\[END_TOOL_REQUEST\]|$)"


def _tool_request(text: str) -> Suggestion | None:
    first_problem: _WrongCall | None = None
    for match in rx.finditer(_TOOL_REQUEST_RE, text, rx.DOTALL):
        try:
            found = _from_json_text(match.group(1).strip())
        except _WrongCall as exc:
            first_problem = first_problem or exc
            continue
        if found:
            return found
    if first_problem:
        raise first_problem
    return None


def _json_anywhere(text: str) -> Suggestion | None:
    start = text.find("{")
    first_problem: _WrongCall | None = None
    tried = 0
    while start >= 0 and tried < 8:
        tried += 1
        try:
            found = _from_json_text(text[start:])
        except _WrongCall as exc:
            first_problem = first_problem or exc
            found = None
        if found:
            return found
        start = text.find("{", start + 1)
    if first_problem:
        raise first_problem
    return None


def _from_json_text(text: str) -> Suggestion | None:
    """A JSON object at the start of `text` (trailing text ignored) -> Suggestion."""
    data = _json_object(text)
    if isinstance(data, list):
        data = next((item for item in data if isinstance(item, dict)), None)
    if isinstance(data, dict):
        return _from_json_data(data)
    return _repair_command(text)


def _from_json_data(data: dict[str, Any]) -> Suggestion | None:
    if isinstance(data.get("function"), dict):  # {"type": "function", "function": {...}}
        data = data["function"]
    if isinstance(data.get("name"), str) and ("arguments" in data or "parameters" in data):
        arguments = data.get("arguments", data.get("parameters"))
        return _from_call(data["name"], arguments)
    if _command_in(data):
        return Suggestion(_command_in(data), _explanation_in(data))
    return None


def _json_object(text: str) -> Any:
    """Decode the JSON value at the start of `text`, allowing raw tabs/newlines and stray backslashes."""
    text = text.strip()
    try:
        return jsontext.raw_decode(text, strict=False)[0]
    except ValueError:
        pass
    try:
        return jsontext.raw_decode(_fix_backslashes(text), strict=False)[0]
    except ValueError:
        return None


def _fix_backslashes(text: str) -> str:
    r"""Escape backslashes that start no JSON escape (`find … -exec rm {} \;`)."""
    return rx.sub(r'\\(?!["\\/bfnrtu])', lambda _: "\\\\", text)  # a function, not a template: no `re` needed


_KEY_RE = r'"(command|cmd|shell_command)"\s*:\s*"'
_VALUE_END_RE = r'"\s*(?:,\s*"[A-Za-z_]+"\s*:|\}|$)'


def _repair_command(text: str) -> Suggestion | None:
    """Recover `{"cmd": "find . -name "*.txt""}`: the value ends at the first quote followed by
    `, "key":` or `}`, so inner unescaped quotes stay part of the command."""
    match = rx.search(_KEY_RE, text)
    if not match:
        return None
    body = text[match.end() :]
    end = rx.search(_VALUE_END_RE, body)
    if not end:
        return None
    command = _unescape(body[: end.start()])
    explanation = ""
    rest = body[end.start() + 1 :]
    found = rx.search(r'"(?:explanation|description)"\s*:\s*"(.*?)"\s*(?:,\s*"[A-Za-z_]+"\s*:|\})', rest, rx.DOTALL)
    if found:
        explanation = _unescape(found.group(1))
    return Suggestion(command.strip(), explanation.strip()) if command.strip() else None


def _unescape(value: str) -> str:
    """JSON-unescape a string body that may hold raw quotes; leave it as written when that fails."""
    escaped = rx.sub(r'(?<!\\)"', lambda _: '\\"', value)
    try:
        result = jsontext.loads('"' + _fix_backslashes(escaped) + '"', strict=False)
    except ValueError:
        return value
    return result if isinstance(result, str) else value


# --- fenced code and plain text ----------------------------------------------------------------------

_FENCE_RE = r"```[ \t]*([\w+\-.]*)[ \t]*\n(.*?)(?:```|$)"
_INLINE_RE = r"(?<!`)`([^`\n]+)`(?!`)"
_PROMPT_PREFIX_RE = r"^(?:\$|>|PS[^>]*>)\s+"
_PROSE_START = (
    r"^(?:sure|here|this|the|to|you|i|i'm|it|that|sorry|unfortunately|please|as|note|in|a|an|we|there|"
    r"certainly|of course|okay)\b[\s,!:']")


def _fenced(text: str) -> Suggestion | None:
    match = rx.search(_FENCE_RE, text, rx.DOTALL)
    if match:
        body = match.group(2).strip("\n")
        lines = [line for line in body.split("\n") if line.strip() and not line.lstrip().startswith("# ")]
        lines = [rx.sub(_PROMPT_PREFIX_RE, "", line) for line in lines]
        command = "\n".join(lines).strip()
        if command:
            outside = (text[: match.start()] + " " + text[match.end() :]).strip()
            return Suggestion(command, _sentence(outside))
    inline = rx.search(_INLINE_RE, text)
    if inline and (_prose_start(text) or "\n" in text or _looks_like_prose(text)):
        return Suggestion(inline.group(1).strip(), _sentence(rx.sub(_INLINE_RE, r"\1", text)))
    return None


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:300]


def _names_the_tool(command: str) -> bool:
    """Small models often answer with the bare function name: that is no command."""
    word = rx.split(r"[\s({:]", command.strip().strip("`"), maxsplit=1)[0]
    return _normalise(word) == TOOL_NAME


def _plain(text: str) -> Suggestion | None:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return None
    first = lines[0]
    if first.endswith(":") and len(lines) > 1:
        lines = lines[1:]
        first = lines[0]
    first = rx.sub(_PROMPT_PREFIX_RE, "", first)
    first = rx.sub(r"^(?:command|cmd)\s*:\s*", "", first, flags=rx.IGNORECASE)
    if _looks_like_prose(first):
        return None
    return Suggestion(first, _sentence(" ".join(lines[1:])))


def _prose_start(text: str) -> bool:
    return rx.match(_PROSE_START, text, rx.IGNORECASE) is not None


def _looks_like_prose(line: str) -> bool:
    if _prose_start(line):
        return True
    words = line.split()
    return len(words) > 4 and line[-1] in ".!?" and words[0][:1].isupper() and not rx.search(r"[|&;<>$=/]", line)
