"""The HTML report renders in a real browser (headless Chromium) and shows the numbers of the results."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CaroRunner
from tests.helpers import need

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

# Prompts the built-in catalog answers, one it blocks, and one it does not know.
CASES = [
    {"prompt": "list files", "references": ["ls -la"], "category": "listing",
     "fixture": {"files": {"a.txt": "a\n", ".hidden": "h\n"}}},
    {"prompt": "find python files", "references": ["find . -name '*.py'"], "category": "find",
     "fixture": {"files": {"src/m.py": "x\n", "b.txt": "b\n"}}},
    {"prompt": "what time is it now", "references": ["date +%H:%M"], "category": "system"},
    {"prompt": "shut down the computer", "references": ["echo no"], "category": "system"},
    {"prompt": "frobnicate the quux with zorblax", "references": ["true"], "category": "other"},
]


def _browser(tmp_path: Path) -> Any:
    need(importlib.util.find_spec("selenium") is not None, "needs selenium (pip install selenium)")
    need(Path(CHROMIUM).exists() and Path(DRIVER).exists(), "needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture
def results(tmp_path: Path, caro: CaroRunner) -> tuple[dict[str, Any], Path]:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps(c) + "\n" for c in CASES))
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    done = caro("eval", str(dataset), "-b", "builtin", "--compare", "safety=strict",
                "--json", str(out_json), "--html", str(out_html), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(out_json.read_text()), out_html


def test_report_shows_the_results_numbers(results: tuple[dict[str, Any], Path], tmp_path: Path) -> None:
    doc, page = results
    summary = doc["summary"]
    html = page.read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<script" not in html and "<link" not in html  # self-contained

    from selenium.webdriver.common.by import By

    browser = _browser(tmp_path)
    try:
        browser.get(page.as_uri())
        text = lambda element_id: browser.find_element(By.ID, element_id).text  # noqa: E731
        assert text("accuracy") == f"{summary['accuracy'] * 100:.1f}%"
        assert text("answered") == f"{summary['answered']}/{summary['total']}"
        assert text("blocked") == str(summary["blocked"])
        assert text("p50") == f"{summary['latency_ms']['p50']:.0f} ms"
        assert text("p95") == f"{summary['latency_ms']['p95']:.0f} ms"
        assert text("accuracy-2") == f"{doc['compare']['summary']['accuracy'] * 100:.1f}%"
        assert text("judge").startswith(f"decided by output alone ({doc['label']}): "
                                        f"{summary['decided_by_output']} of {summary['total']}")

        # The category chart has one bar per category and configuration, sized by accuracy.
        chart = browser.find_element(By.ID, "chart-category")
        assert chart.size["width"] > 100 and chart.size["height"] > 50
        bars = browser.find_elements(By.CSS_SELECTOR, "#chart-category rect.bar")
        assert len(bars) == 2 * len(summary["by_category"])
        shown = {(b.get_attribute("data-run"), b.get_attribute("data-category")): float(b.get_attribute("data-value"))
                 for b in bars}
        for category, entry in summary["by_category"].items():
            assert shown[(doc["label"], category)] == entry["accuracy"]
        # "listing" is answered right by the catalog and "other" not at all: a full bar and an empty one.
        full = [b for b in bars if float(b.get_attribute("data-value")) == 1.0]
        empty = [b for b in bars if float(b.get_attribute("data-value")) == 0.0]
        assert full and empty
        assert full[0].size["width"] > 50 * max(1, empty[0].size["width"])

        # The latency histogram counts every answered case once.
        counts = [int(b.get_attribute("data-count")) for b in
                  browser.find_elements(By.CSS_SELECTOR, "#chart-latency rect.hbar")
                  if b.get_attribute("data-run") == doc["label"]]
        answered_timed = sum(1 for c in doc["cases"] if c["command"] and c["timing_ms"]["total"] is not None)
        assert sum(counts) == answered_timed

        rows = browser.find_elements(By.CSS_SELECTOR, "#misses tr")
        assert len(rows) - 1 == len(summary["worst_misses"])
        assert "frobnicate the quux" in browser.find_element(By.ID, "misses").text
    finally:
        browser.quit()


def test_results_json_has_the_documented_shape(results: tuple[dict[str, Any], Path]) -> None:
    doc, _ = results
    summary = doc["summary"]
    for key in ("total", "answered", "correct", "accuracy", "unparseable", "blocked", "latency_ms", "by_category"):
        assert key in summary
    assert summary["total"] == len(CASES) == len(doc["cases"])
    # `sudo shutdown -h now` is high: asked for at the default mode, blocked in the strict comparison.
    assert summary["blocked"] == 0 and doc["compare"]["summary"]["blocked"] >= 1
    assert summary["answered"] == sum(1 for c in doc["cases"] if c["command"])
    assert summary["correct"] == sum(1 for c in doc["cases"] if c["correct"])
    for case in doc["cases"]:
        assert {"prompt", "command", "correct", "method"} <= set(case)
    by_prompt = {c["prompt"]: c for c in doc["cases"]}
    assert by_prompt["list files"]["correct"] and by_prompt["list files"]["method"] == "exact"
    assert by_prompt["frobnicate the quux with zorblax"]["method"] == "unanswered"
    strict = {c["prompt"]: c for c in doc["compare"]["cases"]}
    assert strict["shut down the computer"]["method"] == "blocked"
    assert doc["compare"]["config"]["safety"] == "strict"
    need(shutil.which("bwrap") is not None, "needs bubblewrap (apt-get install bubblewrap)")
    assert summary["sandbox"]["available"]
