"""Domain models of the curated catalog (see knowledge/data/SCHEMA.md for the YAML they are read from)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["ja", "easy", "en"]  # easy: やさしい日本語 (falls back to ja)
LANGS: tuple[Lang, ...] = get_args(Lang)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Source(Strict):
    """A page a fact rests on. Its publisher and kind are derived from the host (knowledge/provenance.py)."""

    url: str
    title: str
    verified: dt.date  # the day we checked the fact against the page (not a date of the page)
    page_date: dt.date | None = None  # the date the page itself states (更新日/掲載日), when it states one

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError(f"source url must be http(s): {v!r}")
        return v


class Text(Strict):
    """Bilingual text; ``easy`` is やさしい日本語."""

    ja: str
    en: str | None = None
    easy: str | None = None

    def get(self, lang: Lang = "ja") -> str:
        if lang == "en":
            return self.en or self.ja
        if lang == "easy":
            return self.easy or self.ja
        return self.ja


class Sourced(Strict):
    sources: list[Source] = Field(default_factory=list)


class OfficeEntry(Strict):
    """A municipality's own window for resident registration and/or family registers."""

    name: str
    address: str | None = None
    phone: str | None = None
    handles: list[Literal["resident_registration", "family_register"]] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)


class Municipality(Sourced):
    code: str = Field(pattern=r"^13\d{4}$")
    name: str
    kana: str
    en: str
    kind: Literal["ward", "city", "town", "village"]
    website: str | None = None
    phone: str | None = None
    offices: list[OfficeEntry] = Field(default_factory=list)

    @property
    def short_en(self) -> str:
        """'Setagaya' from 'Setagaya City'."""
        for suffix in (" City", " Ward", " Town", " Village"):
            if self.en.endswith(suffix):
                return self.en[: -len(suffix)]
        return self.en


class Office(Sourced):
    id: str
    kind: Literal[
        "municipal",
        "pension",
        "tax",
        "hellowork",
        "legal_affairs",
        "family_court",
        "police",
        "metro",
        "online",
        "health_center",
        "other",
    ]
    name: Text
    url: str | None = None


class Document(Sourced):
    id: str
    name: Text
    notes: Text | None = None


class FactOption(Strict):
    value: str
    ja: str
    en: str
    easy: str | None = None  # the quick-reply label in やさしい日本語 (小学校 kanji, else kana)
    synonyms: list[str] = Field(default_factory=list)  # words residents use for this answer (ja and en)
    # words that answer the question with this option but state nothing unprompted ("company" to "which insurance?")
    answers: list[str] = Field(default_factory=list)
    yes_no: Literal["yes", "no"] | None = None  # a plain yes / no to the question means this option


class Fact(Strict):
    id: str
    type: Literal["choice", "bool", "int", "date", "municipality"]
    question: Text
    label: Text | None = None  # what a true/numeric value means, e.g. "世帯主だった" / "age"
    options: list[FactOption] = Field(default_factory=list)
    # how residents state it unprompted (regular expressions over NFKC, lower-case, hiragana-folded text)
    says_yes: list[str] = Field(default_factory=list)  # bool: patterns meaning true
    says_no: list[str] = Field(default_factory=list)  # bool: patterns meaning false
    number: list[str] = Field(default_factory=list)  # int: patterns whose first group is the number
    zero: list[str] = Field(
        default_factory=list
    )  # int: patterns meaning the number is 0 (「一人暮らしでした」)


