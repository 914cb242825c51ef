from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.contacts.filters import RecordFilter
from elo.identity.models import User
from elo.interchange.exports import export_people_vcards, export_rows


class Command(BaseCommand):
    help = (
        "Export people, organizations or deals as CSV (Elo's own columns), or people as "
        "vCard 4.0 (--format vcf), to a file or stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, choices=["people", "organizations", "deals"])
        parser.add_argument(
            "--as", dest="user", default="", help="acting user's email (default: first admin)"
        )
        parser.add_argument("--output", "-o", default="-", help="file path, or - for stdout")
        parser.add_argument("--format", default="csv", choices=["csv", "vcf"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            actor = User.objects.filter(email=options["user"].lower()).first()
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No acting user: create an admin first or pass --as EMAIL.")
        if options["format"] == "vcf":
            if options["entity"] != "people":
                raise CommandError("vCard export holds people: use --entity people.")
            cards = export_people_vcards(actor=actor, filters=RecordFilter())
            if options["output"] == "-":
                for card in cards:
                    self.stdout.write(card, ending="")
                return
            with open(options["output"], "w", newline="", encoding="utf-8") as handle:
                handle.writelines(cards)
            return
        rows = export_rows(actor=actor, entity=options["entity"], filters=RecordFilter())
        if options["output"] == "-":
            csv.writer(sys.stdout).writerows(rows)
            return
        with open(options["output"], "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
