"""Helpers for the fault tests: real processes (the `concierge` CLI, `chroma run`) on loopback, bounded in time."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
CHROMA = Path(sys.executable).with_name("chroma")
CLI = [sys.executable, "-m", "web.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port P`; ready when GET /api/v2/heartbeat answers 200."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> ChromaServer:
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"chroma run did not become ready in {timeout} s")

    def stop(self) -> None:
        """SIGTERM (a clean stop), SIGKILL if it lingers."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class ServerThread:
    """The real app under uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: object) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
