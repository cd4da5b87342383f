"""A systematic sweep of the reply language: every life event in the catalog x {English, kana-only, やさしい日本語}
x a few places (a ward, a city, a move between two, a move from outside Tokyo), answering the concierge's own
questions with the quick replies it offers, every text shown checked with the evaluation's own language check
(:func:`evals.metrics.language_problems`).

The catalog sweep (:func:`catalog_sweep`, ``--catalog``) renders without a conversation everything the catalog can
show in ``en`` and ``easy``: every event in every municipality (moves between them, from and to outside Tokyo and
abroad) on dates that make items fresh, overdue, ahead and moved past closed days; every card as planned, as
required and as conditional; checklist, milestones, the summary reply with its overdue notes, calendar text;
every question per event and its quick replies; every message of the catalogue.

    python -m evals.language_sweep            # print each violation and the count
    python -m evals.language_sweep --events birth,death --turns 3
    python -m evals.language_sweep --catalog  # the whole catalog rendered directly
"""

from __future__ import annotations

import argparse
import datetime as dt
import string
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bot.contract import ChatRequest, ChatResponse, ProcedureOut
from bot.planner import Bundle, PlannedItem, plan_bundle
from bot.render import ABROAD, MESSAGES, OUTSIDE, Renderer, strip_readings
from bot.service import Concierge, build_concierge
from bot.sessions import SessionState
from evals import metrics as M
from knowledge.catalog import Catalog, load_catalog
from knowledge.models import Lang, LifeEvent
from knowledge.settings import get_settings

TODAY = dt.date(2026, 12, 7)
LANGS = ("en", "kana", "easy")  # message styles; kana and easy both call for an easy reply


@dataclass(frozen=True)
class Place:
    """A place said three ways; ``move`` places are a move from ``a`` to ``b``."""

    key: str
    en: str
    kana: str
    easy: str


PLACES = (
    Place("ward", "in Setagaya", "せたがやく です", "せたがや区 です"),
    Place("city", "in Hachioji", "はちおうじし です", "はちおうじ市 です"),
    Place(
        "move",
        "moving from Setagaya to Shibuya",
        "せたがやく から しぶやく に ひっこし",
        "せたがや区 から 渋谷区 に ひっこし",
    ),
    Place(
        "from-outside",
        "moving from Osaka to Minato",
        "おおさか から みなとく に ひっこし",
        "大阪 から 港区 に ひっこし",
    ),
    Place("village", "in Hinohara Village", "ひのはらむら です", "ひのはら村 です"),
    Place(
        "from-abroad",
        "moving from abroad to Nerima",
        "がいこく から ねりまく に きました",
        "外国 から ねりま区 に 来ました",
    ),
)
# answers to a question without quick replies (the place or the date), in each message style
FREE_ANSWERS = {
    "en": ("Setagaya", "1 December 2026"),
    "kana": ("せたがやく", "12がつ 1にち"),
    "easy": ("せたがや区", "12月1日"),
}


@dataclass
class Violation:
    conversation: str
    turn: int
    field: str
    text: str
    problems: list[str]

    def __str__(self) -> str:
        return f"[{self.conversation} turn {self.turn}] {self.field}: {self.problems} in {self.text!r}"


def _kana_only(text: str) -> bool:
    return not M.re.search(rf"[{M._KANJI}A-Za-z]", text)


def event_phrase(event: LifeEvent, style: str) -> str:
    """How a resident names ``event`` in one style: the English name, a kana-only synonym (else the easy name),
    or the catalog's やさしい日本語 name."""
    if style == "en":
        return (event.synonyms.en or [event.name.en or event.id])[0]
    if style == "kana":
        kana = [s for s in [event.name.easy or "", *event.synonyms.ja] if s and _kana_only(s)]
        return kana[0] if kana else (event.name.easy or event.name.ja)
    return event.name.easy or event.name.ja


def first_message(event: LifeEvent, style: str, place: Place) -> str:
    sep = ", " if style == "en" else "。"
    return f"{event_phrase(event, style)}{sep}{getattr(place, style)}"


def shown_fields(resp: ChatResponse) -> Iterator[tuple[str, str]]:
    """(field, text) for every part of a response written for the resident (page snippets excluded)."""
    yield "reply", resp.reply
    for question in resp.follow_up:
        yield "question", question
    for q in resp.quick_replies:
        yield f"quick_reply[{q.fact}]", q.label
    for c in resp.checklist:
        yield "checklist", c
    for p in resp.procedures:
        for name in ("title", "office", "summary", "why", "conditional"):
            yield f"card[{p.id}].{name}", getattr(p, name) or ""
        for d in p.documents:
            yield f"card[{p.id}].document", d
        for a in p.amounts:
            yield f"card[{p.id}].amount", a.label
        if p.deadline:
            yield f"card[{p.id}].deadline", p.deadline.text
            yield f"card[{p.id}].deadline.explanation", p.deadline.explanation or ""
    for m in resp.milestones:
        yield "milestone.title", m.title
        yield "milestone.text", m.text or ""


