from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.core import context
from elo.identity.models import User
from elo.interchange import presets, services

SHOWN_REJECTED = 20


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of people, organizations, activities or deals, "
        "or a vCard (.vcf) file of people."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--entity", required=True, choices=["people", "organizations", "activities", "deals"]
        )
        parser.add_argument(
            "--preset",
            default="",
            choices=["", *presets.PRESETS],
            help="the tool the file was exported from (default: detected from its headers)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="run the import and roll it back: the counts, nothing saved",
        )
        parser.add_argument(
            "--upsert-by",
            default="external_id",
            choices=["external_id", "email"],
            help="match existing records by external id (then email) or by email first",
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
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        with (
            context.acting(
                context.Actor(kind="user", user_id=actor.pk, label=f"{actor.email} (import)")
            ),
            path.open("rb") as stream,
        ):
            try:
                run = services.import_file(
                    actor=actor,
                    entity=options["entity"],
                    stream=stream,
                    filename=path.name,
                    preset=options["preset"],
                    upsert_by=options["upsert_by"],
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    skip_invalid=options["skip_invalid"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        self._report(run)

    def _report(self, run: Any) -> None:
        prefix = "Dry run, nothing saved: " if run.dry_run else ""
        preset = f" (preset {run.preset})" if run.preset else ""
        self.stdout.write(
            f"{prefix}{run.total_rows} rows{preset}: {run.created_count} created, "
            f"{run.updated_count} updated, {run.unchanged_count} unchanged, "
            f"{run.rejected_count} rejected ({run.batches_failed} of {run.batches} batches "
            "not loaded)."
        )
        for item in run.rejected[:SHOWN_REJECTED]:
            self.stdout.write(
                f"  line {item['line']}: {json.dumps(item['errors'], ensure_ascii=False)}"
            )
        if run.rejected_count > SHOWN_REJECTED:
            self.stdout.write(
                f"  ... and {run.rejected_count - SHOWN_REJECTED} more "
                f"(GET /api/v1/imports/{run.pk}/errors for all of them)."
            )
        if run.rejected_count:
            raise CommandError(f"{run.rejected_count} rows rejected.")
