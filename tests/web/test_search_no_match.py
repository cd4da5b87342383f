"""Staff search (API and console): real 0-1 procedure scores, a place named in the query steers it, and below the
floors it says that nothing matched and whom to ask (issue #15)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from web_support import AppFactory, hashing_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_PAGES = [  # none about bulky garbage, as in the seed corpus
    "edogawa/jukunen-soudanshitsu.html",
    "sumida/care-insurance-card.html",
    "sumida/late-elderly-faq.html",
    "shinagawa/pregnancy-support-payment-birth.html",
    "setagaya/funeral-benefit.html",
    "setagaya/birth-registration.html",
    "tokyo/tokyo-018-support.html",
]


@pytest.fixture(scope="module")
def seed_like_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of a few seed pages (none about bulky garbage, as in the seed corpus)."""
    from ingest.pipeline import run_ingest

    base = tmp_path_factory.mktemp("no-match")
    for rel in SEED_PAGES:
        (base / "pages" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEEDS / rel, base / "pages" / rel)
    record = run_ingest(hashing_settings(base / "var"), [str(base / "pages")], progress=False)
    assert record.status == "ok", record.summary()
    return base / "var"


def test_nothing_matched_says_so_and_names_the_contact(make_client: AppFactory, seed_like_dir: Path) -> None:
    c = make_client(seed_like_dir, editor={"allow_open": True})  # the staff console without signing in (dev)
    body = c.get("/api/search", params={"q": "粗大ごみの出し方"}).json()
    assert body["procedures"] == [] and body["pages"] == [], body
    assert "一致する手続き・ページはありません" in body["no_match"]
    body = c.get("/api/search", params={"q": "粗大ごみの出し方", "municipality": "131121"}).json()
    assert (
        body["no_match"].startswith("「粗大ごみの出し方」")
        and "世田谷区（代表 03-5432-1111）" in body["no_match"]
    )
    en = c.get("/api/search", params={"q": "粗大ごみの出し方", "municipality": "131121", "lang": "en"}).json()
    assert en["no_match"].startswith("Nothing in the catalog") and "Setagaya City" in en["no_match"]
    html = c.get("/staff", params={"q": "粗大ごみの出し方"}).text
    assert 'id="no-match"' in html and "一致する手続き・ページはありません" in html


def test_procedure_scores_are_graded_not_all_one(make_client: AppFactory) -> None:
    c = make_client()
    procs = c.get("/api/search", params={"q": "葬祭費"}).json()["procedures"]
    assert {p["id"] for p in procs[:2]} == {"nhi-funeral-benefit", "late-elderly-funeral-benefit"}
    assert all(0.5 <= p["score"] <= 1.0 for p in procs)
    exact = c.get("/api/search", params={"q": "転入届"}).json()["procedures"]
    assert exact[0]["id"] == "moving-in-notice" and exact[0]["score"] == 1.0
    assert exact[-1]["score"] < 1.0
    asked = c.get("/api/search", params={"q": "児童手当 いくら"}).json()["procedures"]
    assert asked[0]["id"] == "child-allowance"


def test_a_place_in_the_query_steers_staff_search(make_client: AppFactory, seed_like_dir: Path) -> None:
    c = make_client(seed_like_dir)
    body = c.get("/api/search", params={"q": "世田谷区 出生届"}).json()
    assert body["municipality_code"] == "131121"
    assert body["pages"] and all(p["municipality_code"] in (None, "131121") for p in body["pages"])