ISO_DATE = M.re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# the reply's note that an answer was not understood, in each language (bot.render "note.not_understood")
NOT_UNDERSTOOD = ("読み取れませんでした", "こたえが わかりませんでした", "could not read that as an answer")


def style_problems(text: str, lang: str) -> list[str]:
    """Beyond the evaluation's check: an English text shows no ISO date and no "procedure(s)"."""
    if lang != "en":
        return []
    return [f"ISO date: {d}" for d in ISO_DATE.findall(text)] + (["'(s)' plural"] if "(s)" in text else [])


def check(
    resp: ChatResponse, lang: str, name: str, turn: int, quick_answer: str | None = None
) -> list[Violation]:
    """Every shown text in the expected language; a quick-reply label sent back is understood."""
    out = []
    for field, text in shown_fields(resp):
        if text and (problems := M.language_problems([text], lang) + style_problems(text, lang)):
            out.append(Violation(name, turn, field, text, problems))
    if quick_answer and any(n in resp.reply for n in NOT_UNDERSTOOD):
        out.append(
            Violation(name, turn, "quick_reply answer", quick_answer, ["its own quick reply not understood"])
        )
    if resp.lang != lang:
        out.append(Violation(name, turn, "lang", resp.lang, [f"reply language {resp.lang}, want {lang}"]))
    return out


def next_answer(resp: ChatResponse, style: str, turn: int) -> tuple[str | None, bool]:
    """What the resident answers, and whether it is a quick reply: one of those offered (rotating), else the
    place or the date."""
    if resp.quick_replies:
        label = resp.quick_replies[
            turn % len(resp.quick_replies)
        ].label  # turn counts from the sweep's offset
        return strip_readings(label), True  # the widget sends the label without readings
    if not resp.follow_up:
        return None, False
    place, date = FREE_ANSWERS[style]
    q = resp.follow_up[0].lower()
    return (date if any(k in q for k in ("when", "いつ", "date", "日")) else place), False


def converse(
    c: Concierge, event: LifeEvent, style: str, place: Place, turns: int, offset: int = 0
) -> list[Violation]:
    """One conversation; ``offset`` shifts which quick reply each turn picks."""
    lang = "en" if style == "en" else "easy"
    name = f"{event.id}/{style}/{place.key}"
    message: str | None = first_message(event, style, place)
    session = None
    quick = False
    out: list[Violation] = []
    for turn in range(turns):
        if message is None:
            break
        resp = c.chat(ChatRequest(message=message, session_id=session, today=TODAY))
        session = resp.session_id
        out += check(resp, lang, name, turn, message if quick else None)
        message, quick = next_answer(resp, style, turn + offset)
    return out


def sweep(
    c: Concierge,
    events: Iterable[str] | None = None,
    styles: Iterable[str] = LANGS,
    places: Iterable[Place] = PLACES,
    turns: int = 4,
    offsets: Iterable[int] = (0,),
) -> list[Violation]:
    cat: Catalog = c.catalog
    ids = list(events) if events else sorted(cat.events)
    out: list[Violation] = []
    for eid in ids:
        for style in styles:
            for place in places:
                for offset in offsets:
                    out += converse(c, cat.events[eid], style, place, turns, offset)
    return out


# ---- the catalog sweep: every event, procedure, fact and message rendered directly (no conversation) ---------
SAMPLE_PLACES = (
    "世田谷区",
    "八王子市",
    "檜原村",
)  # a ward, a city, a village: every event on every sweep date
# event dates relative to TODAY: the day before (most deadlines ahead), long past (every item overdue, its late
# note), ahead (windows before a move or a birth), across the year-end closure and 秋分の日 (moved deadlines)
SWEEP_DATES = (
    TODAY - dt.timedelta(days=1),
    TODAY - dt.timedelta(days=400),
    TODAY + dt.timedelta(days=30),
    dt.date(2026, 12, 18),
    dt.date(2026, 9, 9),
)
SweepText = tuple[str, str]  # (where it is shown, the text)


def _variants(item: PlannedItem, catalog: Catalog) -> list[PlannedItem]:
    """The item as planned, and as a required and a conditional card (its why and its 'might apply if')."""
    facts = sorted({f for c in item.conditions for f in c.facts()} | set(item.unknown))
    facts = [f for f in facts if f in catalog.facts] or list(catalog.facts)[:2]
    return [
        item,
        replace(item, status="applies", unknown=[]),
        replace(item, status="maybe", unknown=facts),
    ]


