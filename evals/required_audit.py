"""Required-step audit (issue #14): every procedure the planner marks required for a neutral resident.

A neutral resident has the life event and nothing else said: no household facts, the municipality 世田谷区 and an
event date. For a move every kind of move is listed (until the kind is known the planner hides its variants). Each
procedure listed here must be owed by *every* resident with that event; the decisions are recorded in
``knowledge/data/gaps/required-audit-3.md``. Run::

    PYTHONPATH=$PWD python -m evals.required_audit            # a table, one line per required step
    PYTHONPATH=$PWD python -m evals.required_audit --json

Example::

    >>> rows = required_steps(default_catalog())
    >>> ("birth", None, "birth-registration") in {(r.event, r.move_scope, r.procedure) for r in rows}
    True
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import asdict, dataclass

from bot.planner import MoveScope, plan_bundle
from knowledge.catalog import Catalog, default_catalog

NEUTRAL_MUNICIPALITY = "131121"  # 世田谷区
NEUTRAL_DATE = dt.date(2026, 12, 1)
MOVE_SCOPES: tuple[MoveScope, ...] = (
    "within",
    "tokyo_to_tokyo",
    "into_tokyo",
    "out_of_tokyo",
    "abroad",
    "from_abroad",
)


@dataclass(frozen=True)
class RequiredStep:
    """One procedure the planner marks required for a neutral resident with ``event``."""

    event: str
    move_scope: str | None  # the kind of move (moving only)
    procedure: str
    title: str
    conditions: list[dict[str, object]]  # the procedure's and the event's conditions (all known to hold)
    tags: list[str]


def _scopes(event: str) -> tuple[MoveScope | None, ...]:
    return MOVE_SCOPES if event == "moving" else (None,)


def required_steps(
    catalog: Catalog, municipality: str = NEUTRAL_MUNICIPALITY, date: dt.date = NEUTRAL_DATE
) -> list[RequiredStep]:
    """The required procedures of every life event for a resident who said nothing but the event (and, for a
    move, its kind), in the planner's order."""
    rows: list[RequiredStep] = []
    for event in sorted(catalog.events):
        for scope in _scopes(event):
            facts = {"move_scope": scope} if scope else {}
            bundle = plan_bundle(
                catalog, [event], facts, municipality=municipality, event_date=date, today=date
            )
            rows += [
                RequiredStep(
                    event=event,
                    move_scope=scope,
                    procedure=item.procedure.id,
                    title=item.procedure.title.ja,
                    conditions=[c.model_dump(exclude_none=True, by_alias=True) for c in item.conditions],
                    tags=list(item.procedure.tags),
                )
                for item in bundle.items
                if item.status == "applies"
            ]
    return rows


def _table(rows: list[RequiredStep]) -> str:
    lines = [f"{'event':16} {'move':14} {'procedure':42} title / conditions"]
    for r in rows:
        conds = json.dumps(r.conditions, ensure_ascii=False) if r.conditions else "-"
        lines.append(f"{r.event:16} {r.move_scope or '':14} {r.procedure:42} {r.title}  {conds}")
    lines.append(f"{len(rows)} required steps")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per required step")
    args = parser.parse_args(argv)
    rows = required_steps(default_catalog())
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        print(_table(rows))


if __name__ == "__main__":
    main()
