"""Evaluation cases: YAML under ``evals/cases/``, one list of cases per file, validated here.

A case is a conversation (one or more turns) and what the final answer must contain, written from the catalog
and the law before looking at the bot's output::

    - id: birth-setagaya-last-friday
      split: dev                    # dev | heldout
      quick: true                   # part of the CI subset
      style: colloquial             # colloquial | formal | kana | easy | english | typo | injection
      today: 2026-11-26             # reference date for every turn (a turn may override it)
      turns: ["先週の金曜日に世田谷区で子どもが生まれました"]
      expect:
        life_events: [birth]        # exactly these (plus any of life_events_ok)
        municipality: 世田谷区       # null = none must be inferred; omit = not checked
        must: [birth-registration]  # procedures that must be listed
        must_not: [death-registration]
        due: {birth-registration: 2026-12-03}   # null = no due date may be given
        facts: ["出生証明書"]        # must appear in the reply or the procedures
        wrong: ["30日以内"]          # must not appear anywhere in the answer
        lang: ja                    # ja | easy | en: every reply in this language
        lang_after: 1               # ... only the replies to turns with this index and later (the resident switched)
        not_asked: [insurance]      # facts.yaml ids never asked (quick reply, follow-up or the question's text)
        known: {insurance: national}   # the response's `facts` hold these values
        unknown: [person_age]       # ... and do not hold these (a fact said of someone else is not taken)
        required: [birth-registration]          # listed without a `conditional` note
        not_required: [dog-registration-change] # absent, or listed as conditional
        overdue: [baby-employee-insurance]      # listed and marked past due (flag or words)
        checklist_not: ["戸籍謄本"]   # in no checklist line or procedure document
        outside_tokyo: true         # the reply says the place is outside Tokyo

Example::

    >>> cases = load_cases()
    >>> problems = validate_cases(cases, load_catalog())
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.catalog import Catalog
from knowledge.models import Lang

CASES_DIR = Path(__file__).with_name("cases")
QUESTIONS = Path(__file__).parent / "retrieval" / "questions.yaml"
PLACE_KEYWORDS = ("outside", "abroad")  # move_from / move_to outside Tokyo

# The script a test question is written in (kanji and kana, kana only, English): a label of the question, not a
# reply language (that is ``knowledge.models.Lang``; a kana question is answered in ``ja``).
Script = Literal["ja", "kana", "en"]
SCRIPTS: tuple[Script, ...] = get_args(Script)


class CaseError(ValueError):
    """A case file cannot be read or does not match the schema; the message names the file and case."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Turn(_Strict):
    message: str = Field(min_length=1)
    today: dt.date | None = None


class Expect(_Strict):
    life_events: list[str] | None = None
    life_events_ok: list[str] = Field(default_factory=list)
    municipality: str | None = None
    check_municipality: bool = False  # set by the loader when the key is present (null = must be None)
    move_from: str | None = None
    move_to: str | None = None
    must: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)
    due: dict[str, dt.date | None] = Field(default_factory=dict)
    facts: list[str] = Field(default_factory=list)
    wrong: list[str] = Field(default_factory=list)
    no_procedures: bool = False  # out of scope: the answer lists no procedure
    citations: bool = False  # the answer cites at least one ingested page (needs an index)
    # additive checks (2026-12-07, issue #14)
    # every reply in this language (see metrics.language_problems)
    lang: Lang | None = None
    lang_after: int = Field(
        0, ge=0
    )  # ... checked on the replies to turns with this index and later (a switch)
    not_asked: list[str] = Field(default_factory=list)  # facts.yaml ids no reply may ask about again
    not_asked_after: int = Field(0, ge=0)  # ... checked on the replies to turns with this index and later
    asks: list[str] = Field(default_factory=list)  # facts.yaml ids the final reply asks about
    # the final response's `facts` hold these values
    known: dict[str, str | int | bool] = Field(default_factory=dict)
    # the final response's `facts` do not hold these (「息子（20歳）」 is not the age of the person who died)
    unknown: list[str] = Field(default_factory=list)
    required: list[str] = Field(default_factory=list)  # listed and not marked conditional
    not_required: list[str] = Field(default_factory=list)  # absent, or listed with a `conditional` note
    overdue: list[str] = Field(default_factory=list)  # listed and marked as past its deadline
    # listed, or absent, but never marked past its deadline
    not_overdue: list[str] = Field(default_factory=list)
    # in no checklist line and no procedure's documents
    checklist_not: list[str] = Field(default_factory=list)
    outside_tokyo: bool = False  # the reply says the place (or one end of the move) is outside Tokyo


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    split: Literal["dev", "heldout"]
    quick: bool = False
    style: str = "colloquial"
    tags: list[str] = Field(default_factory=list)
    today: dt.date
    turns: list[Turn] = Field(min_length=1)
    expect: Expect
    file: str = ""

    @field_validator("turns", mode="before")
    @classmethod
    def _turns(cls, v: object) -> object:
        if isinstance(v, list):
            return [{"message": t} if isinstance(t, str) else t for t in v]
        return v

    @property
    def needs_index(self) -> bool:
        return self.expect.citations

    @property
    def multi_turn(self) -> bool:
        return len(self.turns) > 1


