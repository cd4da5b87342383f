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


def test_deadlines_stated_by_the_tax_agency_cite_no_private_restatement(cat: Catalog) -> None:
    """国税庁's own pages state the 4-month and 10-month deadlines and the closed-day rule."""
    for pid in ("quasi-final-tax-return", "inheritance-tax-return"):
        deadline = cat.procedures[pid].deadline
        assert deadline is not None and deadline.sources
        assert all(is_official(s.url, cat) for s in deadline.sources), pid
    milestone = next(m for m in cat.events["death"].milestones if m.id == "inheritance-tax-10m")
    assert _official(cat, milestone.sources)


def test_setagaya_support_centre_name_rests_on_the_wards_page(cat: Catalog) -> None:
    local = cat.overrides["131121"].local_names["community-support-center"]
    assert local.name.ja == "あんしんすこやかセンター"
    assert local.sources and all(is_official(s.url, cat) for s in local.sources)


def test_unemployment_benefit_checklist_rests_on_hello_work(cat: Catalog) -> None:
    """Hello Work's own page lists what to bring; the personal blog that repeated it is no longer cited."""
    urls = [s.url for s in cat.procedures["unemployment-benefit"].sources]
    assert "https://jsite.mhlw.go.jp/hokkaido-hellowork/newpage_00575.html" in urls
    assert not any("tmtmtlog.com" in u for u in urls)
    photos = cat.documents["id-photos-hellowork"]
    assert _official(cat, photos.sources)


def test_care_cost_limit_rests_on_a_ward_page_not_a_read_aloud_proxy(cat: Catalog) -> None:
    sources = cat.procedures["care-cost-limit-certification"].sources
    assert sources and all(is_official(s.url, cat) for s in sources)


def test_pension_exemption_after_job_loss_rests_on_municipal_pages(cat: Catalog) -> None:
    sources = cat.procedures["pension-exemption-unemployment"].sources
    assert len(sources) >= 2 and all(is_official(s.url, cat) for s in sources)
