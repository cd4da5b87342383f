"""Profile chat turns in-process with cProfile (stdlib) or pyinstrument (a dev tool: `pip install pyinstrument`).

    CONCIERGE_DATA_DIR=var python -m evals.profile_chat [N] [--pyinstrument | --plain] [--top K]

Builds the services, answers one page question to pay the one-time loads, then profiles N distinct first turns
(``evals.bench_scale.distinct_messages``) and prints the mean CPU and wall time per turn and the functions that
take it (cProfile: sorted by own time, then by cumulative time). ``--plain`` measures CPU per turn without a profiler
(after 20 more distinct warm-up turns, so one-time imports are paid).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time


def _concierge() -> object:
    from bot.contract import ChatRequest
    from knowledge.settings import get_settings
    from web.services import build_services

    concierge = build_services(get_settings()).concierge
    concierge.chat(
        ChatRequest(
            message="世田谷区で子どもが生まれました。出生届はいつまでに出せばいいですか？", today="2026-11-26"
        )
    )
    return concierge


def _report(stats: pstats.Stats, top: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(n: int = 40, pyinstrument: bool = False, top: int = 40, plain: bool = False) -> None:
    from bot.contract import ChatRequest
    from evals.bench_scale import distinct_messages

    concierge = _concierge()
    messages = distinct_messages(n, offset=1000)
    if plain:
        for m in distinct_messages(20, offset=2000):
            concierge.chat(ChatRequest(message=m, today="2026-11-26"))  # type: ignore[attr-defined]
    started, cpu = time.perf_counter(), time.process_time()
    if plain:
        for m in messages:
            concierge.chat(ChatRequest(message=m, today="2026-11-26"))  # type: ignore[attr-defined]
        text = ""
    elif pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for m in messages:
            concierge.chat(ChatRequest(message=m, today="2026-11-26"))  # type: ignore[attr-defined]
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False)
    else:
        prof = cProfile.Profile()
        prof.enable()
        for m in messages:
            concierge.chat(ChatRequest(message=m, today="2026-11-26"))  # type: ignore[attr-defined]
        prof.disable()
        text = _report(pstats.Stats(prof), top)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU per turn over {n} distinct first turns"
    )
    print(text)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=40)
    ap.add_argument("--pyinstrument", action="store_true")
    ap.add_argument("--plain", action="store_true", help="no profiler: CPU and wall time per turn only")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    main(a.n, a.pyinstrument, a.top, a.plain)
