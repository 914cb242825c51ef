from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elo.identity import services
from elo.identity.models import ApiToken, User


class Command(BaseCommand):
    help = "Create or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token once")
        create.add_argument("--user", required=True, help="the user's email")
        create.add_argument("--name", default="CLI token")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = User.objects.filter(email=options["user"].strip().lower()).first()
            if user is None:
                raise CommandError(f"No user with email {options['user']}.")
            _token, secret = services.token_create(actor=None, user=user, name=options["name"])
            self.stdout.write(secret)
            return
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError("No token with this prefix.")
        services.token_revoke(actor=token.user, token=token)
        self.stdout.write(f"Revoked {token.prefix}.")
