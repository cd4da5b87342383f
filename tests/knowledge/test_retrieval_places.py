"""Places steer page search: a municipality named in the query (kanji, kana, English) filters like the parameter,
Tokyo-wide pages stay; kana place names are read as places before the kana rewrite (issue #15)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from knowledge.retrieval import FusionConfig, build_searcher, place_names
from knowledge.settings import Settings, get_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PAGES = [  # a few committed seed pages of several municipalities and a Tokyo-wide one
    "edogawa/jukunen-soudanshitsu.html",
    "sumida/care-insurance-card.html",
    "sumida/late-elderly-faq.html",
    "shinagawa/pregnancy-support-payment-birth.html",
    "setagaya/funeral-benefit.html",
    "setagaya/birth-registration.html",
    "tokyo/tokyo-018-support.html",
]
SETAGAYA, SHINAGAWA, FUCHU, EDOGAWA = "131121", "131091", "132063", "131237"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("places")
    for rel in PAGES:
        (root / "pages" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEEDS / rel, root / "pages" / rel)
    settings = get_settings(data_dir=root / "var", embedding={"backend": "hashing"})
    rec = run_ingest(settings, [str(root / "pages")], progress=False)
    assert rec.status == "ok", rec.summary()
    return settings


def test_place_names_read_kanji_kana_and_english() -> None:
    places = place_names(get_settings())
    assert places.find("品川区の児童手当は第3子以降いくら") == SHINAGAWA
    assert places.find("ほいくえん もうしこみ しめきり せたがや") == SETAGAYA
    assert places.find("How much is the funeral benefit in Setagaya?") == SETAGAYA
    assert places.find("ふちゅうしで じどうてあて もらいたい") == FUCHU
    assert places.find("世田谷区から品川区に引っ越します") is None  # two places: no single filter
    # everyday words that contain a short place name are not places
    assert places.find("多摩地域の中央図書館") is None
    assert places.find("かぞくのなかの だれかが なくなった") is None
    assert places.read_kana("ふちゅうしで じどうてあて") == "府中市で じどうてあて"
    # Tokyo-wide (とうきょうと) steers to no municipality, and no 京都 is read into it
    assert places.find("とうきょうとの 018サポートは いくら もらえますか") is None
    assert "京都" not in places.read_kana("とうきょうとの 018サポートは いくら もらえますか")


def test_kana_place_is_read_before_the_kana_rewrite(indexed: Settings) -> None:
    searcher = build_searcher(indexed)
    loaded = searcher._current()
    assert loaded is not None
    dense, keyword = searcher.query_texts(loaded, "ふちゅうしで じどうてあて")
    assert dense.startswith("府中市で") and "ふ中" not in dense, dense
    assert "府中市" in keyword


def test_a_place_named_in_the_query_filters_like_the_parameter(indexed: Settings) -> None:
    searcher = build_searcher(indexed)
    unfiltered = build_searcher(indexed, fusion=FusionConfig(places_from_query=False))
    query = "品川区で赤ちゃんが生まれたときの出生届と支援"
    assert {h.municipality for h in unfiltered.search(query, k=10)} - {None, SHINAGAWA}  # others rank too
    hits = searcher.search(query, k=10)
    assert hits and {h.municipality for h in hits} <= {None, SHINAGAWA}
    assert any(h.municipality == SHINAGAWA for h in hits)
    assert any(h.municipality is None for h in hits)  # Tokyo-wide pages are kept
    # kana and English names steer the same way; a place without pages leaves only Tokyo-wide pages
    assert {h.municipality for h in searcher.search("じゅくねん そうだんしつ えどがわく", k=10)} <= {
        None,
        EDOGAWA,
    }
    assert {h.municipality for h in searcher.search("Setagaya birth registration", k=10)} <= {None, SETAGAYA}
    assert {h.municipality for h in searcher.search("ふちゅうしで じどうてあて", k=10)} <= {None, FUCHU}
    # the parameter still wins over the text
    assert {h.municipality for h in searcher.search(query, k=10, municipality=SETAGAYA)} <= {None, SETAGAYA}
