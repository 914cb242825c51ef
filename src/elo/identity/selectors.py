from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from elo.identity.models import ApiToken, Role, Team, User


def user_list_for(user: Any) -> models.QuerySet[User]:
    """Every signed-in user may see colleagues (to pick owners and assignees)."""
    if not user.is_authenticated:
        return User.objects.none()
    return User.objects.select_related("role", "team").order_by("full_name", "email")


def team_list() -> models.QuerySet[Team]:
    return Team.objects.order_by("name")


def role_list() -> models.QuerySet[Role]:
    return Role.objects.order_by("name")


def team_get(pk: Any) -> Team:
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))
