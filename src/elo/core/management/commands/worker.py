from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from elo.core import events, schedule


class Command(BaseCommand):
    help = "Run background tasks (database queue) and deliver outbox events, with retries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--poll", type=float, default=5.0, help="seconds between outbox sweeps")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def sweep() -> None:
            while not stop.wait(options["poll"]):
                close_old_connections()
                try:
                    events.deliver_pending()
                except Exception as error:  # keep sweeping; the next round retries
                    self.stderr.write(f"outbox sweep failed: {error}")
                try:
                    schedule.run_due()
                except Exception as error:  # each job's own errors are recorded on its row
                    self.stderr.write(f"scheduler failed: {error}")

        thread = threading.Thread(target=sweep, name="outbox-sweeper", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=1.0, queue_name="*")
        finally:
            stop.set()
