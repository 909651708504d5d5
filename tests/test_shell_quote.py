"""caro.shell_syntax.quote, shlex.quote without importing shlex on the start path."""

from __future__ import annotations

import random
import shlex

from caro.shell_syntax import quote


def test_shell_syntax_quote_is_shlex_quote() -> None:
    """The catalog and the safety engine quote with caro.shell_syntax.quote so the start path does not
    import shlex; it must quote exactly as shlex does."""
    rng = random.Random(3)
    alphabet = [chr(i) for i in range(0x180)] + ["日", "\U0001f600", "'", '"', " ", "\n"]
    for _ in range(20000):
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert quote(word) == shlex.quote(word), word
