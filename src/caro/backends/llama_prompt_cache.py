"""A disk cache of llama.cpp's state after the fixed part of caro's prompt.

Every caro run is a new process, and the system prompt (instructions, OS and shell, tool declaration) is
the same run after run; only the request differs. Evaluating those ~150 tokens is most of a small model's
time on a CPU. So caro evaluates them once, saves llama.cpp's state (the KV cache of those tokens, a few
MB) under $CARO_HOME/cache/embedded, and later runs load it and evaluate only the request. The key covers
the model file (path, size, mtime), the context size, llama.cpp's version and the prefix tokens themselves,
so any change simply misses the cache. A file that fails to load is deleted and rebuilt.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path
from typing import Any

SENTINEL = "\u2063caro-request\u2063"
KEEP = 16  # cache files kept; the oldest are removed


def prefix_text(llm: Any, messages: list[dict[str, str]], tools: list[dict[str, Any]] | None) -> str:
    """The rendered prompt up to the user's request: the part that is the same on every run."""
    from llama_cpp import llama_chat_format

    template = str(llm.metadata.get("tokenizer.chat_template", ""))
    if not template:
        return ""

    def text(token_id: int) -> str:
        return str(llm._model.token_get_text(token_id)) if token_id != -1 else ""

    formatter: Any = llama_chat_format.Jinja2ChatFormatter(
        template=template, eos_token=text(llm.token_eos()), bos_token=text(llm.token_bos())
    )
    marked = [dict(m) for m in messages]
    marked[-1]["content"] = SENTINEL
    rendered = formatter(messages=marked, tools=tools).prompt
    return rendered.split(SENTINEL, 1)[0] if SENTINEL in rendered else ""


def prefix_tokens(llm: Any, text: str) -> list[int]:
    """Tokens of the fixed prefix, minus the last two: a token may merge across the boundary."""
    if not text:
        return []
    tokens = [int(t) for t in llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)]
    return tokens[:-2] if len(tokens) > 8 else []


def _key(llm: Any, model: Path, tokens: list[int]) -> str:
    import llama_cpp

    stat = model.stat()
    digest = hashlib.sha256()
    digest.update(f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{llm.n_ctx()}|"
                  f"{getattr(llama_cpp, '__version__', '?')}|".encode())
    adapter = getattr(llm, "lora_path", None)
    if adapter:  # the same prefix gives another state under a LoRA adapter
        digest.update(f"lora|{Path(adapter).resolve()}|{Path(adapter).stat().st_mtime_ns}|".encode())
    digest.update(",".join(map(str, tokens)).encode())
    return digest.hexdigest()[:40]


def _adopt(llm: Any, tokens: list[int]) -> None:
    """Tell llama-cpp-python that its context now holds `tokens`, so its prefix matching reuses them."""
    n = len(tokens)
    llm.input_ids[:n] = tokens
    llm.n_tokens = n
    if hasattr(llm, "_requires_eval"):
        llm._requires_eval = True


def warm(llm: Any, model: Path, tokens: list[int], folder: Path) -> str:
    """Make the context hold `tokens`: already there, loaded from disk, or evaluated and saved.

    Returns how ("memory", "disk", "saved", "evaluated" when the file could not be written, or "" when
    there is nothing to do).
    """
    import llama_cpp

    n = len(tokens)
    if n == 0:
        return ""
    if llm.n_tokens >= n and [int(t) for t in llm.input_ids[:n]] == tokens:
        return "memory"
    path = folder / f"{_key(llm, model, tokens)}.state"
    if path.is_file():
        out = (llama_cpp.llama_token * (n + 16))()
        count = ctypes.c_size_t(0)
        llm.reset()
        ok = llama_cpp.llama_state_load_file(llm._ctx.ctx, str(path).encode(), out, n + 16, ctypes.byref(count))
        if ok and count.value == n and list(out[:n]) == tokens:
            _adopt(llm, tokens)
            try:
                os.utime(path)
            except OSError:
                pass
            return "disk"
        path.unlink(missing_ok=True)
        llm.reset()
    llm.reset()
    llm.eval(tokens)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".tmp{os.getpid()}")
        array = (llama_cpp.llama_token * n)(*tokens)
        if llama_cpp.llama_state_save_file(llm._ctx.ctx, str(partial).encode(), array, n):
            partial.replace(path)
            _prune(folder)
            return "saved"
        partial.unlink(missing_ok=True)
    except OSError:
        pass
    return "evaluated"


def _prune(folder: Path) -> None:
    try:
        files = sorted(folder.glob("*.state"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
