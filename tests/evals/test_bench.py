"""The load benchmark against a real `concierge serve` on loopback: bounded, stops by itself, counts statuses."""

from __future__ import annotations

import time

import pytest

from evals import bench
from knowledge.settings import get_settings


def test_read_status_kb_reads_this_process() -> None:
    import os

    assert (bench.read_status_kb(os.getpid(), "VmHWM") or 0) > 0
    assert bench.read_status_kb(2**22 + 12345, "VmHWM") is None


@pytest.mark.slow
def test_short_load_run_against_a_real_server() -> None:
    started = time.perf_counter()
    result = bench.bench_load(get_settings(), residents=3, seconds=2.0, think_s=0.05)
    assert time.perf_counter() - started < 60
    assert result["requests"] > 0
    assert sum(result["statuses"].values()) == result["requests"]
    assert result["transport_errors"] == 0
    assert result["rss_start_mb"] and result["peak_rss_mb"] >= result["rss_start_mb"]
