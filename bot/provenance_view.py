"""Provenance as the resident sees it: who published each source of a card or a quoted page, whether a fact is
confirmed on an official page, and which pages belong to another municipality (shown only as 参考).

The kind of a source comes from the catalog's publishers table (knowledge/provenance.py), never from the entry.
A fact (amount, deadline, window, the procedure's own details) is *confirmed* when at least one of its sources is
of an official kind (municipal, metropolitan, national, public body); a stored copy or a private page is not.

Example::

    >>> cat = default_catalog()
    >>> [r.kind for r in source_refs(cat, cat.procedure("nhi-funeral-benefit", "131121").amounts[0].sources,
    ...                              "131121")]  # doctest: +SKIP
    ['private', 'private']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.contract import Citation, SourceRef
from knowledge.catalog import Catalog
from knowledge.models import Lang, Procedure, Source
from knowledge.provenance import KINDS, Provenance, badge_text, kind_label
from knowledge.retrieval_types import Hit

FACT_NAMES = {
    "details": ("手続きの内容", "details"),
    "amount": ("金額", "amount"),
    "deadline": ("期限", "deadline"),
    "window": ("窓口", "window"),
}
FACT_NAMES_EASY = {
    "details": "てつづきの ないよう",
    "amount": "お金",
    "deadline": "きげん",
    "window": "まどぐち",
}


def provenance(cat: Catalog, url: str) -> Provenance:
    """Who published ``url``; an undecidable host counts as a private page named by its host."""
    return cat.publishers.describe(url)


def is_reference(cat: Catalog, url: str, municipality: str | None) -> bool:
    """True when ``url`` is another municipality's own page than ``municipality``'s (Tokyo's or elsewhere)."""
    return provenance(cat, url).other_municipality(municipality)


def source_ref(
    cat: Catalog,
    url: str,
    title: str,
    *,
    verified: dt.date | None = None,
    page_date: dt.date | None = None,
    municipality: str | None = None,
    lang: Lang = "ja",
) -> SourceRef:
    prov = provenance(cat, url)
    reference = prov.other_municipality(municipality)
    return SourceRef(
        url=url,
        title=title,
        verified=verified,
        publisher=prov.publisher,
        kind=prov.kind,
        page_date=page_date,
        reference=reference,
        badge=kind_label(prov.kind, "en" if lang == "en" else "ja"),
    )


def source_refs(
    cat: Catalog, sources: Iterable[Source], municipality: str | None = None, lang: Lang = "ja"
) -> list[SourceRef]:
    """Each source once, with its publisher, kind and dates; the card's own and Tokyo-wide pages first, pages of
    other municipalities after them, marked ``reference``."""
    seen: set[str] = set()
    out: list[SourceRef] = []
    for s in sources:
        if s.url in seen:
            continue
        seen.add(s.url)
        out.append(
            source_ref(
                cat,
                s.url,
                s.title,
                verified=s.verified,
                page_date=s.page_date,
                municipality=municipality,
                lang=lang,
            )
        )
    return sorted(out, key=lambda r: r.reference)  # stable: own pages keep their order


def citation(
    cat: Catalog, hit: Hit, snippet: str, municipality: str | None = None, lang: Lang = "ja"
) -> Citation:
    """A quoted page with its provenance: the publisher and kind stored at ingest when present, else derived now."""
    prov = provenance(cat, hit.url)
    publisher = hit.publisher or prov.publisher
    kind = hit.kind if hit.kind in KINDS else prov.kind  # stored at ingest; older chunks: derived now
    page_date = None
    if hit.updated:
        try:
            page_date = dt.date.fromisoformat(hit.updated[:10])
        except ValueError:
            page_date = None
    return Citation(
        url=hit.url,
        title=hit.title,
        snippet=snippet,
        publisher=publisher,
        kind=kind,
        page_date=page_date,
        verified=None,
        reference=prov.other_municipality(municipality) if municipality else False,
        badge=kind_label(kind, "en" if lang == "en" else "ja"),
    )


def all_official(citations: Iterable[Citation]) -> bool:
    """True when every quoted page is of an official kind (only then may a reply say 「公式ページには」)."""
    cites = list(citations)
    return bool(cites) and all(
        c.kind in {"municipal", "metropolitan", "national", "public-body"} for c in cites
    )


def confirmed(cat: Catalog, sources: Iterable[Source]) -> bool:
    """True when at least one source is an official page (a stored copy or a private page does not confirm)."""
    return any(provenance(cat, s.url).official for s in sources)


def unconfirmed_facts(cat: Catalog, proc: Procedure, code: str | None) -> list[str]:
    """Keys of FACT_NAMES whose sources are all non-official, for ``proc`` as it applies in ``code``."""
    out: list[str] = []
    if proc.sources and not confirmed(cat, proc.sources):
        out.append("details")
    if any(a.sources and not confirmed(cat, a.sources) for a in proc.amounts):
        out.append("amount")
    if proc.deadline and proc.deadline.sources and not confirmed(cat, proc.deadline.sources):
        out.append("deadline")
    window = cat.local_name_sources(proc.office, code)
    if window and not confirmed(cat, window):
        out.append("window")
    return out


def where_to_confirm(cat: Catalog, proc: Procedure, code: str | None, lang: Lang) -> str:
    """The window to ask (the municipality's own, with its main phone and website, when it is a local matter)."""
    en = lang == "en"
    office = cat.offices.get(proc.office)
    window = cat.office_name(proc.office, code).get(lang)
    muni = cat.municipalities.get(code or "")
    if muni and (office is None or office.kind in ("municipal", "health_center")):
        contact = [f"main line {muni.phone}" if en else f"代表 {muni.phone}"] if muni.phone else []
        contact += [muni.website] if muni.website else []
        if not contact:
            return window
        if en:
            return f"{window} ({muni.en}: {', '.join(contact)})"
        return f"{window}（{muni.name} {'、'.join(contact)}）"
    if office is not None and office.url:
        return f"{window} ({office.url})" if en else f"{window}（{office.url}）"
    return window


def unconfirmed_note(cat: Catalog, proc: Procedure, code: str | None, lang: Lang) -> str | None:
    """'Not confirmed on an official page; confirm at …' for a card whose facts rest only on non-official pages."""
    facts = unconfirmed_facts(cat, proc, code)
    if not facts:
        return None
    where = where_to_confirm(cat, proc, code, lang)
    if lang == "en":
        names = ", ".join(FACT_NAMES[f][1] for f in facts)
        return (
            f"Not confirmed on an official page ({names}: the sources are unofficial). "
            f"Please confirm with {where}."
        )
    if lang == "easy":  # the caller adds readings to the names in ``where`` (bot.render.with_readings)
        names = "・".join(FACT_NAMES_EASY[f] for f in facts)
        return (
            f"{names}は、公式の ページで まだ たしかめて いません（でどころは 公式では ない "
            f"ページ です）。{where}で きいて ください。"
        )
    names = "・".join(FACT_NAMES[f][0] for f in facts)
    return f"{names}は公式ページで確認できていません（出典は非公式の情報です）。{where}でご確認ください。"


def amount_note(cat: Catalog, proc: Procedure, code: str | None, lang: Lang) -> str | None:
    """The reply's words after a stated amount that no official page confirms."""
    if not any(a.sources and not confirmed(cat, a.sources) for a in proc.amounts):
        return None
    where = where_to_confirm(cat, proc, code, lang)
    if lang == "en":
        return f"(This amount is not confirmed on an official page; please confirm with {where}.)"
    return f"（この金額は公式ページで確認できていません。{where}でご確認ください）"


def local_online_url(cat: Catalog, url: str | None, municipality: str | None) -> str | None:
    """The online link, unless it is another municipality's page (then it is no link of this card)."""
    if url and is_reference(cat, url, municipality):
        return None
    return url


def a11y_label(ref: SourceRef | Citation, lang: Lang = "ja") -> str:
    """The accessible name of a source link: title, then kind, reference and page date."""
    return f"{ref.title}（{badge_text(ref.kind or 'private', ref.page_date, ref.reference, lang)}）"


# what a question asks about -> the fact of the card it rests on
_INTENT_FACTS = {
    "amount": "amount",
    "deadline": "deadline",
    "claim": "deadline",
    "place": "window",
    "documents": "details",
    "online": "details",
}


def reply_note(
    cat: Catalog, proc: Procedure, code: str | None, intents: Iterable[str], lang: Lang
) -> str | None:
    """The unconfirmed note for a reply that states facts of ``proc`` the question asked about (期限・金額・窓口…),
    when those facts rest only on non-official pages."""
    asked = {_INTENT_FACTS[i] for i in intents if i in _INTENT_FACTS}
    facts = [f for f in unconfirmed_facts(cat, proc, code) if f in asked or f == "details"]
    if not asked or not facts:
        return None
    where = where_to_confirm(cat, proc, code, lang)
    if lang == "en":
        names = ", ".join(FACT_NAMES[f][1] for f in facts)
        return f"Note: the {names} above could not be confirmed on an official page. Please confirm with {where}."
    if lang == "easy":  # the caller adds readings to the names in ``where``
        names = "・".join(FACT_NAMES_EASY[f] for f in facts)
        return f"※ 上の {names}は、公式の ページで まだ たしかめて いません。{where}で きいて ください。"
    names = "・".join(FACT_NAMES[f][0] for f in facts)
    return f"※上の{names}は公式ページで確認できていません。{where}でご確認ください。"


def free_answer_head(citations: Iterable[Citation], lang: Lang) -> str:
    """「公式ページには…」 only when every quoted page is official; otherwise say whose pages they are."""
    if all_official(citations):
        return (
            "Here is what the official pages say:"
            if lang == "en"
            else "公式ページには次のように書かれています。"
        )
    if lang == "en":
        return "Pages that mention this (not all are official pages; please confirm with your ward or city office):"
    return "関連するページには次のように書かれています（公式ページではないものを含みます。区市町村の窓口でご確認ください）。"


def quoted_line(c: Citation, lang: Lang) -> str:
    """One quoted passage with its title and kind (非公式・要確認 is never dropped)."""
    label = kind_label(c.kind or "private", "en" if lang == "en" else "ja")
    return f"・{c.snippet}（{c.title}・{label}）"
