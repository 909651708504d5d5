"""caro: a request in plain language becomes one checked shell command."""

__version__ = "0.1.0"
