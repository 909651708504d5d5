"""The built-in command catalog: everyday requests answered offline, or an honest "I don't know".

    from caro import catalog
    found = catalog.match("list docker containers", context)   # Match | None

The data lives in src/caro/data/catalog/*.json (docs/catalog.md describes the format); it is read on
first use, once per process.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: this module is on the catalog's start path

if TYPE_CHECKING:
    from caro.catalog.matcher import Match
    from caro.catalog.store import Catalog
    from caro.context import Context

_loaded: Catalog | None = None


def get() -> Catalog:
    """The catalog, loaded on first use."""
    global _loaded
    if _loaded is None:
        import os

        from caro.catalog.store import load
        from caro.config import _home_str

        _loaded = load(cache_dir=os.path.join(_home_str(os.environ), "cache"))
    return _loaded


def match(prompt: str, context: Context) -> Match | None:
    """The catalog's confident answer for `prompt` where `context` says it runs, else None."""
    from caro.catalog.matcher import match as _match

    return _match(prompt, context, get())
