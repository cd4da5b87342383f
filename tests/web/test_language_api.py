"""Languages over HTTP: `lang: "easy"` (additive), Japanese error messages, saved bundles and pages in each language."""

from __future__ import annotations

import re

import icalendar
from web_support import AppFactory

from evals import metrics as M


def hard_kanji(text: str) -> list[str]:
    """Kanji runs beyond 小学校 kanji without a reading (the evaluation's own check)."""
    return M.non_easy_kanji(text)


def japanese_outside_brackets(text: str) -> str:
    return "".join(M.japanese_outside_brackets(text))


def consistent(text: str, lang: str) -> bool:
    return not M.language_problems([text], lang)


TODAY = "2026-12-07"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_chat_accepts_easy_and_answers_in_easy_japanese(make_client: AppFactory) -> None:
    c = make_client()
    r = c.post("/api/chat", json={"message": "子どもが生まれました", "lang": "easy", "today": TODAY})
    assert r.status_code == 200
    body = r.json()
    assert body["lang"] == "easy" and body["life_events"] == ["birth"]
    assert not hard_kanji(body["reply"]), body["reply"]
    assert all(not hard_kanji(p["title"]) for p in body["procedures"])


def test_kana_only_message_is_answered_in_easy_japanese(make_client: AppFactory) -> None:
    r = make_client().post("/api/chat", json={"message": "あかちゃん うまれた", "today": TODAY})
    assert r.status_code == 200 and r.json()["lang"] == "easy"


