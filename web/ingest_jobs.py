"""Ingest started from the editor console: one background job at a time on a configured source, with progress.

Only configured sources can be run (``settings.seeds_dir`` and ``settings.editor.ingest_sources``), never a path
typed into a form. The job runs ``ingest.pipeline.run_ingest`` in a thread; its record lands in the runs list like
a CLI run. Job states live in memory (a restart forgets running jobs; their run records stay on disk).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from knowledge.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IngestJob:
    id: str
    source: str
    who: str
    status: str = "running"  # running | ok | failed | busy
    stage: str = "準備中"
    done: int = 0
    total: int = 0
    started: float = 0.0
    finished: float = 0.0
    run_id: str = ""
    summary: str = ""
    error: str = ""

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "percent": self.percent}


STAGES = {"pages": "ページの読み込み", "embedding": "ベクトル化"}


class IngestJobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: dict[str, IngestJob] = {}
        self._lock = threading.Lock()

    def sources(self) -> list[str]:
        out = [str(self.settings.seeds_dir)]
        out += [s for s in self.settings.editor.ingest_sources if s not in out]
        return out

    def running(self) -> IngestJob | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.status == "running"), None)

    def get(self, job_id: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, source: str, who: str) -> IngestJob:
        """Start a run on ``source`` (one of ``sources()``, else ValueError); a job already running is returned."""
        if source not in self.sources():
            raise ValueError("not a configured source")
        with self._lock:
            current = next((j for j in self._jobs.values() if j.status == "running"), None)
            if current is not None:
                return current
            job = IngestJob(id=secrets.token_hex(6), source=source, who=who, started=time.time())
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), name=f"ingest-{job.id}", daemon=True).start()
        return job

    def _run(self, job: IngestJob) -> None:
        from ingest.pipeline import IngestBusy, run_ingest

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = STAGES.get(stage, stage), done, total

        try:
            record = run_ingest(self.settings, [job.source], progress=False, on_progress=progress)
            job.run_id, job.summary = record.run_id, record.summary()
            job.status = "ok" if record.status in ("ok", "skipped") else "failed"
        except IngestBusy:
            job.status, job.error = "busy", "別の取り込みが実行中です。終わってからもう一度お試しください。"
        except Exception as err:  # the run record (if any) says more; the console shows the type and message
            log.exception("ingest job %s failed", job.id)
            job.status, job.error = "failed", f"{type(err).__name__}: {err}"
        job.finished = time.time()
        job.stage = "完了" if job.status == "ok" else "終了"


def started_jst(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%d %H:%M:%S JST")
