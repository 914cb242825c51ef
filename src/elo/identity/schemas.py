from __future__ import annotations

from ninja import Field, Schema

from elo.identity.models import User


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    team: int | None
    role: str | None
    language: str
    is_active: bool
    is_available: bool

    @staticmethod
    def resolve_team(obj: User) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_role(obj: User) -> str | None:
        return obj.role.key if obj.role else None


class UserIn(Schema):
    email: str
    password: str = Field(..., min_length=1)
    full_name: str = ""
    role: str = "sales_rep"
    team: int | None = None
    language: str = ""


class TeamOut(Schema):
    id: int
    name: str


class TeamIn(Schema):
    name: str
