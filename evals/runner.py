"""`concierge eval`: run the evaluation cases through the real concierge and score them.

Each case's turns go through ``Concierge.chat`` (one session per case, a throw-away session store); the final
answer is scored against the case's expectations. Page-retrieval questions (``evals/retrieval/questions.yaml``)
are scored with the page searcher when an index exists. Results: a table on stdout, ``report.json`` and
``report.html`` in ``out``.

Example::

    >>> ok = run_eval(get_settings(), split="all", quick=True, out=Path("var/eval"), check_thresholds=True)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.render import strip_readings
from evals import metrics as M
from evals.cases import Case, load_cases, validate_cases
from evals.report import write_html
from knowledge.catalog import Catalog, load_catalog
from knowledge.index_state import read_active
from knowledge.retrieval_types import PageSearcher
from knowledge.settings import Settings

log = logging.getLogger(__name__)

EVALS_DIR = Path(__file__).parent
QUESTIONS = EVALS_DIR / "retrieval" / "questions.yaml"
THRESHOLDS = EVALS_DIR / "thresholds.yaml"
SPLITS = ("dev", "heldout", "all")

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


# ---- one case ------------------------------------------------------------------------------------------------


def answer_text(resp: Any) -> str:
    """Everything the resident is shown: reply, procedures (titles, offices, deadlines, documents, amounts),
    checklist, milestones and cited snippets."""
    parts = [resp.reply, *resp.checklist]
    for p in resp.procedures:
        parts += [p.title, p.office, p.summary or "", p.why or "", p.conditional or "", *p.documents]
        if p.deadline:
            parts += [p.deadline.text, p.deadline.explanation or "", str(p.deadline.due or "")]
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


def language_texts(resp: Any) -> list[str]:
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


def asked_facts(resp: Any, catalog: Catalog) -> set[str]:
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


def is_overdue(p: Any, reply: str = "") -> bool:
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


def score_case(
    case: Case,
    resp: Any,
    catalog: Catalog,
    *,
    known_numbers: set[str],
    known_urls: set[str],
    responses: list[Any] | None = None,
) -> CaseResult:
    """Score the final answer ``resp`` (a ChatResponse) of ``case``; ``responses`` are the answers to every turn
    (default: the final one only), for the checks that span the conversation (language, questions asked)."""
    e = case.expect
    r = CaseResult(case.id, case.split, case.style, list(case.tags), case.file)
    responses = list(responses) if responses else [resp]
    got_events = list(resp.life_events)
    got_procs = [p.id for p in resp.procedures]
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

    lang, explicit = expected_lang(case)
    if lang:
        r.lang = lang
        r.lang_problems = M.language_problems([t for x in responses for t in language_texts(x)], lang)
        r.lang_ok = not r.lang_problems
        if explicit and r.lang_problems:
            r.failures.append(f"reply language ({lang}): {r.lang_problems[:4]}")

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
    r.numbers_total = len(M.numbers_in(resp.reply))
    r.invented = M.invented_numbers(resp.reply, allowed)
    if r.invented:
        r.failures.append(f"numbers in the reply found nowhere in catalog/evidence: {r.invented[:5]}")

    r.answer = {
        "reply": resp.reply[:600],
        "life_events": got_events,
        "municipality": resp.municipality,
        "move_from": resp.move_from,
        "move_to": resp.move_to,
        "procedures": got_procs,
        "due": {k: str(v) if v else None for k, v in dues.items() if k in e.due},
        "lang": resp.lang,
        "citations": [c.url for c in resp.citations],
    }
    return r


def run_case(
    concierge: Any, case: Case, catalog: Catalog, known_numbers: set[str], known_urls: set[str]
) -> CaseResult:
    from bot.contract import ChatRequest, ChatResponse

    session: str | None = None
    latencies: list[float] = []
    responses: list[Any] = []
    resp: Any = None
    error = None
    for turn in case.turns:
        started = time.perf_counter()
        try:
            resp = concierge.chat(
                ChatRequest(
                    message=turn.message,
                    session_id=session,
                    today=turn.today or case.today,
                    lang=None,
                    municipality=None,
                )
            )
        except Exception as err:  # a crash is a failed case, reported with its message; the run goes on
            log.exception("case %s crashed", case.id)
            error = f"{type(err).__name__}: {err}"
            resp = ChatResponse(session_id="", reply="")
            break
        finally:
            latencies.append((time.perf_counter() - started) * 1000)
        session = resp.session_id
        responses.append(resp)
    result = score_case(
        case, resp, catalog, known_numbers=known_numbers, known_urls=known_urls, responses=responses or None
    )
    result.latencies_ms = [round(x, 2) for x in latencies]
    if error:
        result.failures.insert(0, f"error: {error}")
    return result


# ---- retrieval questions -------------------------------------------------------------------------------------


def load_questions(path: Path | None = None) -> list[dict[str, Any]]:
    """Page-retrieval questions: ``{id, query, municipality (code|null), relevant: [url...], split}``."""
    path = path or QUESTIONS
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for item in data:
        query = item.get("query") or item.get("question")
        relevant = item.get("relevant") or item.get("urls") or item.get("expected") or []
        if isinstance(relevant, str):
            relevant = [relevant]
        if query and relevant:
            muni = item.get("municipality")
            out.append(
                {
                    "id": str(item.get("id", query)),
                    "query": query,
                    "relevant": list(relevant),
                    "municipality": str(muni) if muni else None,
                    "split": item.get("split", "dev"),
                }
            )
    return out


def run_retrieval(
    searcher: PageSearcher, questions: list[dict[str, Any]], k: int = 5
) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        hits = searcher.search(q["query"], k=k, municipality=q["municipality"])
        urls = M.dedupe(h.url for h in hits)
        rows.append(
            {
                **q,
                "got": urls,
                "recall": M.recall_at_k(urls, q["relevant"], k),
                "rr": M.reciprocal_rank(urls, q["relevant"]),
            }
        )
    return rows


# ---- aggregation ---------------------------------------------------------------------------------------------


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


# ---- entry point ---------------------------------------------------------------------------------------------


def _searcher(settings: Settings) -> tuple[PageSearcher | None, str | None]:
    """The page searcher when an index exists, else None and the reason."""
    if read_active(settings.index_dir) is None:
        return (
            None,
            f"no page index under {settings.index_dir} (run `concierge ingest`): page cases and retrieval skipped",
        )
    try:
        from knowledge.retrieval import build_searcher

        searcher = build_searcher(settings)
        if hasattr(searcher, "warm_up"):
            searcher.warm_up()
        return searcher, None
    except Exception as err:  # reported in the note; catalog cases still run
        return (
            None,
            f"page searcher unavailable ({type(err).__name__}: {err}): page cases and retrieval skipped",
        )


def run_eval(
    settings: Settings,
    *,
    split: str = "all",
    quick: bool = False,
    out: Path = Path("var/eval"),
    check_thresholds: bool = False,
    cases_dir: Path | None = None,
    echo: Callable[[str], Any] | None = None,
) -> bool:
    """Run the cases (and the retrieval questions), write report.json / report.html into ``out``.

    Returns False when the case files are invalid or, with ``check_thresholds``, a metric is below its threshold.
    """
    from bot.service import build_concierge

    say = echo or (lambda s: sys.stdout.write(s + "\n"))
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    catalog = load_catalog(settings.catalog_dir)
    cases = load_cases(cases_dir)
    problems = validate_cases(cases, catalog)
    if problems:
        for p in problems:
            say(f"case error: {p}")
        return False
    if quick:
        cases = [c for c in cases if c.quick]
    if split != "all":
        cases = [c for c in cases if c.split == split]

    notes: list[str] = []
    searcher, why = _searcher(settings)
    if why:
        notes.append(why)
    known_urls = catalog_urls(catalog) | index_urls(settings)
    known_numbers = catalog_numbers(catalog)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="concierge-eval-") as tmp:
        session = settings.session.model_copy(update={"url": f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}"})
        eval_settings = settings.model_copy(update={"session": session})
        concierge = build_concierge(eval_settings, searcher=searcher, with_pages=searcher is not None)
        results: list[CaseResult] = []
        for case in cases:
            if case.needs_index and searcher is None:
                r = CaseResult(
                    case.id, case.split, case.style, list(case.tags), case.file, skipped="no page index"
                )
                results.append(r)
                continue
            results.append(run_case(concierge, case, catalog, known_numbers, known_urls))
        if hasattr(concierge.sessions, "close"):
            concierge.sessions.close()

    retrieval: list[dict[str, Any]] | None = None
    questions = load_questions()
    if not questions:
        notes.append(f"no retrieval questions at {QUESTIONS}")
    elif searcher is not None:
        if quick:
            questions = questions[:20]
        if split != "all":
            questions = [q for q in questions if q["split"] == split]
        retrieval = run_retrieval(searcher, questions)

    summary: dict[str, dict[str, Any]] = {}
    for s in SPLITS:
        rs = results if s == "all" else [r for r in results if r.split == s]
        rq = retrieval if (s == "all" or retrieval is None) else [q for q in retrieval if q["split"] == s]
        summary[s] = aggregate(rs, rq)
    shown = [s for s in SPLITS if summary[s]["cases"] or summary[s]["retrieval_questions"]]

    limits = load_thresholds().get("quick" if quick else "full", {})
    breaches = check_against(summary["all"], limits) if check_thresholds else []
    report = {
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "split": split,
        "catalog_version": catalog.version,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "summary": summary,
        "metrics": [{"key": k, "label": label, "kind": kind} for k, label, kind in METRICS],
        "thresholds": limits,
        "breaches": breaches,
        "cases": [asdict(r) | {"passed": r.passed} for r in results],
        "retrieval": retrieval or [],
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    write_html(report, out / "report.html")

    say(format_table(summary, shown))
    for n in notes:
        say(f"note: {n}")
    failing = [r for r in results if r.skipped is None and not r.passed]
    say(f"{len(failing)} failing case(s); report: {out / 'report.json'}, {out / 'report.html'}")
    for b in breaches:
        say(f"below threshold: {b}")
    return not breaches
