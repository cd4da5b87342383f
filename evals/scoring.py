"""Scoring: one case's final answer against its expectations, and one retrieval question's ranked pages.

Every check that fails adds one line to ``CaseResult.failures``; a case passes when none does. The metrics come
from ``evals.metrics`` (one definition of recall@k, MRR and percentiles for every evaluation and benchmark).

Example::

    >>> r = score_case(case, resp, catalog, known_numbers=catalog_numbers(catalog), known_urls=catalog_urls(catalog))
    >>> r.passed, r.failures[:1]
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.contract import ChatResponse, ProcedureOut
from bot.render import strip_readings
from evals import metrics as M
from evals.cases import Case
from knowledge.catalog import Catalog
from knowledge.index_state import read_active
from knowledge.settings import Settings


@dataclass
class CaseResult:
    id: str
    split: str
    style: str
    tags: list[str]
    file: str
    skipped: str | None = None
    life_event_ok: bool | None = None
    place_ok: bool | None = None
    out_of_scope_ok: bool | None = None
    recall: float | None = None
    precision: float | None = None
    due_hits: int = 0
    due_total: int = 0
    fact_pass: int = 0
    fact_total: int = 0
    cited: list[str] = field(default_factory=list)
    invalid_citations: list[str] = field(default_factory=list)
    numbers_total: int = 0
    invented: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    lang: str | None = None  # the reply language judged (the case's `lang`, else read from its style)
    lang_ok: bool | None = None
    lang_problems: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.skipped is None and not self.failures


# ---- what counts as known ------------------------------------------------------------------------------------


def _strip_links(obj: Any) -> Any:
    """The catalog's content without source records and URLs (their dates and ids are not facts)."""
    if isinstance(obj, dict):
        return {
            k: _strip_links(v) for k, v in obj.items() if k not in ("sources", "url", "website", "verified")
        }
    if isinstance(obj, list):
        return [_strip_links(v) for v in obj]
    return obj


def catalog_numbers(catalog: Catalog) -> set[str]:
    """Every number stated in the catalog's content (amounts, lengths, ages, phone numbers …)."""
    groups = (
        catalog.municipalities,
        catalog.offices,
        catalog.documents,
        catalog.facts,
        catalog.procedures,
        catalog.events,
        catalog.overrides,
    )
    dump = [_strip_links(item.model_dump(mode="json")) for g in groups for item in g.values()]
    if catalog.calendar:  # closed days (12/29-1/3) quoted in deadline explanations
        dump.append(_strip_links(catalog.calendar.model_dump(mode="json")))
    numbers = set(M.numbers_in(json.dumps(dump, ensure_ascii=False)))
    for p in catalog.procedures.values():  # amounts as stated in yen
        numbers |= {str(a.yen) for a in p.amounts}
    # (source titles, dates and ids stay out: a reply naming a source by its title, '(source: 区政概要2024 …（242
    # ページ）)', states no number by it, see metrics.without_source_names; 242 is no amount of the catalog)
    return numbers


def catalog_urls(catalog: Catalog) -> set[str]:
    urls = {s.url for _, s in catalog.iter_sources()}
    for p in catalog.procedures.values():
        if p.online:
            urls.add(p.online.url)
    return urls


def index_urls(settings: Settings) -> set[str]:
    """URLs of the pages in the active index (from its keyword-index chunk table), empty without an index."""
    active = read_active(settings.index_dir)
    if active is None:
        return set()
    folder = active.folder(settings.index_dir)
    urls: set[str] = set()
    for path in (folder / "keyword" / "chunks.json", folder / "chunks.json"):
        if path.exists():
            payload = json.loads(path.read_text(encoding="utf-8"))
            urls |= {m.get("url", "") for m in payload.get("metadatas", [])}
    manifest = folder / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        pages = data.get("pages", data) if isinstance(data, dict) else data
        if isinstance(pages, dict):
            urls |= {str(v.get("url", k)) if isinstance(v, dict) else str(k) for k, v in pages.items()}
        elif isinstance(pages, list):
            urls |= {str(p.get("url", "")) for p in pages if isinstance(p, dict)}
    return {u for u in urls if u}


# ---- what a response shows -------------------------------------------------------------------------------------


