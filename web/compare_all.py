"""Compare one fact across all 62 municipalities (staff console): a procedure's amount, local window name or
deadline, one row per municipality sorted by code, each with its sources and who published them (official or
not, from knowledge.provenance via Catalog.provenance). The same rows export as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from knowledge.catalog import Catalog
from knowledge.models import Source

FIELDS = {"amount": "金額", "office": "窓口・名称", "deadline": "期限"}
KIND_NAMES = {
    "municipal": "区市町村（公式）",
    "metropolitan": "東京都（公式）",
    "national": "国（公式）",
    "public-body": "公的機関（公式）",
    "copy-of-official": "公式ページの写し（キャッシュ）",
    "private": "民間サイト（非公式）",
}
PRESETS = [
    ("late-elderly-funeral-benefit", "amount", "後期高齢者医療の葬祭費（金額）"),
    ("nhi-funeral-benefit", "amount", "国民健康保険の葬祭費（金額）"),
    ("community-support-consultation", "office", "地域包括支援センターの地域での名称"),
]


@dataclass
class SourceCell:
    url: str
    title: str
    verified: str
    official: bool
    kind: str  # Japanese label
    publisher: str


@dataclass
class CompareRow:
    code: str
    name: str
    value: str
    local: bool  # the municipality's own data (else the Tokyo-wide entry, or nothing)
    sources: list[SourceCell] = field(default_factory=list)
    contact: str = ""  # when there is no value: whom to ask


def _cells(cat: Catalog, sources: list[Source]) -> list[SourceCell]:
    out, seen = [], set()
    for s in sources:
        if s.url in seen:
            continue
        seen.add(s.url)
        prov = cat.provenance(s.url)
        out.append(
            SourceCell(
                url=s.url,
                title=s.title,
                verified=s.verified.isoformat(),
                official=bool(prov and prov.official),
                kind=KIND_NAMES.get(prov.kind, prov.kind) if prov else "不明（非公式扱い）",
                publisher=prov.publisher if prov else "",
            )
        )
    return out


def _yen(amounts: list[Any]) -> str:
    return "、".join(
        f"{a.label.ja} {a.yen:,}円" if a.label and a.label.ja else f"{a.yen:,}円" for a in amounts
    )


def compare_all(cat: Catalog, proc_id: str, what: str) -> list[CompareRow]:
    """One row per municipality, sorted by code; raises KeyError for an unknown procedure or field."""
    if what not in FIELDS:
        raise KeyError(what)
    base = cat.procedures.get(proc_id)
    rows = []
    for code in sorted(cat.municipalities):
        m = cat.municipalities[code]
        p = cat.procedure(proc_id, code)  # KeyError: no such procedure anywhere
        if base is None and p.municipality != code:
            rows.append(CompareRow(code, m.name, "（この区市町村にはない制度）", False))
            continue
        if what == "amount":
            local = base is None or p.amounts != base.amounts
            value = _yen(p.amounts)
            sources = [s for a in p.amounts for s in a.sources]
        elif what == "office":
            local_sources = cat.local_name_sources(p.office, code)
            local = bool(local_sources)
            value = cat.office_name(p.office, code).ja
            sources = local_sources
        else:
            local = base is None or p.deadline != base.deadline
            value = p.deadline.text.ja if p.deadline else ""
            sources = list(p.deadline.sources) if p.deadline else []
        row = CompareRow(code, m.name, value or "—（カタログに記載なし）", local, _cells(cat, sources))
        if not value or not local:
            row.contact = f"{m.name} 代表 {m.phone}" if m.phone else (m.website or "")
        rows.append(row)
    return rows


def to_csv(rows: list[CompareRow], title: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "団体コード",
            "区市町村",
            title,
            "独自/共通",
            "出典URL",
            "出典の種類",
            "公式",
            "確認日",
            "問い合わせ先",
        ]
    )
    for r in rows:
        first = r.sources[0] if r.sources else None
        w.writerow(
            [
                r.code,
                r.name,
                r.value,
                "独自" if r.local else "都内共通",
                " ".join(s.url for s in r.sources),
                " / ".join(s.kind for s in r.sources),
                ("公式" if all(s.official for s in r.sources) else "非公式を含む") if first else "",
                " ".join(s.verified for s in r.sources),
                r.contact,
            ]
        )
    return buf.getvalue()
