from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from elo import demo


class Command(BaseCommand):
    help = "Migrate, load the demo data (once), start the worker and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("ELO_PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="prepare the data and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        summary = demo.load()
        port = options["port"]
        self.stdout.write(summary)
        self.stdout.write(f"\nElo is at http://127.0.0.1:{port}/\n")
        self.stdout.write("Demo logins (password for all: " + demo.PASSWORD + "):")
        for email, role in demo.LOGINS:
            self.stdout.write(f"  {email:32} {role}")
        if options["no_serve"]:
            return
        worker = subprocess.Popen([sys.executable, "-m", "elo.cli", "worker"])
        server = subprocess.Popen([sys.executable, "-m", "elo.cli", "serve", "--port", str(port)])
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait()
        finally:
            worker.terminate()
            worker.wait()
