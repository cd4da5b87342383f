"""Memory per worker (issue #17): malloc arenas capped for the server, the memory split the benchmark reports."""

from __future__ import annotations

import os

from evals.bench_scale import memory_split_mb
from web.workers import MALLOC_ARENAS, limit_malloc_arenas


def test_an_operators_malloc_arena_max_is_left_alone() -> None:
    env = {"MALLOC_ARENA_MAX": "8"}
    assert limit_malloc_arenas(env) is False
    assert env == {"MALLOC_ARENA_MAX": "8"}


def test_arenas_are_capped_here_and_for_the_workers_started_later() -> None:
    env: dict[str, str] = {}
    changed = limit_malloc_arenas(env)
    assert env["MALLOC_ARENA_MAX"] == str(MALLOC_ARENAS)  # read by spawned workers at their start
    assert changed is os.path.exists("/proc/self/maps")  # glibc on Linux (the CI image); elsewhere a no-op


def test_memory_split_of_a_process() -> None:
    split = memory_split_mb(os.getpid())
    assert split is not None
    assert 0 < split["private"] <= split["rss"] and 0 < split["file"] < split["rss"]
    assert 0 < split["pss"] <= split["rss"]
    assert memory_split_mb(2**22 + 12345) is None  # no such process
