"""The deadline-audit listing (evals/deadline_rules.py) covers every dated rule of the real catalog."""

from evals.deadline_rules import rule_lines
from knowledge.catalog import load_catalog


def test_every_dated_rule_is_listed_with_its_counting_and_sources() -> None:
    catalog = load_catalog()
    dated = [p for p in catalog.procedures.values() if p.deadline is not None]
    lines = rule_lines(catalog)
    assert len(lines) == len(dated)
    by_id = {line.split(" | ")[0]: line.split(" | ") for line in lines}
    birth = by_id["birth-registration"]
    assert birth[1:6] == ["birth", "event", "14 day after (abroad 3 month)", "inclusive", "extend=True"]
    assert "https://www.city.ota.tokyo.jp/" in birth[7]
    moving_in = by_id["moving-in-notice"]
    assert moving_in[2:5] == ["move", "14 day after", "next_day"]
    out = by_id["moving-out-notice"]
    assert out[6] == "opens 14 day before (next_day)"