def test_unknown_lang_is_refused_with_a_japanese_message_too(make_client: AppFactory) -> None:
    r = make_client().post("/api/chat", json={"message": "子どもが生まれました", "lang": "fr"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["message"] and not JAPANESE.search(err["message"])
    assert JAPANESE.search(err["message_ja"])


def test_errors_carry_a_japanese_message(make_client: AppFactory) -> None:
    c = make_client(server={"max_message_chars": 20})
    r = c.post("/api/chat", json={"message": "子どもが生まれました。" * 5})
    assert r.status_code == 413
    assert r.json()["error"]["message_ja"] == "メッセージが長すぎます。短くして、もう一度送ってください。"
    missing = c.get("/api/bundles/ABCD2345")
    assert missing.status_code == 404 and "見つかりませんでした" in missing.json()["error"]["message_ja"]


def test_errors_carry_an_easy_japanese_message(make_client: AppFactory) -> None:
    """Every error code has a やさしい日本語 message (kana or 小学校 kanji), for easy pages and kana-only writers."""
    from web.errors import DEFAULT_MESSAGE_EASY, MESSAGES_EASY, MESSAGES_JA

    assert set(MESSAGES_EASY) == set(MESSAGES_JA)
    for code, text in [*MESSAGES_EASY.items(), ("default", DEFAULT_MESSAGE_EASY)]:
        assert JAPANESE.search(text) and not hard_kanji(text), (code, text)
    c = make_client(server={"max_message_chars": 20})
    err = c.post("/api/chat", json={"message": "こどもが うまれました。" * 5}).json()["error"]
    assert err["message_easy"] == MESSAGES_EASY["message_too_long"] != err["message_ja"]
    missing = c.get("/api/bundles/ABCD2345").json()["error"]
    assert missing["message_easy"] == MESSAGES_EASY["not_found"]


def test_saved_bundle_keeps_easy_and_renders_in_each_language(make_client: AppFactory) -> None:
    c = make_client()
    chat = c.post(
        "/api/chat",
        json={"message": "2026年12月1日に世田谷区で子どもが生まれました", "lang": "easy", "today": TODAY},
    ).json()
    code = c.post("/api/bundles", json={"session_id": chat["session_id"]}).json()["code"]
    easy = c.get(f"/api/bundles/{code}").json()
    assert easy["lang"] == "easy" and easy["title"].startswith("あかちゃんが うまれた")
    en = c.get(f"/api/bundles/{code}", params={"lang": "en"}).json()
    for p in en["procedures"]:
        assert not japanese_outside_brackets(p["title"] + p["office"] + " ".join(p["documents"])), p
    page = c.get(f"/bundles/{code}/print")
    assert page.status_code == 200 and '<html lang="ja">' in page.text
    assert "2026年12月14日" in page.text  # dates in words, not ISO
    assert "する てつづき" in page.text and "もって いく もの" in page.text  # the page's labels in easy too
    cal = icalendar.Calendar.from_ical(c.get(f"/bundles/{code}.ics").content)
    descriptions = [str(ev["DESCRIPTION"]) for ev in cal.walk("VEVENT")]
    assert descriptions and all(not re.search(r"\d{4}-\d{2}-\d{2}", d) for d in descriptions)
    assert any("きげん: 2026年12月14日" in d for d in descriptions)


def test_demo_page_embeds_the_widget_in_easy_japanese(make_client: AppFactory) -> None:
    html = make_client().get("/", params={"lang": "easy"}).text
    assert 'data-lang="easy"' in html and '<html lang="ja">' in html


def test_print_page_labels_exist_in_every_language() -> None:
    from web.routers.bundles import LABELS

    assert set(LABELS) == {"ja", "easy", "en"}
    assert all(set(LABELS[lang]) == set(LABELS["ja"]) for lang in LABELS)
    assert all(consistent(v, "easy") for v in LABELS["easy"].values())
    assert all(consistent(v, "en") for v in LABELS["en"].values())


def test_every_error_code_the_app_raises_has_a_japanese_message() -> None:
    import re as _re
    from pathlib import Path

    from web.errors import MESSAGES_JA

    root = Path(__file__).resolve().parents[2] / "web"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    codes = set(_re.findall(r'(?:ApiError|error_response)\(\s*\d+,\s*"([a-z_]+)"', source))
    assert codes and codes <= set(MESSAGES_JA), codes - set(MESSAGES_JA)


def test_catalog_and_search_routes_take_easy(make_client: AppFactory) -> None:
    """``lang=easy`` (the one ``Lang`` type) on the catalog reads and the staff search: the catalog's easy texts."""
    c = make_client()
    events = c.get("/api/life-events", params={"lang": "easy"})
    assert events.status_code == 200, events.text
    birth = next(e for e in events.json() if e["id"] == "birth")
    assert birth["name"] == "あかちゃんが うまれた"
    one = c.get("/api/life-events/birth", params={"lang": "easy"}).json()
    assert one["milestones"] and all(not hard_kanji(m) for m in one["milestones"]), one["milestones"]
    proc = c.get("/api/procedures/birth-registration", params={"lang": "easy", "municipality": "131121"})
    assert proc.status_code == 200 and proc.json()["title"] == "あかちゃんが うまれたことを とどけます"
    found = c.get("/api/search", params={"q": "児童手当", "lang": "easy"})
    assert found.status_code == 200, found.text
    assert found.json()["procedures"][0]["title"].startswith("こどもの てあて")
    assert c.get("/api/life-events", params={"lang": "fr"}).status_code == 422


def test_bundle_saved_in_english_opens_in_easy(make_client: AppFactory) -> None:
    c = make_client()
    chat = c.post(
        "/api/chat",
        json={"message": "2026年12月1日に世田谷区で子どもが生まれました", "lang": "en", "today": TODAY},
    ).json()
    code = c.post("/api/bundles", json={"session_id": chat["session_id"]}).json()["code"]
    assert c.get(f"/api/bundles/{code}").json()["lang"] == "en"
    easy = c.get(f"/api/bundles/{code}", params={"lang": "easy"})
    assert easy.status_code == 200, easy.text
    assert easy.json()["lang"] == "easy" and easy.json()["title"].startswith("あかちゃんが うまれた")
    for path in (f"/bundles/{code}/print", f"/bundles/{code}"):
        page = c.get(path, params={"lang": "easy"})
        assert page.status_code == 200 and '<html lang="ja">' in page.text
        assert "する てつづき" in page.text  # the page's labels in easy Japanese
