from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
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
        with context.acting(context.Actor(kind="user", user_id=actor.pk, label=label)):
            for raw in services.split_mbox(data):
                try:
                    result = services.email_ingest(actor=actor, raw=raw, via="cli")
                except ValidationError as error:
                    failed += 1
                    self.stderr.write(" ".join(error.messages))
                    continue
                if result.created:
                    stored += 1
                elif result.message is not None:
                    duplicates += 1
                else:
                    skipped += 1
        self.stdout.write(
            f"{stored} stored, {duplicates} already stored, {skipped} not filed, {failed} failed"
        )
