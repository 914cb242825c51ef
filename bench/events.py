"""Event-to-webhook latency and worker throughput, on SQLite and PostgreSQL.

For each database: a fresh database is migrated, a webhook subscription points at a receiver
on 127.0.0.1 (allow-listed for the run), and `elo worker` processes run as in production.
Then two measurements, each counted by what the receiver acknowledged:

- latency: events are emitted one per transaction at a steady rate well below capacity; the
  latency of an event is the time from its commit (the `timestamp` in the webhook body, taken
  when the outbox row is written) to the receiver's 2xx; p50, p95 and max are reported.
- throughput: a burst of events is committed at once; throughput is the number of events
  over the seconds from the commit to the last acknowledgement.

Usage: `elo bench --events [--db sqlite|postgres|both] [--workers N] [--rate R]
[--latency-events N] [--burst-events N]`. Results go to bench/results/events-<stamp>.json and
print as a table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import databases
from bench.server import free_port

REPO = Path(__file__).resolve().parent.parent
EMITTER = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elo.settings")
django.setup()
from django.db import transaction
from elo.core import events
mode, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
if mode == "steady":
    gap = 1.0 / rate
    start = time.monotonic()
    for number in range(count):
        with transaction.atomic():
            events.emit("contacts.person.created", {"id": number, "mode": mode})
        delay = start + (number + 1) * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
else:
    with transaction.atomic():
        events.emit_many(
            "contacts.person.created", [{"id": number, "mode": mode} for number in range(count)]
        )
print("emitted", count, flush=True)
"""
EVENT = "contacts.person.created"
SETUP = (
    f"EVENT = {EVENT!r}\n"
    + """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elo.settings")
django.setup()
from elo.identity.services import user_create
from elo.core.context import Actor, acting
from elo.webhooks import services
with acting(Actor(kind="system", label="bench")):
    admin = user_create(
        actor=None, email="bench@example.com", password="bench-events-pass-1", role="admin"
    )
    services.subscription_create(
        actor=admin, url=os.environ["BENCH_RECEIVER"], event_types=[EVENT]
    )
"""
)


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[bench events {stamp}] {message}", flush=True)


class Receiver:
    """A webhook receiver on 127.0.0.1 that notes when each event arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, int], tuple[float, str]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                now = time.time()
                data = body.get("data") or {}
                key = (str(data.get("mode")), int(data.get("id", -1)))
                with receiver.lock:
                    receiver.arrivals.setdefault(key, (now, str(body.get("timestamp"))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def count(self, mode: str) -> int:
        with self.lock:
            return sum(1 for key in self.arrivals if key[0] == mode)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()


def _environment(url: str, data_dir: Path, receiver: Receiver) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ELO_DATABASE_URL": url,
            "ELO_DATA_DIR": str(data_dir),
            "ELO_WEBHOOK_ALLOWED_HOSTS": receiver.url.split("/")[2],
            "BENCH_RECEIVER": receiver.url,
            "ELO_LOG_LEVEL": "ERROR",
        }
    )
    env.pop("ELO_TASKS_BACKEND", None)
    return env


def _wait_for(receiver: Receiver, mode: str, count: int, timeout: float) -> float:
    """Seconds until the receiver holds `count` events of `mode` (or the timeout)."""
    start = time.monotonic()
    while receiver.count(mode) < count and time.monotonic() - start < timeout:
        time.sleep(0.05)
    return time.monotonic() - start


def _latencies(receiver: Receiver, mode: str) -> list[float]:
    result = []
    with receiver.lock:
        items = [value for key, value in receiver.arrivals.items() if key[0] == mode]
    for arrived, stamp in items:
        sent = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        result.append((arrived - sent) * 1000)
    return sorted(result)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(share * len(values)) - 1))
    return values[index]


def run_one(kind: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    database = databases.database(kind, folder)
    name = f"events_{os.getpid()}"
    database.drop(name)
    database.create(name)
    url = database.url(name)
    python = sys.executable
    elo = str(Path(sys.executable).parent / "elo")
    workers: list[subprocess.Popen[bytes]] = []
    with Receiver() as receiver:
        env = _environment(url, folder, receiver)
        log(f"{kind}: migrating")
        subprocess.run([elo, "migrate"], env=env, check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([python, "-c", SETUP], env=env, check=True, cwd=REPO)
        try:
            for number in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        [
                            elo,
                            "worker",
                            "--poll",
                            "1",
                            "--interval",
                            "0.1",
                            "--worker-id",
                            f"bench-{number}",
                        ],
                        env=env,
                        cwd=REPO,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(3)  # workers up
            log(f"{kind}: {args.latency_events} events at {args.rate}/s")
            subprocess.run(
                [python, "-c", EMITTER, "steady", str(args.latency_events), str(args.rate)],
                env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            _wait_for(receiver, "steady", args.latency_events, timeout=120)
            latencies = _latencies(receiver, "steady")
            log(f"{kind}: a burst of {args.burst_events} events")
            started = time.monotonic()
            subprocess.run(
                [python, "-c", EMITTER, "burst", str(args.burst_events), "0"],
                env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            committed = time.monotonic()
            waited = _wait_for(receiver, "burst", args.burst_events, timeout=600)
            delivered = receiver.count("burst")
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
    if not args.keep:
        database.drop(name)
    return {
        "database": kind,
        "database_version": database.version(),
        "workers": args.workers,
        "latency": {
            "events": args.latency_events,
            "rate_per_second": args.rate,
            "delivered": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(_percentile(latencies, 0.95), 1),
            "max_ms": round(latencies[-1], 1) if latencies else None,
        },
        "throughput": {
            "events": args.burst_events,
            "delivered": delivered,
            "commit_seconds": round(committed - started, 2),
            "seconds": round(waited, 2),
            "events_per_second": round(delivered / waited, 1) if waited else None,
        },
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="elo bench --events", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="elo worker processes (2)")
    parser.add_argument("--rate", type=float, default=20.0, help="events a second (20)")
    parser.add_argument("--latency-events", type=int, default=400)
    parser.add_argument("--burst-events", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    with tempfile.TemporaryDirectory(prefix="elo-bench-events-") as temp:
        for kind in kinds:
            results.append(run_one(kind, args, Path(temp)))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = REPO / "bench" / "results" / f"events-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("database     workers  latency p50  p95      max      burst  events/s")
    for row in results:
        latency, burst = row["latency"], row["throughput"]
        print(
            f"{row['database']:<12} {row['workers']:<8} {latency['p50_ms']:>8} ms "
            f"{latency['p95_ms']:>6} ms {latency['max_ms']:>6} ms "
            f"{burst['delivered']:>6} {burst['events_per_second']:>8}"
        )
    log(f"results in {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
