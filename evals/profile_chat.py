"""Profile chat turns in-process with pyinstrument (a dev tool: `pip install pyinstrument`).

    CONCIERGE_DATA_DIR=var python -m evals.profile_chat [N]

Builds the services, answers one page question to pay the one-time loads, then profiles N distinct first turns
(``evals.bench_scale.distinct_messages``) and prints the call tree and the mean time per turn.
"""

from __future__ import annotations

import sys
import time


def main(n: int = 40) -> None:
    from pyinstrument import Profiler

    from bot.contract import ChatRequest
    from evals.bench_scale import distinct_messages
    from knowledge.settings import get_settings
    from web.services import build_services

    concierge = build_services(get_settings()).concierge
    concierge.chat(
        ChatRequest(
            message="世田谷区で子どもが生まれました。出生届はいつまでに出せばいいですか？", today="2026-11-26"
        )
    )
    messages = distinct_messages(n, offset=1000)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for m in messages:
        concierge.chat(ChatRequest(message=m, today="2026-11-26"))
    profiler.stop()
    print(f"{(time.perf_counter() - started) / n * 1000:.1f} ms per turn over {n} distinct first turns")
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
