from __future__ import annotations

from typing import Any, Self

from django.db import models

from elo.core.querysets import RecordQuerySet


class ActivityQuerySet(RecordQuerySet):
    """An activity is visible with the record it is about (person, organization, lead or
    deal), or to its owner and assignee."""

    def visible_to(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.visibility_scope
        if scope == "all":
            return self
        mine = (
            models.Q(owner_id=user.pk)
            | models.Q(assignee_id=user.pk)
            | models.Q(person__owner_id=user.pk)
            | models.Q(organization__owner_id=user.pk)
            | models.Q(lead__owner_id=user.pk)
            | models.Q(deal__owner_id=user.pk)
        )
        if scope == "team" and user.team_id is not None:
            mine |= (
                models.Q(team_id=user.team_id)
                | models.Q(person__team_id=user.team_id)
                | models.Q(organization__team_id=user.team_id)
                | models.Q(lead__team_id=user.team_id)
                | models.Q(deal__team_id=user.team_id)
            )
        return self.filter(mine)

    def tasks(self) -> Self:
        return self.filter(kind="task")

    def open(self) -> Self:
        return self.filter(done_at__isnull=True)
