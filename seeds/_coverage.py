"""Which life events the seed corpus covers, per municipality.

Run from the repository root with its virtualenv: python seeds/_coverage.py   (stdlib + PyYAML only)

A municipality x life-event cell is covered when a seed page of that municipality restates one of its pages about a
procedure the event triggers:
  _src/pages/<romaji>.yaml  the page's own `events:` list, else the `events:` of its topic in _src/_topics.yaml
  _src/catalog_pages.yaml   the events (knowledge/data/events/*.yaml) whose procedures include the page's procedure
Pages without a municipality (Tokyo-wide or national programmes) are counted under "tokyo".
"""

from __future__ import annotations

import glob
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "_src"
EVENTS_DIR = ROOT.parent / "knowledge" / "data" / "events"


def _load(path: Path | str):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def event_procedures() -> dict[str, set[str]]:
    """Life-event id -> ids of the procedures it triggers."""
    out = {}
    for f in sorted(glob.glob(str(EVENTS_DIR / "*.yaml"))):
        d = _load(f)
        out[d["id"]] = {p["id"] for p in d["procedures"]}
    return out


def coverage() -> tuple[dict[str, set[str]], dict[str, str]]:
    """(romaji -> covered event ids, romaji -> kind: ward|city|tokyo|...)."""
    events = event_procedures()
    topics = _load(SRC / "_topics.yaml")
    cov: dict[str, set[str]] = {}
    kind: dict[str, str] = {}
    for f in sorted(glob.glob(str(SRC / "pages" / "*.yaml"))):
        d = _load(f)
        muni = d["municipality"]
        kind[muni["romaji"]] = muni["kind"]
        got = cov.setdefault(muni["romaji"], set())
        for page in d["pages"]:
            listed = page.get("events")
            if listed is None and page.get("topic"):
                listed = topics[page["topic"]].get("events", [])
            unknown = set(listed or []) - set(events)
            if unknown:
                raise ValueError(f"{f}: page {page['slug']} names unknown life events {sorted(unknown)}")
            got.update(listed or [])
    for page in _load(SRC / "catalog_pages.yaml"):
        romaji = page["romaji"]
        if romaji not in kind:
            code = page.get("code")
            kind[romaji] = (
                "tokyo"
                if not code
                else ("ward" if code < "132000" else "city" if code < "133000" else "town-village")
            )
        got = cov.setdefault(romaji, set())
        got.update(e for e, procs in events.items() if page["id"] in procs)
    return cov, kind


def complete_municipalities() -> list[str]:
    """Municipalities (not the Tokyo-wide folder) with a page for every life event."""
    cov, kind = coverage()
    all_events = set(event_procedures())
    return sorted(r for r, got in cov.items() if kind[r] != "tokyo" and got >= all_events)


def report() -> str:
    cov, kind = coverage()
    events = sorted(event_procedures())
    lines = [f"life events: {len(events)}"]
    for romaji, got in sorted(cov.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        missing = [e for e in events if e not in got]
        lines.append(
            f"{romaji:16s} {kind[romaji]:6s} {len(got):2d}/{len(events)}  missing: {' '.join(missing) or '-'}"
        )
    done = complete_municipalities()
    lines.append(f"municipalities with every life event: {len(done)} ({', '.join(done) or '-'})")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
