"""The `caro` command. Everything else is in pyproject.toml.

pip's generated wrapper for an entry point imports `re` before caro starts: with enum, functools and
collections that is about 7 ms of every run, more than `caro --version` costs itself (docs/benchmarks.md).
On POSIX systems caro installs its own launcher, bin/caro, which imports nothing caro does not need. Windows
needs the .exe wrapper that only an entry point gets, so it keeps one there.
"""

import sys

from setuptools import setup

if sys.platform == "win32":
    setup(entry_points={"console_scripts": ["caro = caro.cli:main"]})
else:
    setup(scripts=["bin/caro"])
