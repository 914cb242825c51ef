from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from elo.identity import selectors, services
from elo.identity.schemas import TeamIn, TeamOut, UserIn, UserOut

router = Router(tags=["users and teams"])


@router.get("/users", response=list[UserOut], summary="List users")
def list_users(request: HttpRequest) -> Any:
    return list(selectors.user_list_for(request.user))


@router.get("/users/me", response=UserOut, summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    return request.user


@router.post("/users", response={201: UserOut}, summary="Add a user (admin)")
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    team = selectors.team_get(payload.team) if payload.team is not None else None
    user = services.user_create(
        actor=request.user,
        email=payload.email,
        password=payload.password,
        role=payload.role,
        team=team,
        full_name=payload.full_name,
        language=payload.language,
    )
    return 201, user


@router.get("/teams", response=list[TeamOut], summary="List teams")
def list_teams(request: HttpRequest) -> Any:
    return list(selectors.team_list())


@router.post("/teams", response={201: TeamOut}, summary="Add a team (admin)")
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    return 201, services.team_create(actor=request.user, name=payload.name)
