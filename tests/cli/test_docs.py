"""Docs that cannot drift: every config key and environment variable caro reads is documented."""

from __future__ import annotations

from pathlib import Path

from caro import config
from caro.commands import SUBCOMMANDS, SUMMARIES

ROOT = Path(__file__).resolve().parents[2]


def test_every_config_key_and_env_var_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in config.SCHEMA if f"`{name}`" not in text]
    assert missing == []
    envs = [key.env for key in config.SCHEMA.values() if key.env] + ["CARO_CONFIG", "CARO_HOME"]
    assert [env for env in envs if f"`{env}`" not in text] == []


def test_every_subcommand_has_a_summary_and_a_readme_mention() -> None:
    readme = (ROOT / "README.md").read_text()
    assert set(SUMMARIES) == set(SUBCOMMANDS)
    assert [name for name in SUBCOMMANDS if f"caro {name}" not in readme] == []
