"""The embedded backend: a GGUF model run in-process by llama.cpp (llama-cpp-python, caro's 'embedded' extra).

It renders the prompt with the chat template stored in the GGUF (llama-cpp-python's Jinja formatter), so a
FunctionGemma fine-tune gets its own tool-aware template and answers in its native call format. Models with
no native call format are held to a grammar: a JSON object with a one-line `command` and a short
`explanation`, bounded so it always ends within the token budget, so even a 135M model always yields a
command the parser can read. A FunctionGemma answer that does not parse is retried once under the grammar.

`llama_cpp` is imported only when a model is loaded; a loaded model is kept for the life of the process
(the evaluation harness asks many questions in one run).
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from caro.backends.base import TOOL_NAME, Availability, GenerationRequest, RawOutput, ToolCall
from caro.config import Settings
from caro.errors import BackendError, BackendTimeout, BackendUnavailable, UnparseableOutput

INSTALL_HINT = "Install it from your caro clone: pip install '.[embedded]' (compiles llama.cpp: about 4 minutes on 2 cores)"

# FunctionGemma ends its turn with <end_of_turn> and, after a call, would go on to invent the tool's
# response; stop there.
FUNCTIONGEMMA_STOPS = ["<end_of_turn>", "<start_function_response>"]

# One loaded model per process: key -> (Llama, load seconds).
_LOADED: dict[tuple[Any, ...], tuple[Any, float]] = {}


def llama_cpp_installed() -> bool:
    """True when llama-cpp-python can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def default_threads() -> int:
    """Half the logical cores (the physical ones on SMT machines), at most 8.

    llama.cpp's worker threads spin while they wait: on a busy machine, one thread per logical core
    makes them fight the rest of the system and generation gets many times slower (measured: 2 threads
    on a loaded 2-core machine ran 5-10x slower than 1). Small models gain little past 8 threads.
    """
    return max(1, min(8, (os.cpu_count() or 2) // 2))


def template_family(template: str) -> str:
    """The model's answer style (prompting.answer_style): 'functiongemma', 'tools' or 'json'."""
    from caro.prompting import answer_style

    return answer_style(template)


def command_grammar(max_tokens: int, refusals: bool = False) -> str:
    """GBNF for {"command": "...", "explanation": "..."}: one line each, bounded so it closes in time.

    A token is at least one character, so capping the command at max_tokens - 24 characters (the
    remainder covers the JSON around it) guarantees the command is complete even if a model rambles;
    the explanation is optional and short, and is closed by the backend if the budget runs out.
    """
    command_max = max(16, max_tokens - 24)
    explanation_max = max(0, min(120, max_tokens - 24))
    first = r'[^"\\\x00-\x20]'
    char = r'([^"\\\x00-\x1f] | "\\" ["\\/])'
    # An empty command is how a model tuned on caro's JSON answer refuses (prompting.json_system_prompt).
    optional = "?" if refusals else ""
    explanation = f'"{{\\"command\\": \\"" cmd{optional} "\\", \\"explanation\\": \\"" expl "\\"}}"'
    return (
        f"root ::= {explanation}\n"
        f"cmd ::= {first} {char}{{0,{command_max - 1}}}\n"
        f"expl ::= {char}{{0,{explanation_max}}}\n"
    )


def json_instructions() -> str:
    """Tells a model held to the grammar what the JSON means (the same tool, as JSON)."""
    from caro.prompting import TOOL

    params = TOOL["function"]["parameters"]["properties"]
    # An example rather than the field descriptions: tiny models copy a description word for word.
    return (
        f"Reply with only one JSON object holding the arguments of {TOOL_NAME} "
        f'("command": {params["command"]["description"].lower().rstrip(".")}; "explanation": '
        f'{params["explanation"]["description"].lower().rstrip(".")}), for example: '
        '{"command": "du -sh .", "explanation": "Shows the total size of the current directory."}'
    )


@dataclass
class _Params:
    path: Path
    context: int
    threads: int
    batch: int
    max_tokens: int
    temperature: float
    stop: list[str]
    constrain: str
    adapter: Path | None = None


class EmbeddedBackend:
    """llama.cpp in-process. See the module docstring."""

    name: ClassVar[str] = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._discovery: Any = None
        self._steps_logged = False

    # ---------------------------------------------------------------------------------------- discovery

    def _discover(self) -> Any:
        if self._discovery is None:
            from caro.local_models import models

            self._discovery = models.discover(self.settings)
            self._apply_model_override(self._discovery)
        return self._discovery

    def _apply_model_override(self, discovery: Any) -> None:
        """`--model` names a GGUF path or a catalogue model present locally; otherwise it is another
        backend's model name and discovery stands."""
        from caro.local_models import models

        wanted = str(self.settings["model"] or "").strip()
        if not wanted:
            return
        path = Path(wanted).expanduser()
        if path.suffix.lower() == ".gguf" and path.is_file():
            discovery.found = models.Found(path, "model", f"--model / model = {wanted}")
            discovery.problem = ""
            discovery.steps.insert(0, f"model: {path}")
            return
        entry = models.catalog_entry(wanted)
        candidate = self.settings.models_dir / entry.file if entry else None
        if candidate is not None and candidate.is_file():
            discovery.found = models.Found(candidate, "model", f"--model / model = {wanted}")
            discovery.problem = ""
            discovery.steps.insert(0, f"model: catalog model {wanted} at {candidate}")
        else:
            discovery.steps.insert(0, f"model: '{wanted}' is not a GGUF file or a downloaded catalog model; ignored")

    def availability(self) -> Availability:
        started = time.perf_counter()
        if not llama_cpp_installed():
            return Availability(
                False,
                "llama-cpp-python is not installed (caro's 'embedded' extra)",
                INSTALL_HINT,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        from caro.local_models import models

        discovery = self._discover()
        elapsed = (time.perf_counter() - started) * 1000
        detail: dict[str, Any] = {"discovery": list(discovery.steps)}
        if discovery.found is None:
            if discovery.problem:
                return Availability(False, discovery.problem, discovery.hint, detail=detail, elapsed_ms=elapsed)
            default = models.catalog_entry(models.DEFAULT_MODEL)
            assert default is not None
            return Availability(
                False,
                "no GGUF model found (model_path unset, none in LM Studio's folder or "
                f"{self.settings.models_dir})",
                f"Run 'caro models pull' to download {default.name} ({models.human_size(default.size)}), "
                "or set [embedded] model_path (or CARO_MODEL_PATH) to a GGUF file.",
                detail=detail,
                elapsed_ms=elapsed,
            )
        found = discovery.found
        detail.update(path=str(found.path), source=found.reason)
        return Availability(True, model=found.path.name, detail=detail, elapsed_ms=elapsed)

    def describe(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"backend": self.name, "llama_cpp": llama_cpp_installed()}
        if facts["llama_cpp"]:
            discovery = self._discover()
            facts["discovery"] = list(discovery.steps)
            if discovery.found is not None:
                facts["model_path"] = str(discovery.found.path)
                facts["source"] = discovery.found.reason
                from caro.local_models import models

                choice = models.adapter_for(self.settings, discovery.found.path)
                facts["adapter_path"] = str(choice.path) if choice.path else None
        facts.update({key: self.settings[f"embedded.{key}"] for key in
                      ("threads", "context", "batch", "max_tokens", "temperature", "constrain")})
        return facts

    # --------------------------------------------------------------------------------------- generation

    def _params(self, path: Path) -> _Params:
        s = self.settings
        threads = int(s["embedded.threads"]) or default_threads()
        return _Params(
            path=path,
            context=int(s["embedded.context"]),
            threads=threads,
            batch=int(s["embedded.batch"]),
            max_tokens=int(s["embedded.max_tokens"]),
            temperature=float(s["embedded.temperature"]),
            stop=list(s["embedded.stop"]),
            constrain=str(s["embedded.constrain"]),
        )

    def _adapter(self, model: Path, request: GenerationRequest | None = None) -> Path | None:
        from caro.local_models import models

        choice = models.adapter_for(self.settings, model)
        if request is not None:
            request.debug(f"embedded: {choice.reason}")
        if choice.problem:
            raise BackendUnavailable(choice.problem, "Point [embedded] adapter_path (or CARO_ADAPTER_PATH) at a "
                                     "LoRA adapter GGUF ('caro export --adapter' writes one), or unset it.")
        return choice.path

    def generate(self, request: GenerationRequest) -> RawOutput:
        if not llama_cpp_installed():
            raise BackendUnavailable("llama-cpp-python is not installed (caro's 'embedded' extra)", INSTALL_HINT)
        discovery = self._discover()
        for step in discovery.steps:
            request.debug(f"embedded model discovery: {step}")
        if discovery.found is None:
            status = self.availability()
            raise BackendUnavailable(status.reason, status.hint)
        params = self._params(discovery.found.path)
        params.adapter = self._adapter(params.path, request)
        llm, load_s, cached = load(params)
        request.debug(f"embedded: {'reused loaded' if cached else 'loaded'} {params.path.name} "
                      f"in {load_s * 1000:.0f} ms ({params.threads} threads, context {params.context})")
        template = str(llm.metadata.get("tokenizer.chat_template", ""))
        family = template_family(template)
        native = family != "json" and params.constrain != "always"
        if params.constrain == "never" or native:
            raw = self._run(llm, params, request, constrained=False, family=family)
            if params.constrain == "never":
                return raw
            from caro.parsing import parse

            try:
                parse(raw)
                return raw
            except UnparseableOutput:
                request.debug("embedded: native answer did not parse; asking again with the JSON grammar")
                retry = self._run(llm, params, request, constrained=True, family=family)
                retry.info["first_attempt"] = raw.text
                return retry
        return self._run(llm, params, request, constrained=True, family=family)

    def _run(self, llm: Any, params: _Params, request: GenerationRequest, *, constrained: bool,
             family: str) -> RawOutput:
        from caro import prompting

        if constrained and family == "functiongemma":
            # FunctionGemma keeps its own prompt; the grammar's JSON is explained after it.
            messages = prompting.messages(request)
            messages[0]["content"] += "\n" + json_instructions()
        else:
            # What caro finetune trains a model of this style on (prompting.chat_messages).
            messages = prompting.chat_messages(request, prompting.JSON if constrained else family)
        kwargs: dict[str, Any] = {
            "messages": messages,
            "temperature": params.temperature,
            "max_tokens": params.max_tokens,
            "stop": list(params.stop) + (FUNCTIONGEMMA_STOPS if family == "functiongemma" else []),
            "stream": True,
        }
        if family != "json" and (not constrained or family == "functiongemma"):
            # The template declares the tool itself (FunctionGemma's or the model's own tool format).
            kwargs["tools"] = [prompting.TOOL]
        if constrained:
            kwargs["grammar"] = _grammar(params.max_tokens, refusals=family == "json")
        started = time.perf_counter()
        deadline = started + max(request.timeout, 0.1)
        how = self._warm_prefix(llm, params, messages, kwargs.get("tools"))
        if how:
            request.debug(f"embedded: fixed prompt prefix from {how} in {(time.perf_counter() - started) * 1000:.0f} ms")
        pieces: list[str] = []
        finish: str | None = None
        try:
            for chunk in llm.create_chat_completion(**kwargs):
                choice = chunk["choices"][0]
                text = choice.get("delta", {}).get("content") or ""
                if text:
                    pieces.append(text)
                    if request.on_text:
                        request.on_text(text)
                finish = choice.get("finish_reason") or finish
                if time.perf_counter() > deadline:
                    raise BackendTimeout(
                        f"the embedded model did not finish within {request.timeout:g} s",
                        "Raise --timeout, lower [embedded] max_tokens, or use a smaller model.",
                    )
        except BackendError:
            raise
        except ValueError as exc:
            # llama-cpp-python reports an over-long prompt and template errors as ValueError.
            raise BackendError(
                f"the embedded model could not run this request: {exc}",
                "Raise [embedded] context, or shorten the request.",
            ) from None
        except RuntimeError as exc:
            raise BackendError(f"llama.cpp failed while generating: {exc}",
                               "Rerun with -v; try another GGUF file.") from None
        text = "".join(pieces)
        elapsed = time.perf_counter() - started
        info: dict[str, Any] = {
            "model_path": str(params.path),
            "mode": "json-grammar" if constrained else "native",
            "template": family,
            "finish_reason": finish,
            "generation_ms": round(elapsed * 1000, 1),
        }
        tool_calls: list[ToolCall] = []
        if constrained:
            arguments = _close_json(text)
            if arguments is not None:
                tool_calls.append(ToolCall(TOOL_NAME, arguments))
        request.debug(f"embedded: {info['mode']} answer in {elapsed * 1000:.0f} ms, finish {finish}")
        return RawOutput(text=text, tool_calls=tool_calls, model=params.path.name, info=info)


    def _warm_prefix(self, llm: Any, params: _Params, messages: list[dict[str, str]],
                     tools: list[dict[str, Any]] | None) -> str:
        """Load (or build) the state after the fixed part of the prompt; see llama_prompt_cache."""
        from caro.backends import llama_prompt_cache as cache

        key = (id(llm), messages[0]["content"], tools is not None)
        try:
            if key not in _PREFIXES:
                _PREFIXES[key] = cache.prefix_tokens(llm, cache.prefix_text(llm, messages, tools))
            return cache.warm(llm, params.path, _PREFIXES[key], self.settings.cache_dir / "embedded")
        except (OSError, ValueError, RuntimeError, ImportError, AttributeError, TypeError):
            # A cache is an optimisation: on any surprise, generate as if it did not exist.
            return ""


_PREFIXES: dict[tuple[int, str, bool], list[int]] = {}


def _close_json(text: str) -> dict[str, Any] | None:
    """The grammar's JSON as arguments; when the token budget cut the explanation short, close it.

    A command that was cut short is never completed: it might mean something else than the model meant.
    """
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("command"):
        return data
    marker = '", "explanation": "'
    if text.startswith('{"command": "') and marker in text:
        head = text.split(marker, 1)[0] + '"}'
        try:
            data = json.loads(head)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("command"):
            return {"command": data["command"], "explanation": ""}
    return None


_GRAMMARS: dict[tuple[int, bool], Any] = {}


def _grammar(max_tokens: int, refusals: bool = False) -> Any:
    key = (max_tokens, refusals)
    if key not in _GRAMMARS:
        from llama_cpp.llama_grammar import LlamaGrammar

        _GRAMMARS[key] = LlamaGrammar.from_string(command_grammar(max_tokens, refusals), verbose=False)
    return _GRAMMARS[key]


def load(params: _Params) -> tuple[Any, float, bool]:
    """The Llama for these parameters, loaded once per process. Returns (llm, load seconds, reused)."""
    try:
        stat = params.path.stat()
    except OSError as exc:
        raise BackendUnavailable(f"cannot read model {params.path}: {exc.strerror}",
                                 "Check [embedded] model_path, or run 'caro models list'.") from None
    adapter = params.adapter
    try:
        adapter_key = (str(adapter.resolve()), adapter.stat().st_mtime_ns) if adapter else None
    except OSError as exc:
        raise BackendUnavailable(f"cannot read adapter {adapter}: {exc.strerror}",
                                 "Check [embedded] adapter_path.") from None
    key = (str(params.path.resolve()), stat.st_mtime_ns, params.context, params.threads, params.batch, adapter_key)
    if key in _LOADED:
        llm, seconds = _LOADED[key]
        return llm, seconds, True
    # One model at a time: a second one would double the memory for no gain.
    _LOADED.clear()
    started = time.perf_counter()
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise BackendUnavailable(f"llama-cpp-python cannot be imported: {exc}", INSTALL_HINT) from None
    _quiet_llama_logs()
    try:
        llm = Llama(
            model_path=str(params.path),
            n_ctx=params.context,
            n_threads=params.threads,
            n_threads_batch=params.threads,
            n_batch=min(params.batch, params.context),
            lora_path=str(adapter) if adapter else None,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        if adapter:
            raise BackendUnavailable(
                f"llama.cpp could not load {params.path.name} with the adapter {adapter.name}: {exc}",
                "An adapter fits only the base model it was trained on; set [embedded] adapter_path = \"none\" "
                "or point it at the adapter made for this model.",
            ) from None
        raise BackendUnavailable(
            f"llama.cpp could not load {params.path.name}: {exc}",
            "The file may be damaged, partial, or of an architecture this llama.cpp build does not know; "
            "run 'caro models list', or point [embedded] model_path at another GGUF.",
        ) from None
    if "tokenizer.chat_template" in llm.metadata:
        # Always the GGUF's own template, never a built-in guess from its name.
        llm.chat_format = "chat_template.default"
    seconds = time.perf_counter() - started
    _LOADED[key] = (llm, seconds)
    return llm, seconds, False


_LOG_CALLBACK: Any = None


def _quiet_llama_logs() -> None:
    """llama.cpp prints loader chatter on stderr even with verbose=False; keep caro's stderr clean."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is not None:
        return
    try:
        import llama_cpp

        def _ignore(level: int, text: bytes, user_data: Any) -> None:
            return None

        _discard = llama_cpp.llama_log_callback(_ignore)

        llama_cpp.llama_log_set(_discard, None)
        _LOG_CALLBACK = _discard  # keep a reference: llama.cpp calls it later
    except (AttributeError, ImportError, TypeError):
        _LOG_CALLBACK = False