def card_texts(r: Renderer, card: ProcedureOut) -> Iterator[SweepText]:
    """A card's shown texts and, when it is dated, its calendar event (summary and description lines)."""
    resp = ChatResponse(session_id="sweep", reply="", procedures=[card], lang=r.lang)
    yield from shown_fields(resp)
    if card.deadline and card.deadline.late:
        yield f"card[{card.id}].late", card.deadline.late
    if card.unconfirmed:
        yield f"card[{card.id}].unconfirmed", card.unconfirmed
    if card.deadline and card.deadline.due:
        yield f"calendar[{card.id}].summary", r.calendar_summary(card)
        for line in r.calendar_procedure(card):
            if not line.startswith(r.msg("cal.source")):  # a page's own title, quoted (checked apart)
                yield f"calendar[{card.id}].description", line


def bundle_texts(r: Renderer, state: SessionState, bundle: Bundle) -> Iterator[SweepText]:
    """Everything one planned bundle shows: every card in its three variants (with calendar text), the
    checklist, the milestones (with calendar text), the summary reply with its overdue notes, and the title."""
    cat = r.catalog
    cards = [r.procedure(v) for it in bundle.items for v in _variants(it, cat)]
    for card in cards:
        yield from card_texts(r, card)
    for d in r.checklist(bundle):
        yield "checklist", d
    for m in r.milestones(bundle, state.municipality):
        yield "milestone.title", m.title
        yield "milestone.text", m.text or ""
        for line in r.calendar_milestone(m):
            if not line.startswith(r.msg("cal.source")):
                yield "calendar.milestone", line
    applied = [r.procedure(it) for it in bundle.items]
    yield "reply", r.summary(state, applied, [])
    yield "title", r.title(state.events, state.municipality)


def _state(event: str, code: str | None, day: dt.date, move: tuple[str, str] | None = None) -> SessionState:
    if move:
        return SessionState(
            id="sweep",
            events=[event],
            municipality=move[1],
            move_from=move[0],
            move_to=move[1],
            event_date=day,
        )
    return SessionState(id="sweep", events=[event], municipality=code, event_date=day)


def _plan(cat: Catalog, s: SessionState, today: dt.date) -> Bundle:
    return plan_bundle(
        cat,
        s.events,
        {},
        municipality=s.municipality,
        move_from=s.move_from,
        move_to=s.move_to,
        event_date=s.event_date,
        today=today,
    )


def sweep_states(cat: Catalog, every_municipality: bool = True) -> Iterator[SessionState]:
    """Every event x every municipality (one date; ``every_municipality``), x the sample places x every sweep
    date; moves between neighbouring municipalities in the list, and from and to outside Tokyo and abroad."""
    codes = sorted(cat.municipalities) if every_municipality else []
    samples = [m.code for n in SAMPLE_PLACES if (m := cat.municipality_by_name(n))]
    for eid in sorted(cat.events):
        for i, code in enumerate(codes):
            move = (code, codes[(i + 1) % len(codes)]) if eid == "moving" else None
            yield _state(eid, code, SWEEP_DATES[0], move)
        for code in samples:
            for day in SWEEP_DATES:
                yield _state(eid, code, day)
    for code in samples:
        for move in ((OUTSIDE, code), (code, OUTSIDE), (ABROAD, code), (code, ABROAD)):
            for day in SWEEP_DATES:
                yield _state("moving", None, day, move)


def fact_texts(r: Renderer) -> Iterator[SweepText]:
    """Every question the concierge can ask (per event) and its quick replies; every procedure on its own."""
    cat = r.catalog
    state = SessionState(id="sweep", municipality=r.catalog.municipality_by_name("世田谷区").code)  # type: ignore[union-attr]
    for fid in sorted(cat.facts):
        for eid in sorted(cat.events):
            yield f"question[{fid}/{eid}]", r.question(fid, [eid])
        for q in r.quick_replies(fid, state):
            yield f"quick_reply[{fid}]", q.label
        label = cat.facts[fid].label
        if label:
            yield f"fact_label[{fid}]", r.text(label)


def message_texts(lang: Lang) -> Iterator[SweepText]:
    """Every message of the catalogue with its placeholders filled by a neutral mark."""
    for key, by_lang in MESSAGES.items():
        names = [f for _, f, _, _ in string.Formatter().parse(by_lang[lang]) if f]
        yield f"message[{key}]", by_lang[lang].format(**dict.fromkeys(names, "X"))


