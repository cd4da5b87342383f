"""Print every dated rule of the catalog, one line each, for the deadline audit (issue #14).

    PYTHONPATH=$PWD python -m evals.deadline_rules

Columns: procedure id | events listing it | trigger | period | counting | extend | opens | source URLs.
The audit itself (each rule checked against official pages) is knowledge/data/gaps/deadline-audit.md.
"""

from __future__ import annotations

from knowledge.catalog import Catalog, load_catalog
from knowledge.models import DeadlineRule


def _period(rule: DeadlineRule) -> str:
    text = f"{rule.length} {rule.unit} {rule.direction}"
    if rule.abroad is not None:
        text += f" (abroad {rule.abroad.length} {rule.abroad.unit})"
    return text


def _events_of(catalog: Catalog) -> dict[str, list[str]]:
    """Procedure id -> ids of the life events that list it."""
    listed: dict[str, list[str]] = {}
    for event in catalog.events.values():
        for entry in event.procedures:
            listed.setdefault(entry.id, []).append(event.id)
    return listed


def rule_lines(catalog: Catalog) -> list[str]:
    """One line per procedure with a deadline, in catalog order."""
    events = _events_of(catalog)
    lines = []
    for proc in catalog.procedures.values():
        rule = proc.deadline
        if rule is None:
            continue
        opens = proc.opens
        opens_text = f"opens {_period(opens)} ({opens.counting})" if opens else "-"
        urls = " ".join(s.url for s in rule.sources)
        lines.append(
            " | ".join(
                [
                    proc.id,
                    ",".join(events.get(proc.id, [])) or "-",
                    rule.trigger,
                    _period(rule),
                    rule.counting,
                    f"extend={rule.extend}",
                    opens_text,
                    urls,
                ]
            )
        )
    return lines


def main() -> None:
    for line in rule_lines(load_catalog()):
        print(line)


if __name__ == "__main__":
    main()
