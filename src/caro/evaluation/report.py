"""Reports of an evaluation: the JSON results document, the terminal table and the HTML page.

The HTML page is one self-contained file: inline CSS and inline SVG charts, no scripts, no external
assets, so it opens offline and can be attached to an issue or a pull request.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from caro.evaluation.harness import Run

SCHEMA_VERSION = 1


def document(runs: list[Run], dataset: str, worst: int = 10) -> dict[str, Any]:
    """The JSON results: summary and cases of the first configuration; `compare` holds the second."""
    from caro import __version__

    first = runs[0]
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "caro_version": __version__,
        "dataset": dataset,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "label": first.label,
        "config": first.config,
        "summary": first.summary(worst),
        "cases": [r.as_dict() for r in first.results],
    }
    if len(runs) > 1:
        second = runs[1]
        doc["compare"] = {
            "label": second.label,
            "config": second.config,
            "summary": second.summary(worst),
            "cases": [r.as_dict() for r in second.results],
        }
        doc["changes"] = changes(first, second)
    return doc


def changes(first: Run, second: Run) -> dict[str, list[str]]:
    """Prompts the second configuration fixed and broke, relative to the first."""
    fixed, broke = [], []
    for a, b in zip(first.results, second.results, strict=True):
        if not a.score.correct and b.score.correct:
            fixed.append(a.case.prompt)
        elif a.score.correct and not b.score.correct:
            broke.append(a.case.prompt)
    return {"fixed": fixed, "broken": broke}


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _rows(summaries: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    def each(fn: Any) -> list[str]:
        return [fn(s) for s in summaries]

    return [
        ("cases", each(lambda s: str(s["total"]))),
        ("accuracy", each(lambda s: f"{_pct(s['accuracy'])} ({s['correct']}/{s['total']})")),
        ("exact match", each(lambda s: _pct(s["exact_match"]))),
        ("normalised match", each(lambda s: _pct(s["normalized_match"]))),
        ("checked by running", each(lambda s: str(s["functional_checked"]))),
        ("answered", each(lambda s: f"{s['answered']}/{s['total']}")),
        ("no parseable command", each(lambda s: f"{s['unparseable']} ({_pct(s['unparseable_rate'])})")),
        ("declined", each(lambda s: str(s["declined"]))),
        ("backend errors", each(lambda s: str(s["errors"]))),
        ("blocked", each(lambda s: str(s["blocked"]))),
        ("latency p50", each(lambda s: _ms(s["latency_ms"]["p50"]))),
        ("latency p95", each(lambda s: _ms(s["latency_ms"]["p95"]))),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def terminal(doc: dict[str, Any]) -> str:
    """The plain-text report: headline figures, accuracy per category, worst misses."""
    runs = [doc] + ([doc["compare"]] if "compare" in doc else [])
    summaries = [r["summary"] for r in runs]
    labels = [r["label"] for r in runs]
    out = [f"caro eval: {doc['dataset']}"]
    note = summaries[0]["sandbox"].get("note")
    if note:
        out.append(f"note: {note}")
    out.append("")
    out += _table(["", *labels], [[name, *cells] for name, cells in _rows(summaries)])
    for label, s in zip(labels, summaries, strict=True):
        decided = ", ".join(f"{m} {n} ({s['methods_correct'][m]} right)" for m, n in s["methods"].items())
        out.append(f"decided by ({label}): {decided}")
        out.append(judge_line(label, s))
    out.append("")
    categories = sorted({c for s in summaries for c in s["by_category"]})
    cat_rows = []
    for category in categories:
        cells = []
        for s in summaries:
            entry = s["by_category"].get(category)
            cells.append(f"{_pct(entry['accuracy'])} ({entry['correct']}/{entry['total']})" if entry else "-")
        cat_rows.append([category, *cells])
    out += _table(["category", *labels], cat_rows)
    misses = summaries[0]["worst_misses"]
    if misses:
        out += ["", f"worst misses ({labels[0]}):"]
        for miss in misses:
            answer = miss["command"] if miss["command"] else "(no command)"
            out.append(f"  - {miss['prompt']}")
            out.append(f"      got:      {answer}   [{miss['method']}{', ' + miss['risk'] if miss['risk'] else ''}]")
            out.append(f"      expected: {miss['references'][0]}")
            if miss["note"]:
                out.append(f"      why:      {miss['note']}")
            if miss.get("judge"):
                verdict = miss["judge"]["verdict"] or "no verdict"
                out.append(f"      judge:    {verdict}: {miss['judge']['reason']}")
    if "changes" in doc:
        fixed, broken = doc["changes"]["fixed"], doc["changes"]["broken"]
        out += ["", f"{labels[1]} vs {labels[0]}: {len(fixed)} fixed, {len(broken)} broken"]
    return "\n".join(out) + "\n"


def judge_line(label: str, summary: dict[str, Any]) -> str:
    """The judge's figures, or how many cases output alone decided when there was no judge."""
    judge = summary.get("judge")
    if not judge:
        return (f"decided by output alone ({label}): {summary['decided_by_output']} of {summary['total']} "
                "(no judge asked; --judge BACKEND gives a second opinion where outputs differ)")
    return (f"judge {judge['backend']} ({label}): asked {judge['asked']}, says right {judge['right']}, "
            f"wrong {judge['wrong']}, no verdict {judge['no_verdict']}; accuracy with its right verdicts "
            f"{_pct(judge['accuracy_with_judge'])} (execution alone {_pct(summary['accuracy'])})")


