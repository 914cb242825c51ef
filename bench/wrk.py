"""Running wrk (Debian's 4.1.0) with the workload's settings and the script in workload.lua."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

WRK = "/usr/bin/wrk"
SCRIPT = Path(__file__).with_name("workload.lua")
CLIENTS = {1: ("-t1", "-c1"), 8: ("-t2", "-c8")}


def version() -> str:
    completed = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)
    return (completed.stdout or completed.stderr).splitlines()[0].strip()


def command(
    *,
    url: str,
    op: str,
    clients: int,
    duration: str,
    token: str,
    organization: int,
    contacts: int,
    pipeline: int | None = None,
) -> list[str]:
    threads, connections = CLIENTS[clients]
    argv = [WRK, threads, connections, f"-d{duration}", "--timeout", "30s", "-s", str(SCRIPT)]
    argv += [url, "--", op, token, str(organization), str(contacts)]
    return argv if pipeline is None else [*argv, str(pipeline)]


def run(
    *,
    url: str,
    op: str,
    clients: int,
    duration: str,
    token: str,
    organization: int,
    contacts: int = 100_000,
    pipeline: int | None = None,
    log: Path,
) -> dict[str, Any]:
    """One wrk run; the figures printed by the script's done(), plus wrk's own output."""
    argv = command(
        url=url,
        op=op,
        clients=clients,
        duration=duration,
        token=token,
        organization=organization,
        contacts=contacts,
        pipeline=pipeline,
    )
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    shown = [part if part != token else "<token>" for part in argv]
    log.write_text(f"$ {' '.join(shown)}\n{completed.stdout}{completed.stderr}", encoding="utf-8")
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            result["command"] = " ".join(shown)
            return result
    raise RuntimeError(f"wrk printed no result (exit {completed.returncode}); see {log}")
