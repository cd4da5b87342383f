"""Read models of the catalog for the API and the consoles: municipalities, life events, procedures (with a
municipality's overrides applied) and a small ranked search over procedures.

Example::

    >>> view = procedure_view(load_catalog(), "nhi-funeral-benefit", "131121")
    >>> view.amounts[0].yen, view.local
    (70000, True)
"""

from __future__ import annotations

import datetime as dt
import math
import re

from jinja2 import Environment
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from bot.provenance_view import (
    confirmed,
    local_online_url,
    source_ref,
    source_refs,
    unconfirmed_note,
)
from knowledge.catalog import Catalog, default_catalog
from knowledge.japanese import compact, content_tokens, en_words
from knowledge.models import Lang, LifeEvent, Municipality, Procedure, Source
from knowledge.provenance import (
    OFFICIAL_KINDS,
    badge_text,
    kind_label,
    page_date_label,
    reference_label,
)


class SourceView(BaseModel):
    url: str
    title: str
    verified: dt.date | None = None
    official: bool = Field(
        True, description="False for company pages, blogs, aggregators and caches (to replace)."
    )
    # additive (provenance): as on the chat's sources
    publisher: str | None = None
    kind: str | None = None
    page_date: dt.date | None = None
    reference: bool = Field(False, description="Another municipality's page (参考).")
    badge: str | None = None


def _sources(
    sources: list[Source], cat: Catalog | None = None, code: str | None = None, lang: Lang = "ja"
) -> list[SourceView]:
    refs = source_refs(cat or default_catalog(), sources, code, lang)
    return [SourceView(**r.model_dump(), official=r.kind in OFFICIAL_KINDS) for r in refs]


class MunicipalityView(BaseModel):
    code: str
    name: str
    kana: str
    en: str
    kind: str
    website: str | None = None
    phone: str | None = None
    has_overrides: bool = False
    sources: list[SourceView] = Field(default_factory=list)


class LifeEventView(BaseModel):
    id: str
    name: str
    name_en: str | None = None
    procedures: list[str]
    questions: list[str]
    milestones: list[str]


class DocumentView(BaseModel):
    id: str
    name: str
    notes: str | None = None


class AmountView(BaseModel):
    label: str
    yen: int
    per: str | None = None
    effective_from: dt.date | None = None
    valid_until: dt.date | None = None
    sources: list[SourceView] = Field(default_factory=list)
    confirmed: bool = Field(True, description="False when no official page confirms the amount.")


class RuleView(BaseModel):
    text: str
    trigger: str
    length: int
    unit: str
    counting: str
    sources: list[SourceView] = Field(default_factory=list)


class ProcedureView(BaseModel):
    id: str
    title: str
    summary: str
    who: str | None = None
    office_id: str
    office: str = Field(description="The office (the municipality's local window name when known).")
    municipality_code: str | None = None
    municipality: str | None = None
    local: bool = Field(
        False, description="True when the municipality's own data (override or program) applies."
    )
    deadline: RuleView | None = None
    opens: RuleView | None = None
    documents: list[DocumentView] = Field(default_factory=list)
    online_url: str | None = None
    online_note: str | None = None
    amounts: list[AmountView] = Field(default_factory=list)
    legal_basis: str | None = None
    life_events: list[str] = Field(default_factory=list)
    sources: list[SourceView] = Field(default_factory=list)
    unconfirmed: str | None = Field(
        None, description="Facts resting only on non-official pages, and where to confirm them."
    )
    valid_from: dt.date | None = Field(None, description="Offered for events on or after this day.")
    valid_until: dt.date | None = Field(None, description="Ended after this day (kept as history).")


class ProcedureSummary(BaseModel):
    id: str
    title: str
    office: str
    life_events: list[str]
    municipality_code: str | None = Field(None, description="Set for a municipality's own program.")
    score: float = 0.0


def municipality_view(cat: Catalog, m: Municipality) -> MunicipalityView:
    return MunicipalityView(
        code=m.code,
        name=m.name,
        kana=m.kana,
        en=m.en,
        kind=m.kind,
        website=m.website,
        phone=m.phone,
        has_overrides=m.code in cat.overrides,
        sources=_sources(m.sources, cat, m.code),
    )


def event_view(e: LifeEvent, lang: Lang = "ja") -> LifeEventView:
    return LifeEventView(
        id=e.id,
        name=e.name.get(lang),
        name_en=e.name.en,
        procedures=[p.id for p in e.procedures],
        questions=list(e.questions),
        milestones=[m.title.get(lang) for m in e.milestones],
    )


