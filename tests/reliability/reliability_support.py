"""Helpers for the fault tests: real processes (the `concierge` CLI, `chroma run`) on loopback, bounded in time."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

from servers import ChromaServer, ServerThread, free_port

__all__ = ["ChromaServer", "ServerThread", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
CLI = [sys.executable, "-m", "web.cli"]


def cli_env(**extra: str) -> dict[str, str]:
    """The test's environment (CONCIERGE_* isolated by tests/conftest.py) plus ``extra``."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **extra}


def run_cli(
    args: Sequence[str], env: dict[str, str], timeout: float = 60, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


class ProgressWatcher:
    """Run a command with stderr on a pseudo-terminal, so the CLI shows its progress bar, and read it as it goes."""

    def __init__(self, args: Sequence[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))  # tqdm needs a width
        self.master = master
        self.proc = subprocess.Popen(
            list(args), cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave
        )
        os.close(slave)
        self.output = ""

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """Read until ``pattern`` matches the newest output; fail after ``timeout`` seconds or if the process ends."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                try:
                    chunk = os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:  # the process closed the terminal
                    chunk = ""
                self.output += chunk
                # tqdm redraws one line with \r: look at the latest frames only
                for frame in reversed(re.split(r"[\r\n]", self.output)[-5:]):
                    m = rx.search(frame)
                    if m:
                        return m
                if not chunk and self.proc.poll() is not None:
                    break
            elif self.proc.poll() is not None:
                break
        raise AssertionError(f"{pattern!r} never appeared; output:\n{self.output[-2000:]}")

    def kill(self) -> int:
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=10)
        os.close(self.master)
        return code