# ---------------------------------------------------------------------------------------------- HTML

COLOURS = ("#2f6fb3", "#d9822b")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _bar_chart(summaries: list[dict[str, Any]], labels: list[str]) -> str:
    """Horizontal bars: accuracy per category, one bar per configuration."""
    categories = sorted({c for s in summaries for c in s["by_category"]})
    bar_h, gap, left, width = 14, 10, 170, 360
    group_h = bar_h * len(summaries) + gap
    height = group_h * len(categories) + 30
    parts = [f'<svg id="chart-category" role="img" aria-label="accuracy by category" '
             f'xmlns="http://www.w3.org/2000/svg" width="{left + width + 70}" height="{height}">']
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">{tick}%</text>')
    for i, category in enumerate(categories):
        y0 = i * group_h + 4
        parts.append(f'<text x="{left - 6}" y="{y0 + bar_h * len(summaries) / 2 + 4:.1f}" font-size="12" '
                     f'text-anchor="end">{_e(category)}</text>')
        for j, s in enumerate(summaries):
            entry = s["by_category"].get(category)
            if not entry:
                continue
            value = entry["accuracy"]
            y = y0 + j * bar_h
            parts.append(f'<rect class="bar" data-category="{_e(category)}" data-run="{_e(labels[j])}" '
                         f'data-value="{value}" x="{left}" y="{y}" width="{max(width * value, 0.5):.1f}" '
                         f'height="{bar_h - 2}" fill="{COLOURS[j % 2]}"><title>{_e(labels[j])} {_e(category)}: '
                         f'{_pct(value)} ({entry["correct"]}/{entry["total"]})</title></rect>')
            parts.append(f'<text x="{left + width * value + 4:.1f}" y="{y + bar_h - 4}" font-size="10">'
                         f'{_pct(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _histogram(runs: list[dict[str, Any]], labels: list[str]) -> str:
    """Latency distribution: counts per latency bucket, one series per configuration."""
    series = [[c["timing_ms"]["total"] for c in r["cases"] if c["timing_ms"]["total"] is not None and c["command"]]
              for r in runs]
    values = [v for s in series for v in s]
    width, height, left, bottom = 520, 200, 40, 30
    parts = [f'<svg id="chart-latency" role="img" aria-label="latency distribution" '
             f'xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height + bottom}">']
    if not values:
        parts.append('<text x="20" y="40" font-size="12">no answers to time</text></svg>')
        return "".join(parts)
    top = max(values)
    buckets = 20
    step = top / buckets if top > 0 else 1.0
    counts = [[0] * buckets for _ in series]
    for k, s in enumerate(series):
        for v in s:
            counts[k][min(int(v / step), buckets - 1)] += 1
    peak = max(max(c) for c in counts) or 1
    slot = width / buckets
    bar_w = slot / len(series) - 1
    for k, c in enumerate(counts):
        for b, n in enumerate(c):
            h = height * n / peak
            x = left + b * slot + k * (bar_w + 1)
            parts.append(f'<rect class="hbar" data-run="{_e(labels[k])}" data-count="{n}" x="{x:.1f}" '
                         f'y="{height - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[k % 2]}">'
                         f'<title>{b * step:.0f}-{(b + 1) * step:.0f} ms: {n}</title></rect>')
    parts.append(f'<line x1="{left}" y1="{height}" x2="{left + width}" y2="{height}" stroke="#333"/>')
    for b in range(0, buckets + 1, 5):
        x = left + b * slot
        parts.append(f'<text x="{x:.1f}" y="{height + 14}" font-size="10" text-anchor="middle">{b * step:.0f}</text>')
    parts.append(f'<text x="{left + width / 2}" y="{height + 28}" font-size="10" text-anchor="middle">'
                 f'latency per request (ms)</text>')
    parts.append(f'<text x="4" y="12" font-size="10">{peak}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em;background:#f4f4f4;padding:0 .2em}
.figures{display:flex;flex-wrap:wrap;gap:1rem}.figure{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.figure .v{font-size:1.6rem;font-weight:600}.figure .k{font-size:.8rem;color:#555}.ok{color:#1b7a2f}.bad{color:#b3261e}
.note{background:#fff6e0;border:1px solid #e8c66a;padding:.5rem 1rem;border-radius:6px}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}
"""


def _figures(summary: dict[str, Any], suffix: str) -> str:
    items = [
        ("accuracy", _pct(summary["accuracy"]), "accuracy"),
        ("answered", f"{summary['answered']}/{summary['total']}", "answered"),
        ("unparseable", _pct(summary["unparseable_rate"]), "no parseable command"),
        ("blocked", str(summary["blocked"]), "blocked"),
        ("p50", _ms(summary["latency_ms"]["p50"]), "latency p50"),
        ("p95", _ms(summary["latency_ms"]["p95"]), "latency p95"),
        ("exact", _pct(summary["exact_match"]), "exact match"),
        ("normalized", _pct(summary["normalized_match"]), "normalised match"),
    ]
    return '<div class="figures">' + "".join(
        f'<div class="figure"><div class="v" id="{key}{suffix}">{_e(value)}</div><div class="k">{_e(name)}</div></div>'
        for key, value, name in items) + "</div>"


def _cases_table(cases: list[dict[str, Any]], table_id: str) -> str:
    rows = []
    for c in cases:
        mark = '<span class="ok">✔</span>' if c["correct"] else '<span class="bad">✘</span>'
        rows.append(
            f"<tr><td>{mark}</td><td>{_e(c['category'])}</td><td>{_e(c['prompt'])}</td>"
            f"<td><code>{_e(c['command'] or '(no command)')}</code></td>"
            f"<td><code>{_e(c['references'][0])}</code></td><td>{_e(c['method'])}</td>"
            f"<td>{_e(c['note'] or (c['error'] or {}).get('message', ''))}</td>"
            f"<td>{_e(_judged(c.get('judge')))}</td></tr>")
    return (f'<table id="{table_id}"><tr><th></th><th>category</th><th>prompt</th><th>answer</th>'
            f'<th>reference</th><th>decided by</th><th>note</th><th>judge</th></tr>{"".join(rows)}</table>')


def _judged(opinion: dict[str, Any] | None) -> str:
    return "" if not opinion else f"{opinion['verdict'] or 'no verdict'}: {opinion['reason']}"


def to_html(doc: dict[str, Any]) -> str:
    runs = [doc] + ([doc["compare"]] if "compare" in doc else [])
    summaries = [r["summary"] for r in runs]
    labels = [r["label"] for r in runs]
    first = summaries[0]
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           f"<title>caro eval: {_e(doc['dataset'])}</title><style>{_CSS}</style></head><body>",
           f"<h1>caro eval: <code>{_e(doc['dataset'])}</code></h1>",
           f"<p>caro {_e(doc['caro_version'])}, {_e(doc['created'])}. "
           + "; ".join(f"<b>{_e(r['label'])}</b>: {_e(json.dumps(r['config']))}" for r in runs) + "</p>"]
    note = first["sandbox"].get("note")
    if note:
        out.append(f'<p class="note" id="sandbox-note">{_e(note)}</p>')
    for k, (summary, label) in enumerate(zip(summaries, labels, strict=True)):
        if len(runs) > 1:
            out.append(f"<h2>{_e(label)}</h2>")
        out.append(_figures(summary, "" if k == 0 else "-2"))
    legend = ""
    if len(runs) > 1:
        legend = '<p class="legend">' + "".join(
            f'<span style="background:{COLOURS[k]}"></span>{_e(label)}' for k, label in enumerate(labels)) + "</p>"
        ch = doc["changes"]
        out.append(f'<p id="changes">{_e(labels[1])} against {_e(labels[0])}: '
                   f'{len(ch["fixed"])} fixed, {len(ch["broken"])} broken.</p>')
    out.append(f"<h2>Accuracy by category</h2>{legend}{_bar_chart(summaries, labels)}")
    cat_rows = "".join(
        f"<tr><td>{_e(cat)}</td>" + "".join(
            (f'<td class="num">{_pct(s["by_category"][cat]["accuracy"])} '
             f'({s["by_category"][cat]["correct"]}/{s["by_category"][cat]["total"]})</td>')
            if cat in s["by_category"] else "<td>-</td>" for s in summaries) + "</tr>"
        for cat in sorted({c for s in summaries for c in s["by_category"]}))
    out.append('<table id="categories"><tr><th>category</th>'
               + "".join(f'<th class="num">{_e(label)}</th>' for label in labels) + f"</tr>{cat_rows}</table>")
    out.append(f"<h2>Latency distribution</h2>{legend}{_histogram(runs, labels)}")
    out.append("<h2>How cases were decided</h2><table id=\"methods\"><tr><th>method</th>"
               + "".join(f'<th class="num">{_e(label)}</th>' for label in labels) + "</tr>")
    for method in sorted({m for s in summaries for m in s["methods"]}):
        out.append(f"<tr><td>{_e(method)}</td>" + "".join(
            f'<td class="num">{s["methods"].get(method, 0)} ({s["methods_correct"].get(method, 0)} right)</td>'
            for s in summaries) + "</tr>")
    out.append("</table>")
    out += [f'<p id="judge{"" if k == 0 else "-2"}">{_e(judge_line(label, s))}</p>'
            for k, (label, s) in enumerate(zip(labels, summaries, strict=True))]
    out.append(f"<h2>Worst misses ({_e(labels[0])})</h2>")
    misses = first["worst_misses"]
    out.append('<table id="misses"><tr><th>prompt</th><th>answer</th><th>reference</th><th>decided by</th>'
               '<th>why</th></tr>' + "".join(
                   f"<tr><td>{_e(m['prompt'])}</td><td><code>{_e(m['command'] or '(no command)')}</code></td>"
                   f"<td><code>{_e(m['references'][0])}</code></td><td>{_e(m['method'])}</td>"
                   f"<td>{_e(m['note'])}</td></tr>" for m in misses) + "</table>")
    for k, r in enumerate(runs):
        out.append(f"<details><summary>All {len(r['cases'])} cases ({_e(labels[k])})</summary>"
                   f"{_cases_table(r['cases'], 'cases' if k == 0 else 'cases-2')}</details>")
    out.append("</body></html>\n")
    return "".join(out)
