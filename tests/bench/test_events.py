"""The event benchmark end to end on SQLite, small: real workers deliver every event to the
receiver, and the report counts them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_emitted_event_reaches_the_receiver(tmp_path: Path) -> None:
    before = set((REPO / "bench" / "results").glob("events-*.json"))
    completed = subprocess.run(
        [sys.executable, "-m", "bench.events", "--db", "sqlite", "--workers", "1",
         "--latency-events", "20", "--rate", "40", "--burst-events", "60"],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    [written] = set((REPO / "bench" / "results").glob("events-*.json")) - before
    [row] = json.loads(written.read_text())
    written.unlink()
    assert row["database"] == "sqlite" and row["workers"] == 1
    assert row["latency"]["delivered"] == 20 and 0 < row["latency"]["p50_ms"] < 60_000
    assert row["throughput"]["delivered"] == 60 and row["throughput"]["events_per_second"] > 0