def answer_text(resp: ChatResponse) -> str:
    """Everything the resident is shown: reply, procedures (titles, offices, deadlines, documents, amounts),
    checklist, milestones and cited snippets."""
    parts = [resp.reply, *resp.checklist]
    for p in resp.procedures:
        parts += [p.title, p.office, p.summary or "", p.why or "", p.conditional or "", *p.documents]
        if p.deadline:
            parts += [p.deadline.text, p.deadline.explanation or "", str(p.deadline.due or "")]
            parts += [p.deadline.late or ""]  # what to do now, shown on a past-due card
        for a in p.amounts:
            parts += [a.label, f"{a.yen:,}円", f"{a.yen}円", f"{a.yen:,} yen", f"¥{a.yen:,}"]
    for m in resp.milestones:
        parts += [m.title, m.text or "", str(m.date or "")]
    for c in resp.citations:
        parts += [c.title, c.snippet]
    return "\n".join(parts)


STYLE_LANG = {"english": "en", "easy": "easy", "kana": "easy"}  # the reply language a style calls for


def expected_lang(case: Case) -> tuple[str | None, bool]:
    """(language, explicit): the case's ``expect.lang``, else the one its style calls for (english -> en,
    easy/kana -> easy). Only an explicit language fails the case; a style-read one counts in the metric."""
    if case.expect.lang:
        return case.expect.lang, True
    return STYLE_LANG.get(case.style), False


def language_texts(resp: ChatResponse) -> list[str]:
    """The parts of a response written for the resident (page snippets excluded: they quote the pages)."""
    parts = [resp.reply, *resp.follow_up, *resp.checklist, *(q.label for q in resp.quick_replies)]
    for p in resp.procedures:
        parts += [p.title, p.office, p.summary or "", p.why or "", p.conditional or "", *p.documents]
        if p.deadline:
            parts += [p.deadline.text, p.deadline.explanation or ""]
        parts += [a.label for a in p.amounts]
    for m in resp.milestones:
        parts += [m.title, m.text or ""]
    return [x for x in parts if x]


def asked_facts(resp: ChatResponse, catalog: Catalog) -> set[str]:
    """Facts a response asks about: a quick reply for the fact, or the fact's question (ja / en / easy) in the
    reply or the follow-up questions."""
    asked = {q.fact for q in resp.quick_replies}
    text = M.normalize_text("\n".join([resp.reply, *resp.follow_up]))
    for f in catalog.facts.values():
        for q in (f.question.ja, f.question.en, f.question.easy):
            if q and M.normalize_text(q) in text:
                asked.add(f.id)
    return asked


def _flag(obj: Any, name: str) -> bool:
    return obj is not None and (getattr(obj, name, None) is True or getattr(obj, "status", None) == name)


# "if / even if the deadline has passed": a rule, not a statement that this deadline has passed
_IF_LATE = re.compile(
    r"(期限|きげん)\s*[をが]\s*(過ぎ|すぎ)\s*(ても|たら|ると|た場合|たばあい|たとき|た後|たあと)"
)


def is_overdue(p: ProcedureOut, reply: str = "") -> bool:
    """A procedure is marked past due: an ``overdue`` flag (or ``status: overdue``) on it or its deadline, words
    saying so on its card, or a reply line naming it with such words. A general rule on the card (「期限を過ぎても
    届出はできます」, 「期限を過ぎると…」) says nothing about this resident's date and is not counted."""
    if _flag(p, "overdue") or _flag(p.deadline, "overdue"):
        return True
    texts = [p.summary or "", p.why or "", p.conditional or ""]
    if p.deadline:
        texts += [p.deadline.text, p.deadline.explanation or ""]
    if M.mentions_any(_IF_LATE.sub(" ", " ".join(texts)), M.OVERDUE_MARKERS):
        return True
    return any(p.title in line and M.mentions_any(line, M.OVERDUE_MARKERS) for line in reply.splitlines())


def _known(value: Any) -> str:
    return str(value).lower()


def _place(catalog: Catalog, name: str | None) -> str | None:
    if name is None:
        return None
    if name in ("東京都外", "outside Tokyo", "outside"):
        return "outside"
    if name in ("海外", "abroad"):
        return "abroad"
    m = catalog.municipality_by_name(name)
    return m.name if m else name


# ---- one case ------------------------------------------------------------------------------------------------


def score_case(
    case: Case,
    resp: ChatResponse,
    catalog: Catalog,
    *,
    known_numbers: set[str],
    known_urls: set[str],
    responses: list[ChatResponse] | None = None,
) -> CaseResult:
    """Score the final answer ``resp`` (a ChatResponse) of ``case``; ``responses`` are the answers to every turn
    (default: the final one only), for the checks that span the conversation (language, questions asked)."""
    r = CaseResult(case.id, case.split, case.style, list(case.tags), case.file)
    responses = list(responses) if responses else [resp]
    _score_understanding(r, case, resp, catalog)
    dues = _score_bundle(r, case, resp)
    _score_marks(r, case, resp)
    _score_dialogue(r, case, resp, responses, catalog)
    _score_language(r, case, responses)
    _score_facts_and_citations(r, case, resp, known_urls)
    _score_numbers(r, case, resp, known_numbers)
    r.answer = _answer_summary(case, resp, dues)
    return r


