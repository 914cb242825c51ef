from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.identity.models import User
from elo.interchange.export_registry import ENTITIES, FORMATS, XLSX
from elo.interchange.exports import export_prepare, log_export, write_export


class Command(BaseCommand):
    help = (
        "Export a list (people, organizations, leads, deals, activities, quotes, orders, "
        "invoices, payments) as CSV or XLSX, people also as vCard 4.0 (vcf) and tasks and "
        "meetings as iCalendar (ics), with the list's filters, to a file or stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, choices=list(ENTITIES))
        parser.add_argument("--format", default="csv", choices=list(FORMATS))
        parser.add_argument("--output", "-o", default="-", help="file path, or - for stdout")
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a filter of the list, as in its query string (repeatable)",
        )
        parser.add_argument(
            "--user",
            "--as",
            dest="user",
            default="",
            help="acting user's email (default: the first admin)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            actor = User.objects.filter(email=options["user"].strip().lower()).first()
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No acting user: create an admin first or pass --user EMAIL.")
        params: dict[str, str] = {}
        for item in options["filters"]:
            key, sign, value = item.partition("=")
            if not sign or not key.strip():
                raise CommandError(f"Write each filter as KEY=VALUE, not {item!r}.")
            params[key.strip()] = value.strip()
        output = options["output"]
        if options["format"] == XLSX and output == "-":
            raise CommandError("An XLSX file is binary: name it with -o FILE.")
        try:
            export = export_prepare(
                actor=actor, entity=options["entity"], file_format=options["format"], params=params
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except PermissionDenied as error:
            raise CommandError(f"{actor.email} may not export: {error}") from error
        log_export(export)
        if output == "-":
            stdout = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(stdout, "buffer", None)
            if buffer is not None:
                write_export(export, buffer)
                buffer.flush()
                return
            from io import BytesIO

            content = BytesIO()
            write_export(export, content)
            self.stdout.write(content.getvalue().decode("utf-8"), ending="")
            return
        with open(output, "wb") as handle:
            write_export(export, handle)
        self.stderr.write(f"Exported {export.count} rows to {output}.")
