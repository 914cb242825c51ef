from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.channels.email import services
from elo.core import context
from elo.identity.models import User


class Command(BaseCommand):
    help = "Take in mail: one .eml message or an mbox of many, from FILE or standard input (-)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .eml or mbox file, or - for standard input")
        parser.add_argument(
            "--as",
            dest="user",
            default="",
            help="acting user's email (default: ELO_EMAIL_INGEST_USER, else the first admin)",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="messages per transaction")

    def _ingest(self, actor: Any, batch: list[bytes], counts: dict[str, int]) -> None:
        for result in services.email_ingest_many(actor=actor, raws=batch, via="cli"):
            if result.refused:
                counts["failed"] += 1
                self.stderr.write(result.refused)
            elif result.created:
                counts["stored"] += 1
            elif result.message is not None:
                counts["duplicates"] += 1
            else:
                counts["skipped"] += 1

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            actor = User.objects.filter(email=options["user"].lower(), is_active=True).first()
        else:
            actor = services.ingest_actor()
        if actor is None:
            raise CommandError("No acting user: create an admin first or pass --as EMAIL.")
        if options["file"] == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"{path} does not exist.")
            data = path.read_bytes()
        stored = duplicates = skipped = failed = 0
        label = f"{actor.email} (ingest-email)"
        batch: list[bytes] = []
        counts = {"stored": 0, "duplicates": 0, "skipped": 0, "failed": 0}
        label = f"{actor.email} (ingest-email)"
        with context.acting(context.Actor(kind="user", user_id=actor.pk, label=label)):
            for raw in services.split_mbox(data):
                batch.append(raw)
                if len(batch) >= options["batch_size"]:
                    self._ingest(actor, batch, counts)
                    batch = []
            self._ingest(actor, batch, counts)
        stored, duplicates, skipped, failed = counts.values()
        self.stdout.write(
            f"{stored} stored, {duplicates} already stored, {skipped} not filed, {failed} failed"
        )
