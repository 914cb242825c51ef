from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.core import context
from elo.identity.models import User
from elo.interchange import services


class Command(BaseCommand):
    help = (
        "Import a CSV file of people, organizations, activities or deals, "
        "or a vCard (.vcf) file of people."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--entity", required=True, choices=["people", "organizations", "activities", "deals"]
        )
        parser.add_argument(
            "--as", dest="user", default="", help="acting user's email (default: first admin)"
        )
        parser.add_argument("--batch-size", type=int, default=services.DEFAULT_BATCH)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="load the valid rows of a batch with rejected rows",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            actor = User.objects.filter(email=options["user"].lower()).first()
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No acting user: create an admin first or pass --as EMAIL.")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if services.is_vcard(path.name):
            with context.acting(
                context.Actor(kind="user", user_id=actor.pk, label=f"{actor.email} (import)")
            ):
                try:
                    run = services.import_vcard(
                        actor=actor,
                        entity=options["entity"],
                        data=path.read_bytes(),
                        filename=path.name,
                        batch_size=options["batch_size"],
                        skip_invalid=options["skip_invalid"],
                    )
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from error
            self._report(run)
            return
        with (
            context.acting(
                context.Actor(kind="user", user_id=actor.pk, label=f"{actor.email} (import)")
            ),
            path.open(encoding="utf-8-sig", newline="") as stream,
        ):
            try:
                run = services.import_csv(
                    actor=actor,
                    entity=options["entity"],
                    stream=stream,
                    filename=path.name,
                    batch_size=options["batch_size"],
                    skip_invalid=options["skip_invalid"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        self._report(run)

    def _report(self, run: Any) -> None:
        self.stdout.write(
            f"{run.total_rows} rows: {run.created_count} created, {run.updated_count} updated, "
            f"{run.unchanged_count} unchanged, {run.rejected_count} rejected "
            f"({run.batches_failed} of {run.batches} batches not loaded)."
        )
        for item in run.rejected[:50]:
            self.stdout.write(
                f"  line {item['line']}: {json.dumps(item['errors'], ensure_ascii=False)}"
            )
        if run.rejected_count:
            raise CommandError(f"{run.rejected_count} rows rejected.")