def _score_understanding(r: CaseResult, case: Case, resp: ChatResponse, catalog: Catalog) -> None:
    """Life events, the municipality and the two ends of a move."""
    e = case.expect
    got_events = list(resp.life_events)
    if e.life_events is not None:
        r.life_event_ok = M.events_match(e.life_events, e.life_events_ok, got_events)
        if not r.life_event_ok:
            r.failures.append(f"life events {got_events}, want {e.life_events} (+ok {e.life_events_ok})")
    place_checks: list[bool] = []
    if e.check_municipality:
        ok = resp.municipality == e.municipality
        place_checks.append(ok)
        if not ok:
            r.failures.append(f"municipality {resp.municipality!r}, want {e.municipality!r}")
    for label, want in (("move_from", e.move_from), ("move_to", e.move_to)):
        if want is not None:
            have = _place(catalog, getattr(resp, label))
            place_checks.append(have == want)
            if have != want:
                r.failures.append(f"{label} {have!r}, want {want!r}")
    r.place_ok = all(place_checks) if place_checks else None


def _score_bundle(r: CaseResult, case: Case, resp: ChatResponse) -> dict[str, dt.date | None]:
    """Out of scope or not, required and forbidden procedures, due dates; returns the due date per procedure."""
    e = case.expect
    got_procs = [p.id for p in resp.procedures]
    if e.no_procedures:
        r.out_of_scope_ok = not got_procs
        if got_procs:
            r.failures.append(f"out of scope but listed {got_procs[:5]}")
    r.recall = M.bundle_recall(e.must, got_procs)
    r.precision = M.bundle_precision(e.must, e.must_not, got_procs)
    missing = [p for p in e.must if p not in got_procs]
    forbidden = [p for p in e.must_not if p in got_procs]
    if missing:
        r.failures.append(f"missing procedures {missing}")
    if forbidden:
        r.failures.append(f"forbidden procedures listed {forbidden}")

    dues: dict[str, dt.date | None] = {}
    for p in resp.procedures:
        due = p.deadline.due if p.deadline else None
        if p.id not in dues or (dues[p.id] is None and due is not None):
            dues[p.id] = due
    r.due_hits, r.due_total, due_misses = M.due_matches(e.due, dues)
    r.failures += [f"due {m}" for m in due_misses]
    return dues


def _score_marks(r: CaseResult, case: Case, resp: ChatResponse) -> None:
    """Required vs conditional, overdue marks and documents the checklist must not ask for."""
    e = case.expect
    listed = {p.id: p for p in resp.procedures}
    for pid in e.required:
        if pid in listed and listed[pid].conditional:
            r.failures.append(f"{pid} marked conditional, want required")
        elif pid not in listed:
            r.failures.append(f"{pid} not listed, want required")
    for pid in e.not_required:
        if pid in listed and not listed[pid].conditional:
            r.failures.append(f"{pid} listed as required, want conditional or absent")
    for pid in e.overdue:
        if pid not in listed:
            r.failures.append(f"{pid} not listed, want it marked overdue")
        elif not is_overdue(listed[pid], resp.reply):
            r.failures.append(f"{pid} not marked overdue")
    for pid in e.not_overdue:
        if pid in listed and is_overdue(listed[pid], resp.reply):
            r.failures.append(f"{pid} marked overdue, its deadline is ahead")
    if e.checklist_not:
        shown = [*resp.checklist, *(d for p in resp.procedures for d in p.documents)]
        for doc in e.checklist_not:
            if any(M.contains_fact(line, doc) for line in shown):
                r.failures.append(f"checklist asks for {doc}")


def _score_dialogue(
    r: CaseResult, case: Case, resp: ChatResponse, responses: list[ChatResponse], catalog: Catalog
) -> None:
    """Across the conversation: outside Tokyo said, facts not asked twice, facts asked, facts taken."""
    e = case.expect
    if e.outside_tokyo and not any(
        M.mentions_any("\n".join([x.reply, *x.follow_up]), M.OUTSIDE_TOKYO_MARKERS) for x in responses
    ):
        r.failures.append("the reply does not say the place is outside Tokyo")
    if e.not_asked:
        for i, x in enumerate(responses):
            if i < e.not_asked_after:
                continue
            again = sorted(set(e.not_asked) & asked_facts(x, catalog))
            if again:
                r.failures.append(f"turn {i + 1} asks again about {again}")
    if e.asks:
        missing_q = sorted(set(e.asks) - asked_facts(resp, catalog))
        if missing_q:
            r.failures.append(f"the reply does not ask about {missing_q}")
    taken: dict[str, Any] = dict(getattr(resp, "facts", {}) or {})
    for fid, value in e.known.items():
        if fid not in taken:
            r.failures.append(f"fact {fid} not taken (want {value})")
        elif _known(taken[fid]) != _known(value):
            r.failures.append(f"fact {fid} = {taken[fid]!r}, want {value!r}")
    for fid in e.unknown:
        if taken.get(fid) is not None:
            r.failures.append(f"fact {fid} = {taken[fid]!r} taken, want it unknown")


