"""`functools.lru_cache` for modules on caro's start path.

functools imports collections (namedtuple, OrderedDict…), ≈ 4 ms of a fresh interpreter's start that a
one-shot caro run would pay only for a decorator. The functions cached here are pure and take hashable
positional arguments; a full cache is emptied rather than trimmed, which is all a short run needs.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: this module is on the start path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


def memo(limit: int) -> Callable[[F], F]:
    """Cache a pure function's results by its positional arguments, at most `limit` of them."""

    def decorate(function: F) -> F:
        cache: dict[tuple[Any, ...], Any] = {}

        def cached(*args: Any) -> Any:
            try:
                return cache[args]
            except KeyError:
                pass
            if len(cache) >= limit:
                cache.clear()
            value = cache[args] = function(*args)
            return value

        cached.__name__ = function.__name__
        cached.__qualname__ = function.__qualname__
        cached.__doc__ = function.__doc__
        cached.__wrapped__ = function  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
