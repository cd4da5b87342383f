"""Facts resting only on non-official pages (knowledge/data/gaps/non-official-sources.md): the gaps file lists
exactly the local funeral amounts and support-centre names that still rest only on private pages or stored
copies, and a fact an official page states itself cites no private restatement."""

from __future__ import annotations

import re

import pytest

from knowledge.catalog import DATA_DIR, Catalog, load_catalog
from knowledge.check import is_official

GAPS = DATA_DIR / "gaps" / "non-official-sources.md"
STILL = "## Still resting on non-official pages"
AMOUNT_GROUPS = ("nhi-funeral-benefit", "late-elderly-funeral-benefit")
ROW = re.compile(r"^\| `(13\d{4}\.[a-z-]+)` \|", re.M)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def _official(cat: Catalog, sources: list) -> bool:  # type: ignore[type-arg]
    return any(is_official(s.url, cat) for s in sources)


def unofficial_local_facts(cat: Catalog) -> set[str]:
    """'<code>.<id>' of each override funeral amount or support-centre name with no official source."""
    out: set[str] = set()
    for code, ov in cat.overrides.items():
        for pid in AMOUNT_GROUPS:
            patch = ov.procedures.get(pid)
            if patch and patch.amounts and not all(_official(cat, a.sources) for a in patch.amounts):
                out.add(f"{code}.{pid}")
        local = ov.local_names.get("community-support-center")
        if local and not _official(cat, local.sources):
            out.add(f"{code}.community-support-center")
    return out


def listed_as_still_unofficial() -> set[str]:
    text = GAPS.read_text(encoding="utf-8")
    assert STILL in text
    section = text.split(STILL, 1)[1].split("\n## ", 1)[0]
    return set(ROW.findall(section))


def test_the_gaps_file_lists_every_local_fact_still_resting_on_private_pages(cat: Catalog) -> None:
    facts = unofficial_local_facts(cat)
    assert facts, "every local funeral amount and centre name is official now: retire this list"
    listed = listed_as_still_unofficial()
    assert facts - listed == set(), "rests on non-official pages but is not recorded in the gaps file"
    assert listed - facts == set(), "recorded as non-official but an official page is cited now"


def test_setagaya_support_centre_name_rests_on_the_wards_page(cat: Catalog) -> None:
    local = cat.overrides["131121"].local_names["community-support-center"]
    assert local.name.ja == "あんしんすこやかセンター"
    assert local.sources and all(is_official(s.url, cat) for s in local.sources)
