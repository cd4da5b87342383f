"""The report of `concierge eval`: the metrics (aggregated per split from the case results), the table on stdout,
the thresholds they are checked against, ``report.json`` and the HTML report (one inline-SVG bar chart per metric,
dev / heldout / all, and the failing cases; self-contained: no script, no CDN, no external font)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

import yaml

from evals import metrics as M
from evals.scoring import CaseResult

COLORS = {"dev": "#3b6ea5", "heldout": "#c9822b", "all": "#4a8a4a"}
SPLITS = ("dev", "heldout", "all")
THRESHOLDS = Path(__file__).parent / "thresholds.yaml"

# (key, label, kind): kind "ratio" (higher is better), "rate" (lower is better), "ms" (lower is better)
METRICS: list[tuple[str, str, str]] = [
    ("case_pass_rate", "cases passing every check", "ratio"),
    ("life_event_accuracy", "life-event accuracy", "ratio"),
    ("municipality_accuracy", "municipality accuracy (incl. move ends)", "ratio"),
    ("bundle_recall", "bundle recall", "ratio"),
    ("bundle_precision", "bundle precision (judged)", "ratio"),
    ("out_of_scope_accuracy", "out-of-scope: no procedures", "ratio"),
    ("due_date_exact", "due-date exact match", "ratio"),
    ("fact_accuracy", "fact accuracy (required + wrong)", "ratio"),
    ("retrieval_recall_at_5", "retrieval recall@5", "ratio"),
    ("retrieval_mrr", "retrieval MRR", "ratio"),
    ("citation_validity", "citation validity", "ratio"),
    ("invented_number_rate", "invented-number rate", "rate"),
    ("language_consistency", "language consistency (en / easy replies)", "ratio"),
    ("latency_median_ms", "latency median (ms/turn)", "ms"),
    ("latency_p95_ms", "latency p95 (ms/turn)", "ms"),
]


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


# ---- metrics, table and thresholds ---------------------------------------------------------------------------


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def aggregate(results: list[CaseResult], retrieval: list[dict[str, Any]] | None) -> dict[str, Any]:
    scored = [r for r in results if r.skipped is None]
    lat = [x for r in scored for x in r.latencies_ms]
    out: dict[str, Any] = {
        "cases": len(scored),
        "skipped": len(results) - len(scored),
        "case_pass_rate": _ratio(sum(r.passed for r in scored), len(scored)),
        "life_event_accuracy": M.mean(
            float(r.life_event_ok) if r.life_event_ok is not None else None for r in scored
        ),
        "municipality_accuracy": M.mean(
            float(r.place_ok) if r.place_ok is not None else None for r in scored
        ),
        "bundle_recall": M.mean(r.recall for r in scored),
        "bundle_precision": M.mean(r.precision for r in scored),
        "out_of_scope_accuracy": M.mean(
            float(r.out_of_scope_ok) if r.out_of_scope_ok is not None else None for r in scored
        ),
        "due_date_exact": _ratio(sum(r.due_hits for r in scored), sum(r.due_total for r in scored)),
        "fact_accuracy": _ratio(sum(r.fact_pass for r in scored), sum(r.fact_total for r in scored)),
        "citation_validity": _ratio(
            sum(len(r.cited) - len(r.invalid_citations) for r in scored), sum(len(r.cited) for r in scored)
        ),
        "invented_number_rate": _ratio(
            sum(len(r.invented) for r in scored), sum(r.numbers_total for r in scored)
        ),
        "language_consistency": M.mean(float(r.lang_ok) if r.lang_ok is not None else None for r in scored),
        "latency_median_ms": M.percentile(lat, 50),
        "latency_p95_ms": M.percentile(lat, 95),
        "retrieval_recall_at_5": None,
        "retrieval_mrr": None,
        "retrieval_questions": 0,
    }
    if retrieval:
        out["retrieval_recall_at_5"] = M.mean(q["recall"] for q in retrieval)
        out["retrieval_mrr"] = M.mean(q["rr"] for q in retrieval)
        out["retrieval_questions"] = len(retrieval)
    return out


def format_table(summary: dict[str, dict[str, Any]], splits: Iterable[str]) -> str:
    splits = list(splits)
    width = max(len(label) for _, label, _ in METRICS) + 2
    head = "metric".ljust(width) + "".join(s.rjust(10) for s in splits)
    lines = [head, "-" * len(head)]
    for key, label, kind in METRICS:
        row = label.ljust(width)
        for s in splits:
            v = summary[s].get(key)
            row += ("—" if v is None else (f"{v:.0f}" if kind == "ms" else f"{v:.3f}")).rjust(10)
        lines.append(row)
    lines.append("cases".ljust(width) + "".join(str(summary[s]["cases"]).rjust(10) for s in splits))
    lines.append(
        "retrieval questions".ljust(width)
        + "".join(str(summary[s]["retrieval_questions"]).rjust(10) for s in splits)
    )
    return "\n".join(lines)


def load_thresholds(path: Path | None = None) -> dict[str, Any]:
    """``{quick: {metric: {min|max: x}}, full: {...}}`` from evals/thresholds.yaml."""
    path = path or THRESHOLDS
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def check_against(values: dict[str, Any], limits: dict[str, Any]) -> list[str]:
    """Breaches of ``{metric: {min: x} | {max: x}}``; unmeasured metrics (None) are reported, not failed."""
    breaches = []
    for key, lim in (limits or {}).items():
        v = values.get(key)
        if v is None:
            continue
        if "min" in lim and v < lim["min"]:
            breaches.append(f"{key} = {v:.3f} < min {lim['min']}")
        if "max" in lim and v > lim["max"]:
            breaches.append(f"{key} = {v:.3f} > max {lim['max']}")
    return breaches


def write_report(report: dict[str, Any], out: Path) -> None:
    """``out/report.json`` and ``out/report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    write_html(report, out / "report.html")
