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


def test_configuration_reference_is_generated_from_the_schema() -> None:
    # Regenerate the tables from SCHEMA and compare: a key added, renamed or re-described without
    # running `python3 -m caro.config` fails here.
    path = ROOT / "docs" / "configuration.md"
    text = path.read_text()
    assert config.DOCS_BEGIN in text and config.DOCS_END in text
    assert config.render_docs(text) == text, "docs/configuration.md is stale: run `python3 -m caro.config`"
    assert f"| `timeout` | `30.0` | {config.SCHEMA['timeout'].help}" in text


USER_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_agree_with_each_other_and_with_caro() -> None:
    texts = {path.name: path.read_text() for path in USER_DOCS}
    # embedded.threads = 0: one meaning everywhere, the schema's.
    assert "half the logical cores, at most 8" in config.SCHEMA["embedded.threads"].help
    assert [name for name, text in texts.items() if "0 = all cores" in text] == []
    # A bad [safety_rules] regex is a config error, not plain text.
    assert "matched as plain text" not in texts["safety.md"]
    # Fallbacks print a line per backend passed over, not "one line".
    assert [name for name, text in texts.items() if "says so in one line" in text] == []


def test_catalog_docs_show_the_real_error(caro) -> None:  # type: ignore[no-untyped-def]
    proc = caro("--backend", "builtin", "fix it")
    assert proc.returncode == 3
    text = (ROOT / "docs" / "catalog.md").read_text()
    for line in proc.stderr.splitlines():
        assert line in text, f"docs/catalog.md does not show caro's real line: {line!r}"


def test_readme_menu_is_the_real_menu() -> None:
    from caro.terminal.interactive import _ITEMS

    readme = (ROOT / "README.md").read_text()
    menu_line = "  ".join(f"[{key}] {name}" for key, name in _ITEMS) + "   Enter = cancel ›"
    assert menu_line in readme
    assert "[y/N]" not in readme


def test_docs_speak_to_users() -> None:
    import re

    internal = re.compile(r"\b(?:N?FR-\d+|spec [A-Z]+-\d+|issue \d+)\b|\.\./shared/|bug-tracker #\d+")
    found = {path.name: internal.findall(path.read_text()) for path in USER_DOCS}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_readme_puts_the_everyday_reference_before_the_long_guides() -> None:
    readme = (ROOT / "README.md").read_text()
    headings = [line[3:] for line in readme.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["Quick start", "What caro does"]
    everyday = [headings.index(h) for h in ("Usage", "Output and exit codes", "Safety", "Configuration")]
    long_guides = [headings.index(h) for h in ("Fine-tune your own model", "Measuring accuracy")]
    assert max(everyday) < min(long_guides)


def test_every_exit_code_and_error_code_is_documented() -> None:
    from caro import errors
    from caro.local_models import download

    output = (ROOT / "docs" / "output.md").read_text()
    classes = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.CaroError)]
    classes += [download.DownloadError, download.OfflineError, download.ChecksumMismatch]
    user_facing = [c for c in classes if not issubclass(c, errors.BackendError) or issubclass(c, download.DownloadError)]
    assert [c.code for c in user_facing if f"`{c.code}`" not in output] == []
    for code in {c.exit_code for c in user_facing}:
        assert f"| {code} |" in output, f"exit code {code} missing from docs/output.md"
