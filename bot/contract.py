"""The chat contract (docs/ARCHITECTURE.md): request and response of `POST /api/chat` and `concierge ask --json`.

Change only additively: evaluations and other tools depend on these fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="What the resident wrote.")
    session_id: str | None = Field(None, max_length=64, description="Continue this session.")
    today: dt.date | None = Field(None, description="Reference date for relative dates and deadlines.")
    lang: Literal["ja", "easy", "en"] | None = Field(
        None, description="Reply language: ja, easy (やさしい日本語, additive) or en (default: detected)."
    )
    municipality: str | None = Field(
        None, max_length=16, description="Additive: municipality code preset by the embedding page (widget)."
    )


SourceKind = Literal["municipal", "metropolitan", "national", "public-body", "copy-of-official", "private"]


class SourceRef(BaseModel):
    url: str
    title: str
    verified: dt.date | None = Field(None, description="When the fact was checked against the page.")
    # additive (provenance): who really published the page, derived from knowledge/data/publishers.yaml
    publisher: str | None = Field(None, description="Who published the page (name).")
    kind: SourceKind | None = Field(None, description="Publisher kind; only the first four are official.")
    page_date: dt.date | None = Field(None, description="The date the page itself states, if any.")
    reference: bool = Field(
        False, description="True when the page belongs to another municipality than the card's (参考)."
    )
    badge: str | None = Field(
        None,
        description="What the resident sees and hears: kind label (公式 / 公的機関 / 非公式・要確認 / 保存コピー).",
    )


class DeadlineOut(BaseModel):
    text: str = Field(description="The rule in words, e.g. 生まれた日を含めて14日以内.")
    due: dt.date | None = Field(None, description="Computed due date when the event date is known.")
    explanation: str | None = Field(
        None, description="How the date was computed (extensions for closed days)."
    )
    opens: dt.date | None = Field(None, description="Earliest date, for windows that open before the event.")
    overdue: bool = Field(False, description="Additive: the due date is already past on the request's today.")
    late: str | None = Field(None, description="Additive: what to do now when the deadline has passed.")


class AmountOut(BaseModel):
    label: str
    yen: int
    sources: list[SourceRef] = Field(default_factory=list)
    confirmed: bool = Field(True, description="False when no official page confirms the amount.")


class ProcedureOut(BaseModel):
    id: str
    title: str
    office: str
    municipality: str | None = None
    deadline: DeadlineOut | None = None
    documents: list[str] = Field(default_factory=list)
    online_url: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)
    # additive fields
    summary: str | None = None
    why: str | None = Field(None, description="Why this applies.")
    conditional: str | None = Field(
        None, description="'Might also apply if …' when a needed fact is unknown."
    )
    amounts: list[AmountOut] = Field(default_factory=list)
    life_event: str | None = None
    step: Literal["old", "new", "both"] | None = Field(
        None, description="For moves: at the old or new place."
    )
    visit: str | None = Field(None, description="Group key: procedures done at the same office visit.")
    unconfirmed: str | None = Field(
        None,
        description="Facts of this card that rest only on non-official pages, and where to confirm them.",
    )


class Citation(BaseModel):
    url: str
    title: str
    snippet: str
    # additive (provenance), as on SourceRef
    publisher: str | None = None
    kind: SourceKind | None = None
    page_date: dt.date | None = None
    verified: dt.date | None = Field(None, description="Pages are not checked fact by fact: null.")
    reference: bool = False
    badge: str | None = None


class MilestoneOut(BaseModel):
    id: str
    title: str
    date: dt.date | None = None
    text: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)


class QuickReply(BaseModel):
    fact: str
    label: str
    value: str


class ChatResponse(BaseModel):
    session_id: str
    reply: str
    life_events: list[str] = Field(default_factory=list)
    municipality: str | None = None
    procedures: list[ProcedureOut] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    follow_up: list[str] = Field(default_factory=list)
    # additive fields
    lang: Literal["ja", "easy", "en"] = "ja"
    municipality_code: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    checklist: list[str] = Field(default_factory=list, description="Documents to bring, once each.")
    quick_replies: list[QuickReply] = Field(default_factory=list)
    milestones: list[MilestoneOut] = Field(default_factory=list)
    facts: dict[str, object] = Field(default_factory=dict, description="What is known (no free text).")
    outside_places: dict[str, str] = Field(
        default_factory=dict,
        description="Additive: places outside Tokyo named by the resident, by role (here/from/to), e.g. 大阪府大阪市北区.",
    )