def _rule(rule, lang: Lang, cat: Catalog | None = None, code: str | None = None) -> RuleView | None:  # type: ignore[no-untyped-def]
    if rule is None:
        return None
    return RuleView(
        text=rule.text.get(lang),
        trigger=rule.trigger,
        length=rule.length,
        unit=rule.unit,
        counting=rule.counting,
        sources=_sources(rule.sources, cat, code, lang),
    )


def procedure_view(cat: Catalog, proc_id: str, code: str | None = None, lang: Lang = "ja") -> ProcedureView:
    """The procedure as it applies in ``code``; raises KeyError for an unknown id."""
    p = cat.procedure(proc_id, code)
    muni = cat.municipalities.get(p.municipality or code or "")
    code = muni.code if muni else None
    docs = []
    for d in p.documents:
        doc = cat.documents.get(d)
        docs.append(
            DocumentView(
                id=d,
                name=doc.name.get(lang) if doc else d,
                notes=doc.notes.get(lang) if doc and doc.notes else None,
            )
        )
    sources = [*p.sources, *cat.local_name_sources(p.office, muni.code if muni else None)]
    return ProcedureView(
        id=p.id,
        title=p.title.get(lang),
        summary=p.summary.get(lang),
        who=p.who.get(lang) if p.who else None,
        office_id=p.office,
        office=cat.office_name(p.office, muni.code if muni else None).get(lang),
        municipality_code=muni.code if muni else None,
        municipality=(muni.en if lang == "en" else muni.name) if muni else None,
        local=p.municipality is not None,
        deadline=_rule(p.deadline, lang, cat, code),
        opens=_rule(p.opens, lang, cat, code),
        documents=docs,
        online_url=local_online_url(cat, p.online.url if p.online else None, code),
        online_note=p.online.note.get(lang) if p.online and p.online.note else None,
        amounts=[
            AmountView(
                label=a.label.get(lang),
                yen=a.yen,
                per=a.per.get(lang) if a.per else None,
                effective_from=a.effective_from,
                valid_until=a.valid_until,
                sources=_sources(a.sources, cat, code, lang),
                confirmed=confirmed(cat, a.sources) or not a.sources,
            )
            for a in p.amounts
        ],
        legal_basis=p.legal_basis,
        life_events=cat.events_for_procedure(p.id),
        sources=_sources(sources, cat, code, lang),
        unconfirmed=unconfirmed_note(cat, p, code, lang),
        valid_from=p.valid_from,
        valid_until=p.valid_until,
    )


class _Entry:
    __slots__ = ("body", "code", "events", "id", "names", "title_tokens")

    def __init__(self, p: Procedure, code: str | None, events: list[str], cat: Catalog) -> None:
        self.id, self.code, self.events = p.id, code, events
        names = [p.title.ja, p.title.en or "", p.id.replace("-", " ")]
        self.names = [compact(n) for n in names if n]
        self.title_tokens = frozenset().union(*(content_tokens(n) | en_words(n) for n in names))
        ev_words = []
        for e in events:
            ev = cat.events.get(e)
            if ev:
                ev_words += [ev.name.ja, ev.name.en or "", *ev.synonyms.ja, *ev.synonyms.en]
        texts = [p.summary.ja, p.summary.en or "", *p.tags, *ev_words]
        self.body = frozenset().union(*(content_tokens(t) | en_words(t) for t in texts if t))


# A procedure is a match when the query names it (title in the query or the query in a title) or when the query's
# words, weighted by how rare they are among procedures, are mostly found in its title, summary, tags and life
# events. Calibrated on staff queries: 「粗大ごみの出し方」 (no procedure) covers 0.1-0.2 through 出す alone;
# 「葬祭費」, 「児童手当 いくら」, 「要介護認定の申請」 cover 0.6-1.0.
PROCEDURE_FLOOR = 0.5
_BODY_WEIGHT = 0.6  # a word found only in the summary/tags counts for less than one in the title
# words that ask rather than name (児童手当 いくら, funeral benefit how much): not matched against procedures
_QUESTION_WORDS = frozenset(
    [
        "いくら",
        "幾ら",
        "何",
        "いつ",
        "どこ",
        "どう",
        "どの",
        "誰",
        "知る",
        "教える",
        "ください",
        "下さる",
        "出来る",
        "できる",
        "how",
        "much",
        "what",
        "when",
        "where",
        "which",
        "who",
        "do",
        "does",
        "i",
        "the",
        "a",
        "my",
        "is",
        "can",
    ]
)