def _score_language(r: CaseResult, case: Case, responses: list[ChatResponse]) -> None:
    lang, explicit = expected_lang(case)
    if lang:
        r.lang = lang
        checked = responses[case.expect.lang_after :] or responses[-1:]
        r.lang_problems = M.language_problems([t for x in checked for t in language_texts(x)], lang)
        r.lang_ok = not r.lang_problems
        if explicit and r.lang_problems:
            r.failures.append(f"reply language ({lang}): {r.lang_problems[:4]}")


def _score_facts_and_citations(r: CaseResult, case: Case, resp: ChatResponse, known_urls: set[str]) -> None:
    """Required facts present, wrong ones absent; every cited URL known to the catalog or the index."""
    e = case.expect
    text = strip_readings(
        answer_text(resp)
    )  # 福祉（ふくし）センター in やさしい日本語 still names 福祉センター
    r.fact_pass, r.fact_total, fact_failures = M.fact_score(text, e.facts, e.wrong)
    r.failures += [f"fact {f}" for f in fact_failures]

    if e.citations and not resp.citations:
        r.failures.append("no page cited")
    cited = [c.url for c in resp.citations]
    for p in resp.procedures:
        cited += [s.url for s in p.sources] + [s.url for a in p.amounts for s in a.sources]
    for m in resp.milestones:
        cited += [s.url for s in m.sources]
    r.cited = M.dedupe(cited)
    r.invalid_citations = [u for u in r.cited if u not in known_urls]
    if r.invalid_citations:
        r.failures.append(f"cited URLs unknown to catalog and index: {r.invalid_citations[:3]}")


def _score_numbers(r: CaseResult, case: Case, resp: ChatResponse, known_numbers: set[str]) -> None:
    """Numbers in the reply found nowhere: not in the catalog, the evidence, the resident's words, the computed
    dates or the counts of what is shown."""
    allowed = set(known_numbers)
    for t in case.turns:
        allowed |= set(M.numbers_in(t.message))
        allowed |= M.date_numbers([t.today])
    allowed |= M.date_numbers([case.today, resp.event_date])
    for p in resp.procedures:
        if p.deadline:
            allowed |= M.date_numbers([p.deadline.due, p.deadline.opens])
    allowed |= M.date_numbers([m.date for m in resp.milestones])
    for c in resp.citations:
        allowed |= set(M.numbers_in(c.snippet + " " + c.title))
    applies = sum(1 for p in resp.procedures if not p.conditional)
    allowed |= {
        str(n)
        for n in (
            len(resp.procedures),
            applies,
            len(resp.procedures) - applies,
            len(resp.milestones),
            len(resp.checklist),
        )
    }
    r.numbers_total = len(M.numbers_in(M.without_source_names(resp.reply)))
    r.invented = M.invented_numbers(resp.reply, allowed)
    if r.invented:
        r.failures.append(f"numbers in the reply found nowhere in catalog/evidence: {r.invented[:5]}")


def _answer_summary(case: Case, resp: ChatResponse, dues: dict[str, dt.date | None]) -> dict[str, Any]:
    """What the report shows of the answer."""
    return {
        "reply": resp.reply[:600],
        "life_events": list(resp.life_events),
        "municipality": resp.municipality,
        "move_from": resp.move_from,
        "move_to": resp.move_to,
        "procedures": [p.id for p in resp.procedures],
        "due": {k: str(v) if v else None for k, v in dues.items() if k in case.expect.due},
        "lang": resp.lang,
        "citations": [c.url for c in resp.citations],
    }


# ---- one retrieval question ------------------------------------------------------------------------------------


def score_retrieval(ranked_urls: list[str], relevant: list[str], k: int = 5) -> dict[str, Any]:
    """A question's ranked pages (several chunks of one page count once) with its recall@k and reciprocal rank."""
    urls = M.dedupe(ranked_urls)
    return {"got": urls, "recall": M.recall_at_k(urls, relevant, k), "rr": M.reciprocal_rank(urls, relevant)}
