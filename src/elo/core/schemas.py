from __future__ import annotations

from typing import Any

from ninja import Schema


class TagOut(Schema):
    id: int
    name: str
    slug: str
    color: str


class TagIn(Schema):
    name: str


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    help_text: str
    position: int


class CustomFieldIn(Schema):
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str] = []
    required: bool = False
    help_text: str = ""
    position: int = 0


class CustomFieldPatch(Schema):
    label: str | None = None
    field_type: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    help_text: str | None = None
    position: int | None = None

    def changes(self) -> dict[str, Any]:
        return self.dict(exclude_unset=True)