class CatalogSearch:
    """Ranked search over procedures (baseline and municipal programs): title matches first, then summary,
    tags and life-event words. Filters: municipality (its programs and the baseline) and life event.

    Scores are 0-1: 1.0 for the exact title, 0.9 for a title named in the query (or a query inside a title), 0.88
    for a 3+ kanji word of the query inside a title (児童手当 いくら),
    else the rarity-weighted share of the query's words the procedure has (at most 0.85); below ``PROCEDURE_FLOOR`` nothing
    matched. Place names in the query (品川区) filter nothing here and do not count as words.
    """

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self._entries: list[_Entry] | None = None
        self._df: dict[str, int] = {}
        self._places: frozenset[str] = frozenset()

    @property
    def entries(self) -> list[_Entry]:
        if self._entries is None:
            cat = self.cat
            out = [_Entry(p, None, cat.events_for_procedure(p.id), cat) for p in cat.procedures.values()]
            for code, ov in cat.overrides.items():
                out += [_Entry(p, code, list(p.events), cat) for p in ov.programs]
            df: dict[str, int] = {}
            for e in out:
                for t in e.title_tokens | e.body:
                    df[t] = df.get(t, 0) + 1
            places: set[str] = set()
            for m in cat.municipalities.values():
                places |= content_tokens(m.name) | en_words(m.en) | {m.name, m.name[:-1]}
            self._df, self._places = df, frozenset(places)
            self._entries = out
        return self._entries

    def _idf(self, token: str) -> float:
        return math.log((len(self.entries) + 1) / (self._df.get(token, 0) + 1)) + 1.0

    def score(self, e: _Entry, q: str, q_tokens: frozenset[str]) -> float:
        """How well procedure ``e`` matches the query (0-1; see the class docstring)."""
        best = 0.0
        runs = [r for r in re.findall(r"[一-龥々ヶ]{3,}", q) if r not in self._places]
        for name in e.names:
            if q == name:
                return 1.0
            if q in name or (len(name) >= 2 and name in q):
                best = 0.9
            elif any(r in name for r in runs):  # 児童手当 いくら -> 児童手当の申請
                best = max(best, 0.88)
        total = sum(self._idf(t) for t in q_tokens)
        if total:
            got = sum(
                self._idf(t) * (1.0 if t in e.title_tokens else _BODY_WEIGHT if t in e.body else 0.0)
                for t in q_tokens
            )
            best = max(best, min(got / total, 0.85))
        return best

    def search(
        self,
        query: str,
        municipality: str | None = None,
        event: str | None = None,
        limit: int = 20,
        lang: Lang = "ja",
    ) -> list[ProcedureSummary]:
        entries = self.entries
        q = compact(query)
        q_tokens = (
            (content_tokens(query) | en_words(query)) - self._places - _QUESTION_WORDS
            if query.strip()
            else frozenset()
        )
        scored: list[tuple[float, _Entry]] = []
        for e in entries:
            if e.code is not None and municipality and e.code != municipality:
                continue
            if event and event not in e.events:
                continue
            if q:
                score = self.score(e, q, q_tokens)
                if score < PROCEDURE_FLOOR:
                    continue
            else:
                score = 1.0
            scored.append((score, e))
        # ties: the procedure whose title is mostly the query's words first (児童手当 -> 児童手当の申請)
        scored.sort(
            key=lambda se: (
                -se[0],
                -len(q_tokens & se[1].title_tokens) / (len(se[1].title_tokens) or 1),
                se[1].id,
            )
        )
        out = []
        for score, e in scored[:limit]:
            p = self.cat.procedure(e.id, e.code or municipality)
            out.append(
                ProcedureSummary(
                    id=e.id,
                    title=p.title.get(lang),
                    office=self.cat.office_name(p.office, e.code or municipality).get(lang),
                    life_events=e.events,
                    municipality_code=e.code,
                    score=round(score, 3),
                )
            )
        return out


def source_view(cat: Catalog, url: str, title: str = "", code: str | None = None) -> SourceView:
    """One URL as a console shows it (publisher, kind, reference), e.g. a flagged fact's source page."""
    ref = source_ref(cat, url, title or url, municipality=code)
    return SourceView(**ref.model_dump(), official=ref.kind in OFFICIAL_KINDS)


def install_provenance(env: Environment, cat: Catalog) -> None:
    """Jinja helpers for the consoles: ``url | provenance``, ``source_badges(s)``, ``source_text(s)``,
    ``page_date_label(d)`` — a visible badge per source whose words screen readers also hear."""

    def badges(s: SourceView) -> Markup:
        kind = s.kind or "private"
        html = f'<span class="badge kind-{escape(kind)}">{escape(kind_label(kind))}</span> '
        if s.reference:
            html += f'<span class="badge ref">{escape(reference_label())}</span> '
        return Markup(html)

    env.filters["provenance"] = lambda url: source_view(cat, str(url or ""))
    env.globals["source_badges"] = badges
    env.globals["source_text"] = lambda s: badge_text(s.kind or "private", s.page_date, s.reference)
    env.globals["page_date_label"] = page_date_label
