"""Starting and stopping gunicorn as the workload says, and sampling its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _parents() -> dict[int, int]:
    result = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat[stat.rfind(")") + 2 :].split()
        result[int(entry)] = int(fields[1])
    return result


def family(root: int) -> list[int]:
    """`root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    result, stack = [], [root]
    while stack:
        pid = stack.pop()
        result.append(pid)
        stack.extend(children.get(pid, []))
    return result


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class RssSampler:
    """VmRSS of a process tree every 0.2 s: the peak of the sum and the largest process."""

    root: int
    peak_sum_kib: int = 0
    peak_single_kib: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [rss_kib(pid) for pid in family(self.root)]
            self.peak_sum_kib = max(self.peak_sum_kib, sum(sizes))
            self.peak_single_kib = max(self.peak_single_kib, max(sizes, default=0))
            self.samples += 1
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1, no access log, DEBUG off."""

    def __init__(self, *, python: str, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            python,
            "-m",
            "gunicorn",
            "elo.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{self.port}",
            "--access-logfile",
            "/dev/null",
        ]
        self._env = env
        self._cwd = cwd
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.sampler: RssSampler | None = None

    def start(self, timeout: float = 60.0) -> None:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self._env, cwd=self._cwd, stdout=log, stderr=log
            )
        self.sampler = RssSampler(self.process.pid)
        self.sampler.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self._log}"
                )
            try:
                probe = f"{self.url}/api/v1/openapi.json"  # always http://127.0.0.1:<port>
                urllib.request.urlopen(probe, timeout=5).close()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self._log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.sampler is not None:
            self.sampler.stop()