def load_cases(root: Path | None = None) -> list[Case]:
    """Every case of every ``*.yaml`` under ``root`` (default ``evals/cases``), in file order."""
    root = Path(root) if root else CASES_DIR
    out: list[Case] = []
    seen: dict[str, str] = {}
    for path in sorted(root.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as err:
            raise CaseError(f"{path}: {err}") from None
        if not isinstance(data, list):
            raise CaseError(f"{path}: expected a list of cases")
        for i, item in enumerate(data):
            ident = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            try:
                if isinstance(item, dict) and isinstance(item.get("expect"), dict):
                    item = {
                        **item,
                        "expect": {**item["expect"], "check_municipality": "municipality" in item["expect"]},
                    }
                case = Case.model_validate({**item, "file": path.name} if isinstance(item, dict) else item)
            except ValidationError as err:
                msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
                raise CaseError(f"{path.name}[{ident}]: {msgs}") from None
            if case.id in seen:
                raise CaseError(f"{path.name}[{case.id}]: duplicate id (also in {seen[case.id]})")
            seen[case.id] = path.name
            out.append(case)
    return out


def validate_cases(cases: list[Case], catalog: Catalog) -> list[str]:
    """Problems with the cases' references: unknown events, procedures or municipalities, contradictions."""
    problems: list[str] = []
    procs = catalog.all_procedure_ids()

    def muni_ok(name: str | None, *, place: bool = False) -> bool:
        if name is None:
            return True
        if place and name in PLACE_KEYWORDS:
            return True
        m = catalog.municipality_by_name(name)
        return m is not None and m.name == name

    for c in cases:
        e = c.expect
        where = f"{c.file}[{c.id}]"
        for ev in [*(e.life_events or []), *e.life_events_ok]:
            if ev not in catalog.events:
                problems.append(f"{where}: unknown life event {ev!r}")
        for pid in [*e.must, *e.must_not, *e.due, *e.required, *e.not_required, *e.overdue, *e.not_overdue]:
            if pid not in procs:
                problems.append(f"{where}: unknown procedure {pid!r}")
        if set(e.must) & set(e.must_not):
            problems.append(
                f"{where}: procedures both required and forbidden: {sorted(set(e.must) & set(e.must_not))}"
            )
        for pid, day in e.due.items():
            if day is not None and pid in e.must_not:
                problems.append(f"{where}: due date for a forbidden procedure {pid!r}")
        if not muni_ok(e.municipality):
            problems.append(
                f"{where}: municipality {e.municipality!r} is not a catalog name (use the kanji name)"
            )
        for label, value in (("move_from", e.move_from), ("move_to", e.move_to)):
            if not muni_ok(value, place=True):
                problems.append(f"{where}: {label} {value!r} is neither a catalog name nor outside/abroad")
        if set(e.asks) & set(e.not_asked):
            problems.append(f"{where}: a fact both asked and not asked")
        if set(e.known) & set(e.unknown):
            problems.append(f"{where}: a fact both known and unknown")
        for fid in [*e.not_asked, *e.known, *e.asks, *e.unknown]:
            if fid not in catalog.facts:
                problems.append(f"{where}: unknown fact {fid!r}")
        if set(e.required) & set(e.not_required):
            problems.append(f"{where}: procedures both required and not required")
        if set(e.required) & set(e.must_not) or set(e.overdue) & set(e.must_not):
            problems.append(f"{where}: a forbidden procedure is also required or overdue")
        if set(e.overdue) & set(e.not_overdue):
            problems.append(f"{where}: procedures both overdue and not overdue")
        if e.not_asked_after >= len(c.turns):
            problems.append(f"{where}: not_asked_after is past the last turn")
        if e.no_procedures and (e.must or e.due):
            problems.append(f"{where}: no_procedures contradicts must/due")
        if set(e.facts) & set(e.wrong):
            problems.append(f"{where}: a fact is both required and wrong")
        for t in c.turns:
            if t.today and t.today < c.today:
                problems.append(f"{where}: a turn's today is before the case's today")
    return problems


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
