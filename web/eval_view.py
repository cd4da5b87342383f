"""The evaluation view of the editor console: each metric of the latest ``concierge eval`` report in Japanese,
against its threshold (evals/thresholds.yaml, as stored in the report), pass/fail, and the failing cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

THRESHOLDS = Path(__file__).resolve().parents[1] / "evals" / "thresholds.yaml"
LABELS = {
    "case_pass_rate": "全項目に合格したケースの割合",
    "life_event_accuracy": "ライフイベントの判定精度",
    "municipality_accuracy": "区市町村の判定精度（引っ越しの両端を含む）",
    "bundle_recall": "手続きの網羅率（再現率）",
    "bundle_precision": "手続きの適合率",
    "out_of_scope_accuracy": "対象外の質問に手続きを出さない割合",
    "due_date_exact": "期限日の完全一致率",
    "fact_accuracy": "世帯情報の読み取り精度",
    "retrieval_recall_at_5": "ページ検索の再現率@5",
    "retrieval_mrr": "ページ検索のMRR",
    "citation_validity": "出典の正しさ",
    "invented_number_rate": "根拠のない数字の割合",
    "language_consistency": "返答の言語の一貫性",
    "latency_median_ms": "応答時間の中央値（ミリ秒）",
    "latency_p95_ms": "応答時間の95パーセンタイル（ミリ秒）",
}


@dataclass
class MetricRow:
    key: str
    label: str
    value: float | None
    limit: str  # "≥ 0.95" / "≤ 0.01" / ""
    status: str  # pass | fail | none (no threshold) | unmeasured


@dataclass
class EvalView:
    mode: str
    generated: str
    rows: list[MetricRow]
    failing: list[dict[str, Any]] = field(default_factory=list)
    cases: int = 0
    passed: bool = True


def _limits(report: dict[str, Any]) -> dict[str, Any]:
    limits = report.get("thresholds")
    if isinstance(limits, dict) and limits:
        return limits
    try:
        data = yaml.safe_load(THRESHOLDS.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return data.get(report.get("mode") or "full", {}) or {}


def eval_view(report: dict[str, Any]) -> EvalView:
    summary = (report.get("summary") or {}).get("all") or {}
    limits = _limits(report)
    rows = []
    keys = [str(m.get("key")) for m in report.get("metrics") or [] if isinstance(m, dict)] or list(LABELS)
    for key in keys:
        if key not in summary and key not in limits:
            continue
        value = summary.get(key)
        lim = limits.get(key) or {}
        text, status = "", "none"
        if "min" in lim:
            text = f"≥ {lim['min']}"
        if "max" in lim:
            text = f"≤ {lim['max']}"
        if value is None:
            status = "unmeasured"
        elif lim:
            ok = ("min" not in lim or value >= lim["min"]) and ("max" not in lim or value <= lim["max"])
            status = "pass" if ok else "fail"
        rows.append(MetricRow(key, LABELS.get(key, key), value, text, status))
    failing = [
        c
        for c in report.get("cases") or []
        if isinstance(c, dict) and c.get("skipped") is None and not c.get("passed", True)
    ]
    return EvalView(
        mode="簡易（CI）" if report.get("mode") == "quick" else "全件",
        generated=str(report.get("generated") or ""),
        rows=rows,
        failing=failing,
        cases=int(summary.get("cases") or 0),
        passed=not any(r.status == "fail" for r in rows),
    )
