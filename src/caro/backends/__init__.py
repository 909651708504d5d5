"""Backend registry: name -> import path, imported only when that backend is used."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: typing (and re with it) stays off every request's start path

if TYPE_CHECKING:
    from caro.backends.base import Backend
    from caro.config import Settings

REGISTRY: dict[str, str] = {
    "lmstudio": "caro.backends.lmstudio:LMStudioBackend",
    "ollama": "caro.backends.ollama:OllamaBackend",
    "openai": "caro.backends.openai_compat:OpenAIBackend",
    "embedded": "caro.backends.embedded:EmbeddedBackend",
    "builtin": "caro.backends.builtin:BuiltinBackend",
}

# The order `backend = "auto"` tries. The generic OpenAI backend joins first when [openai] url is set.
AUTO_ORDER = ("lmstudio", "ollama", "embedded", "builtin")

# Where an explicitly chosen backend falls back to (when fallback = true): local parts only,
# never another server the user did not ask for.
LOCAL_FALLBACKS = ("embedded", "builtin")

DISPLAY_NAMES = {
    "lmstudio": "LM Studio",
    "ollama": "Ollama",
    "openai": "OpenAI-compatible server",
    "embedded": "embedded model",
    "builtin": "built-in catalog",
}


def create(name: str, settings: Settings) -> Backend:
    """Import and construct the backend registered under `name`."""
    module_name, _, class_name = REGISTRY[name].partition(":")
    __import__(module_name)  # not importlib.import_module: importlib (with warnings) stays off the start path
    module = sys.modules[module_name]
    backend: Backend = getattr(module, class_name)(settings)
    return backend


def plan(settings: Settings) -> list[str]:
    """The backends to try, in order, for these settings."""
    chosen = settings.backend
    if chosen == "auto":
        order = list(AUTO_ORDER)
        if settings["openai.url"]:
            order.insert(0, "openai")
        return order
    if not settings["fallback"]:
        return [chosen]
    return [chosen, *(name for name in LOCAL_FALLBACKS if name != chosen and chosen != "builtin")]
