"""The HTML report of `concierge eval`: one inline-SVG bar chart per metric (dev / heldout / all) and the failing
cases. Self-contained: no script, no CDN, no external font."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

COLORS = {"dev": "#3b6ea5", "heldout": "#c9822b", "all": "#4a8a4a"}
SPLITS = ("dev", "heldout", "all")


def bar_chart(
    title: str, values: dict[str, float | None], kind: str, limit: dict[str, float] | None = None
) -> str:
    """A small horizontal bar chart as an SVG string; ratios on a 0-1 scale, milliseconds scaled to the max."""
    w, bar_h, gap, left = 360, 18, 8, 70
    rows = [(s, values.get(s)) for s in SPLITS]
    h = len(rows) * (bar_h + gap) + 30
    measured = [v for _, v in rows if v is not None]
    top = 1.0 if kind != "ms" else max([*measured, *(limit or {}).values(), 1.0]) * 1.1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + left + 60}" height="{h}" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (split, v) in enumerate(rows):
        y = 24 + i * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{split}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="#eee"/>')
        if v is None:
            parts.append(f'<text x="{left + 4}" y="{y + 13}" font-size="11" fill="#777">not measured</text>')
            continue
        bw = max(0.0, min(1.0, v / top)) * w
        label = f"{v:.0f} ms" if kind == "ms" else f"{v:.3f}"
        parts.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="{COLORS[split]}"/>')
        parts.append(f'<text x="{left + w + 6}" y="{y + 13}" font-size="12">{label}</text>')
    for name, lv in (limit or {}).items():
        x = left + max(0.0, min(1.0, lv / top)) * w
        parts.append(
            f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{h - 4}" stroke="#c00" stroke-dasharray="3,2">'
            f"<title>threshold {name} {lv}</title></line>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: dict[str, Any]) -> str:
    summary = report["summary"]
    charts = []
    for m in report["metrics"]:
        values = {s: summary[s].get(m["key"]) for s in SPLITS}
        charts.append(
            f'<div class="chart">{bar_chart(m["label"], values, m["kind"], report["thresholds"].get(m["key"]))}</div>'
        )
    failing = [c for c in report["cases"] if not c["passed"] and not c.get("skipped")]
    rows = []
    for c in failing:
        fails = "".join(f"<li>{escape(f)}</li>" for f in c["failures"])
        reply = escape(c["answer"].get("reply", ""))
        rows.append(
            f"<tr><td><code>{escape(c['id'])}</code><br><small>{escape(c['split'])} · {escape(c['style'])} · "
            f"{escape(c['file'])}</small></td><td><ul>{fails}</ul></td><td><pre>{reply}</pre></td></tr>"
        )
    skipped = [c for c in report["cases"] if c.get("skipped")]
    misses = [q for q in report.get("retrieval", []) if not q["recall"]]
    miss_rows = "".join(
        f"<tr><td>{escape(q['id'])}</td><td>{escape(q['query'])}</td><td>{escape(', '.join(q['got'][:3]))}</td></tr>"
        for q in misses
    )
    notes = "".join(
        f"<li>{escape(n)}</li>"
        for n in report["notes"] + [f"below threshold: {b}" for b in report["breaches"]]
    )
    counts = " · ".join(f"{s}: {summary[s]['cases']} cases" for s in SPLITS)
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Concierge evaluation {escape(report["generated"])}</title>
<style>
body {{ font-family: "IPAGothic", "Noto Sans JP", sans-serif; margin: 1.5rem; color: #222; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.chart {{ border: 1px solid #ddd; padding: .5rem; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #ccc; padding: .3rem; vertical-align: top; }}
pre {{ white-space: pre-wrap; margin: 0; font-size: 12px; max-width: 40rem; }}
</style></head><body>
<h1>Concierge evaluation</h1>
<p>{escape(report["generated"])} · mode {escape(report["mode"])} · split {escape(report["split"])} ·
catalog {escape(report["catalog_version"])} · {counts} · {len(skipped)} skipped · {report["seconds"]} s</p>
<ul>{notes}</ul>
<h2>Metrics</h2><div class="charts">{"".join(charts)}</div>
<h2>Failing cases ({len(failing)})</h2>
<table><tr><th>case</th><th>what failed</th><th>reply</th></tr>{"".join(rows)}</table>
<h2>Retrieval misses ({len(misses)})</h2>
<table><tr><th>id</th><th>query</th><th>top pages</th></tr>{miss_rows}</table>
</body></html>
"""


def write_html(report: dict[str, Any], path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")