def catalog_sweep(
    cat: Catalog, langs: Iterable[Lang] = ("en", "easy"), every_municipality: bool = True
) -> list[Violation]:
    """Render everything the catalog can show without a conversation in each language and check every text
    with the evaluation's language check; each (field kind, text) is reported once."""
    out: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    for lang in langs:
        r = Renderer(cat, lang, today=TODAY)
        texts: list[tuple[str, Iterable[SweepText]]] = [("messages", message_texts(lang))]
        texts.append(("facts", fact_texts(r)))
        for s in sweep_states(cat, every_municipality):
            name = f"{s.events[0]}@{s.move_from or ''}>{s.municipality or s.move_to}/{s.event_date}"
            texts.append((name, bundle_texts(r, s, _plan(cat, s, TODAY))))
        for name, shown in texts:
            for field, text in shown:
                if not text or (lang, text) in seen:
                    continue
                seen.add((lang, text))
                if problems := M.language_problems([text], lang) + style_problems(text, lang):
                    out.append(Violation(f"{lang}:{name}", 0, field, text, problems))
    return out


# ---- the question sweep: a direct question about every procedure of every event ------------------------------
# what a resident asks about a procedure they name (deadline, what to bring, how much, where), in each style
QUESTIONS = {
    "en": (
        "What is the deadline for the {t}?",
        "What do I need to bring for the {t}?",
        "How much is the {t}?",
        "Where do I apply for the {t}?",
    ),
    "easy": (
        "{t}は いつまで ですか",
        "{t}に なにが ひつよう ですか",
        "{t}は いくら ですか",
        "{t}は どこで できますか",
    ),
}


def procedure_phrase(cat: Catalog, proc_id: str, code: str | None, style: str) -> str:
    """How a resident names a procedure: its English title, else its Japanese name as the window calls it (the
    official name is what an easy-Japanese writer has on the letter: 出生届)."""
    title = cat.procedure(proc_id, code).title
    if style == "en":
        return (title.en or title.ja).rstrip(".")
    return title.ja.split("（")[0]


def ask_procedures(c: Concierge, event: LifeEvent, style: str, place: Place) -> list[Violation]:
    """The event told once (with its date), then every procedure of its bundle asked about in each way."""
    lang: Lang = "en" if style == "en" else "easy"
    date = FREE_ANSWERS[style][1]
    first = f"{first_message(event, style, place)}{', ' if style == 'en' else '。'}{date}"
    opened = c.chat(ChatRequest(message=first, today=TODAY))
    out = check(opened, lang, f"{event.id}/{style}/{place.key}", 0)
    for card in opened.procedures:
        phrase = procedure_phrase(c.catalog, card.id, opened.municipality_code, style)
        for n, template in enumerate(QUESTIONS["en" if style == "en" else "easy"]):
            resp = c.chat(
                ChatRequest(message=template.format(t=phrase), session_id=opened.session_id, today=TODAY)
            )
            out += check(resp, lang, f"{event.id}/{style}/{card.id}/q{n}", 1)
    return out


def question_sweep(
    c: Concierge, events: Iterable[str] | None = None, styles: Iterable[str] = ("en", "easy")
) -> list[Violation]:
    """Every event's procedures asked about directly, in each style, in a ward."""
    ids = list(events) if events else sorted(c.catalog.events)
    return [
        v
        for eid in ids
        for style in styles
        for v in ask_procedures(c, c.catalog.events[eid], style, PLACES[0])
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", default="", help="comma-separated event ids (default: all)")
    ap.add_argument("--styles", default=",".join(LANGS))
    ap.add_argument("--turns", type=int, default=4)
    ap.add_argument("--offsets", type=int, default=1, help="how many quick-reply choices to rotate through")
    ap.add_argument(
        "--catalog", action="store_true", help="render the whole catalog directly (no conversation)"
    )
    ap.add_argument("--questions", action="store_true", help="ask about every procedure of every event")
    args = ap.parse_args(argv)
    if args.questions:
        with tempfile.TemporaryDirectory() as tmp:
            c = build_concierge(get_settings(data_dir=Path(tmp)), with_pages=False)
            events = [e for e in args.events.split(",") if e] or None
            found = question_sweep(c, events, [x for x in args.styles.split(",") if x != "kana"])
        for v in found:
            print(v)
        print(f"{len(found)} violations")
        return 1 if found else 0
    if args.catalog:
        found = catalog_sweep(load_catalog())
        for v in found:
            print(v)
        print(f"{len(found)} violations")
        return 1 if found else 0
    with tempfile.TemporaryDirectory() as tmp:
        c = build_concierge(get_settings(data_dir=Path(tmp)), with_pages=False)
        events = [e for e in args.events.split(",") if e] or None
        found = sweep(c, events, args.styles.split(","), turns=args.turns, offsets=range(args.offsets))
    for v in found:
        print(v)
    print(f"{len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
