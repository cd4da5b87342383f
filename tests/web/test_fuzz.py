"""Schema-driven fuzzing of the API against its own OpenAPI document (schemathesis strategies run by hypothesis).

Every generated request — valid or not — must get a documented status with a body matching the documented
schema, and never a 5xx other than the documented 503 (page search down).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from web_support import hashing_settings

from web.app import create_app

OPERATIONS = [
    ("POST", "/api/chat", 80),
    ("GET", "/api/procedures/{proc_id}", 25),
    ("GET", "/api/procedures", 25),
    ("GET", "/api/search", 25),
    ("GET", "/api/municipalities/{code}", 15),
]


@pytest.fixture(scope="module")
def api_schema(indexed_dir: Path):  # type: ignore[no-untyped-def]
    app = create_app(hashing_settings(indexed_dir, server={"rate_limit_per_minute": 0}))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize(("method", "path", "examples"), OPERATIONS)
def test_api_conforms_to_its_openapi_spec(api_schema, method: str, path: str, examples: int) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call()
        assert response.status_code < 500 or response.status_code == 503, response.text
        case.validate_response(response)

    run()


def test_the_schemas_not_blank_pattern_is_the_servers_strip() -> None:
    """Schemathesis once sent "\\x1d": valid for the old pattern \\S, blank for the server's str.strip (422). The
    published pattern and the server agree on every character Python counts as whitespace."""
    import re

    from web.app import NOT_BLANK

    for code in range(0x110000):
        ch = chr(code)
        assert bool(re.search(NOT_BLANK, ch)) == bool(ch.strip()), hex(code)
