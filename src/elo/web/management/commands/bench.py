from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def find_checkout(start: Path) -> Path | None:
    """The Elo checkout holding `start`: the nearest folder with bench/run.py and pyproject.toml."""
    for folder in (start, *start.parents):
        if (folder / "bench" / "run.py").is_file() and (folder / "pyproject.toml").is_file():
            return folder
    return None


class Command(BaseCommand):
    help = (
        "Run the standard CRM benchmark workload (bench/run.py) on SQLite and PostgreSQL and "
        "write docs/benchmarks.md. Run it inside an Elo checkout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="smoke test, NOT the standard workload (-d3s, 1 load, 1 repetition, data / 10)",
        )
        parser.add_argument("--duration", help="wrk -d per run (standard: 20s)")
        parser.add_argument("--repetitions", type=int, help="standard: 3")
        parser.add_argument("--loads", type=int, help="standard: 3")
        parser.add_argument("--divisor", type=int, help="divide the row counts (standard: 1)")
        parser.add_argument("--code", choices=["checkout", "head"], default="checkout")
        parser.add_argument("--keep", action="store_true", help="keep the databases")
        parser.add_argument("--no-docs", action="store_true", help="leave docs/ alone")
        parser.add_argument(
            "--events",
            action="store_true",
            help="instead: event-to-webhook latency and worker throughput (bench/events.py)",
        )
        parser.add_argument("--workers", type=int, help="with --events: worker processes (2)")

    def handle(self, *args: Any, **options: Any) -> None:
        checkout = find_checkout(Path.cwd())
        if checkout is None:
            raise CommandError(
                "elo bench runs from an Elo source checkout (it needs bench/run.py); "
                f"none found at or above {Path.cwd()}."
            )
        if options["events"]:
            argv = [sys.executable, "-m", "bench.events", "--db", options["db"]]
            if options["workers"]:
                argv += ["--workers", str(options["workers"])]
            if options["keep"]:
                argv.append("--keep")
            self._run(argv, checkout)
            return
        argv = [sys.executable, "-m", "bench.run", "--db", options["db"]]
        argv += ["--code", options["code"]]
        for name in ("duration", "repetitions", "loads", "divisor"):
            if options[name] is not None:
                argv += [f"--{name}", str(options[name])]
        for name in ("quick", "keep", "no_docs"):
            if options[name]:
                argv.append("--" + name.replace("_", "-"))
        self._run(argv, checkout)

    def _run(self, argv: list[str], checkout: Path) -> None:
        completed = subprocess.run(argv, cwd=checkout, check=False)
        if completed.returncode:
            raise CommandError(f"The benchmark failed (exit status {completed.returncode}).")
