from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.identity import services
from elo.identity.models import Team


class Command(BaseCommand):
    help = "Add a user who signs in with an email and password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--role",
            default="sales_rep",
            help="admin, manager, sales_rep, support_agent, marketer or read_only",
        )
        parser.add_argument("--team", default="", help="team name (created if new)")
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args: Any, **options: Any) -> None:
        services.roles_ensure_defaults()
        team = None
        if options["team"]:
            team = Team.objects.filter(name__iexact=options["team"].strip()).first()
            if team is None:
                team = services.team_create(actor=None, name=options["team"])
        try:
            user = services.user_create(
                actor=None,
                email=options["email"],
                password=options["password"],
                role=options["role"],
                team=team,
                full_name=options["name"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from error
        self.stdout.write(f"Created {user.email} ({options['role']}).")
