from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from elo.identity.models import User


class RecordQuerySet(models.QuerySet[Any]):
    """Named filters every customer record shares. Nothing is visible by default."""

    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> Self:
        return self.filter(deleted_at__isnull=False)

    def visible_to(self, user: User | AnonymousUser | None) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.visibility_scope
        if scope == "all":
            return self
        if scope == "team" and user.team_id is not None:
            return self.filter(models.Q(owner_id=user.pk) | models.Q(team_id=user.team_id))
        return self.filter(owner_id=user.pk)
