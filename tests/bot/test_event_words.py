"""Ways of saying that someone died that a resident uses and the concierge must read as the death event."""

import datetime as dt

import pytest

from bot.understand import Understander

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander()


@pytest.mark.parametrize(
    "text",
    [
        "世田谷区で12月1日に祖母が永眠しました",
        "父が昨日、息を引き取りました。練馬区です",
        "ははが えいみん しました",
        "I lost my father last week in Setagaya",
        "My mother passed on yesterday",
    ],
)
def test_a_death_said_in_other_words_is_the_death_event(understander: Understander, text: str) -> None:
    assert "death" in understander.parse(text, TODAY).events


@pytest.mark.parametrize("text", ["I lost my job in November", "財布を失くしました"])
def test_losing_a_job_or_a_thing_is_not_a_death(understander: Understander, text: str) -> None:
    assert "death" not in understander.parse(text, TODAY).events
