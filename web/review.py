"""Facts to review, in words an editor can decide on: what the fact is, its current catalog value, and whether a
(fact, source URL) pair is one the catalog really has (invented ids are refused).

Fact paths are those of ``Catalog.iter_sources``: ``procedure:<id>[.deadline|.amount]``, ``municipality:<code>``,
``municipality:<code>.office:<i>``, ``office:<id>``, ``event:<id>.milestone:<id>``, ``override:<code>.<key>``,
``override:<code>.<procedure>[.amount]``, ``override:<code>.program:<id>[.deadline|.amount]``, ``calendar``.
"""

from __future__ import annotations

import re

from knowledge.catalog import Catalog
from knowledge.models import Procedure

REASONS = {
    "page changed": "出典ページの内容が変わりました",
    "page removed from its source": "出典ページが取り込み元からなくなりました",
}
_UPDATED = re.compile(r"page states it was updated (\S+), after the fact was verified")


def reason_ja(reason: str) -> str:
    if reason in REASONS:
        return REASONS[reason]
    m = _UPDATED.match(reason)
    if m:
        return f"ページに記載の更新日（{m.group(1)}）が確認日より後です"
    return reason


def _key(url: str) -> str:
    from knowledge.urls import page_key

    return page_key(url)


_CACHE: dict[int, tuple[Catalog, frozenset[tuple[str, str]]]] = {}


def _pairs(cat: Catalog) -> frozenset[tuple[str, str]]:
    hit = _CACHE.get(id(cat))
    if hit is None or hit[0] is not cat:
        hit = (cat, frozenset((path, _key(src.url)) for path, src in cat.iter_sources()))
        _CACHE.clear()
        _CACHE[id(cat)] = hit
    return hit[1]


def is_known(cat: Catalog, fact: str, url: str) -> bool:
    """Whether the catalog has ``fact`` citing ``url`` (so ``bogus/not-a-fact.yaml#nothing`` is refused)."""
    return (fact, _key(url)) in _pairs(cat)


def _yen(p: Procedure) -> str:
    return "、".join(f"{a.label.ja} {a.yen:,}円" for a in p.amounts) or "（金額の記載なし）"


def _procedure(p: Procedure, part: str, where: str = "") -> tuple[str, str]:
    title = f"{where}「{p.title.ja}」" if where else f"「{p.title.ja}」"
    if part == "deadline":
        return f"{title}の期限", p.deadline.text.ja if p.deadline else "（期限の記載なし）"
    if part == "amount":
        return f"{title}の金額", _yen(p)
    return f"{title}の内容", p.summary.ja


def describe(cat: Catalog, fact: str) -> tuple[str, str]:
    """(the fact in words, its current catalog value); the raw path when it cannot be read."""
    try:
        head, _, rest = fact.partition(".")
        kind, _, ident = head.partition(":")
        if kind == "calendar":
            return "役所の休み（年末年始など）", "、".join(
                c.name.ja for c in cat.calendar.closures
            ) if cat.calendar else ""
        if kind == "procedure":
            return _procedure(cat.procedures[ident], rest)
        if kind == "municipality":
            m = cat.municipalities[ident]
            if rest.startswith("office:"):
                entry = m.offices[int(rest.split(":", 1)[1])]
                value = " / ".join(x for x in (entry.name, entry.address, entry.phone) if x)
                return f"{m.name}の窓口", value
            return f"{m.name}の基本情報（サイト・代表電話）", " / ".join(x for x in (m.website, m.phone) if x)
        if kind == "office":
            return "窓口の名称", cat.offices[ident].name.ja
        if kind == "event":
            ms_id = rest.split(":", 1)[1]
            ms = next(x for x in cat.events[ident].milestones if x.id == ms_id)
            return (
                f"「{cat.events[ident].name.ja}」の節目「{ms.title.ja}」",
                ms.text.ja if ms.text else ms.title.ja,
            )
        if kind == "override":
            m = cat.municipalities[ident]
            ov = cat.overrides[ident]
            key, _, part = rest.partition(".")
            if key.startswith("program:"):
                prog = next(p for p in ov.programs if p.id == key.split(":", 1)[1])
                return _procedure(prog, part, f"{m.name}独自の制度")
            if key in ov.windows or key in ov.local_names:
                local = ov.windows.get(key) or ov.local_names[key]
                return f"{m.name}での「{cat.office_name(key).ja}」の名称", local.name.ja
            return _procedure(cat.procedure(key, ident), part, m.name)
    except (KeyError, IndexError, ValueError, StopIteration, AttributeError):
        pass
    return fact, ""