class Condition(Strict):
    """A predicate over household facts. Exactly one form is used per node."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fact: str | None = None
    eq: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    gte: float | None = None
    lt: float | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [self.fact is not None, self.all is not None, self.any is not None, self.not_ is not None]
        if sum(forms) != 1:
            raise ValueError("a condition needs exactly one of fact/all/any/not")
        if (
            self.fact is not None
            and self.eq is None
            and self.in_ is None
            and self.gte is None
            and self.lt is None
        ):
            raise ValueError(f"condition on {self.fact!r} needs eq, in, gte or lt")
        return self

    def facts(self) -> set[str]:
        if self.fact is not None:
            return {self.fact}
        out: set[str] = set()
        for c in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            out |= c.facts()
        return out

    def evaluate(self, facts: dict[str, Any]) -> bool | None:
        """True/False when decidable from ``facts``; None when a needed fact is unknown."""
        if self.fact is not None:
            if facts.get(self.fact) is None:
                return None
            v = facts[self.fact]
            if self.eq is not None:
                return bool(v == self.eq)
            if self.in_ is not None:
                return v in self.in_
            ok = True
            if self.gte is not None:
                ok = ok and float(v) >= self.gte
            if self.lt is not None:
                ok = ok and float(v) < self.lt
            return ok
        if self.not_ is not None:
            r = self.not_.evaluate(facts)
            return None if r is None else not r
        results = [c.evaluate(facts) for c in (self.all or self.any or [])]
        if self.all is not None:
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False


Unit = Literal["day", "month", "year"]  # of a period: a deadline's, an offset's, one a resident states


class DeadlineRule(Sourced):
    trigger: Literal["event", "learned", "move", "funeral"] = "event"
    # the period when the event happened abroad (戸籍法86条: a death abroad, 3 months), counted the same way
    abroad: Offset | None = None
    length: int = Field(ge=0)
    unit: Unit
    counting: Literal["inclusive", "next_day"]
    direction: Literal["after", "before"] = "after"
    extend: bool = True
    text: Text
    late: Text | None = None  # after the last day: what to do now (only what the sources say)


class Online(Strict):
    url: str
    note: Text | None = None


class Amount(Sourced):
    label: Text
    yen: int = Field(ge=0)
    per: Text | None = None
    effective_from: dt.date | None = None
    valid_until: dt.date | None = None  # last day this amount applies (as the source states)


class Procedure(Sourced):
    id: str
    title: Text
    summary: Text
    who: Text | None = None
    office: str
    deadline: DeadlineRule | None = None
    opens: DeadlineRule | None = None
    documents: list[str] = Field(default_factory=list)
    online: Online | None = None
    conditions: Condition | None = None
    amounts: list[Amount] = Field(default_factory=list)
    legal_basis: str | None = None
    tags: list[str] = Field(default_factory=list)
    # validity in time, as the source states it: offered only for events on or after valid_from and on or
    # before valid_until (a programme that ended, or one that starts later, is never offered as current)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    # set on local programs (overrides/<code>.yaml programs:)
    events: list[str] = Field(default_factory=list)
    municipality: str | None = None


MoveStep = Literal["old", "new"]  # a step of a move: filed at the old or at the new municipality


class EventProcedure(Strict):
    id: str
    after: list[str] = Field(default_factory=list)
    when: Condition | None = None
    at: MoveStep | None = None  # moves: filed at the old or at the new municipality


class Offset(Strict):
    length: int = Field(
        ge=-366
    )  # negative: before the event (the pension claim opens the day before the birthday)
    unit: Unit


class Milestone(Sourced):
    id: str
    title: Text
    at: Offset
    text: Text | None = None
    # the milestone restates this procedure's deadline: its date is that deadline's (moved past closed days)
    deadline_of: str | None = None


class Synonyms(Strict):
    ja: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class LifeEvent(Strict):
    id: str
    name: Text
    synonyms: Synonyms = Field(default_factory=Synonyms)
    questions: list[str] = Field(default_factory=list)
    procedures: list[EventProcedure] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)


class LocalName(Sourced):
    name: Text


class ProcedurePatch(Sourced):
    """Fields of a baseline procedure replaced for one municipality."""

    title: Text | None = None
    summary: Text | None = None
    office_name: Text | None = None
    amounts: list[Amount] | None = None
    online: Online | None = None
    documents: list[str] | None = None


class Override(Strict):
    municipality: str
    windows: dict[str, LocalName] = Field(default_factory=dict)
    local_names: dict[str, LocalName] = Field(default_factory=dict)
    procedures: dict[str, ProcedurePatch] = Field(default_factory=dict)
    programs: list[Procedure] = Field(default_factory=list)


class Closure(Strict):
    start: str = Field(pattern=r"^\d{2}-\d{2}$")  # MM-DD
    end: str = Field(pattern=r"^\d{2}-\d{2}$")  # MM-DD, may wrap into the next year
    name: Text

    def contains(self, month: int, day: int) -> bool:
        md = f"{month:02d}-{day:02d}"
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


class OfficeCalendar(Sourced):
    """Closed days of municipal windows and the extension rule for deadlines (calendar.yaml)."""

    closures: list[Closure] = Field(default_factory=list)
    weekends: bool = True
    national_holidays: bool = True
    extension: Text
