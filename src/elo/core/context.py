"""Who is acting and under which request: read by the audit log and the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The origin of a change: a user, an API token, the system or an automation rule."""

    kind: str = "system"
    user_id: int | None = None
    label: str = ""


@dataclass
class Scope:
    request_id: str = ""
    actor: Actor | None = None
    resolve_actor: Callable[[], Actor | None] | None = None
    # What set this work off, when it was not a person: e.g. {"workflow": 3, "run": 41,
    # "depth": 2}. Events emitted in the scope carry it, so automation can stop loops.
    cause: dict[str, Any] | None = None


_scope: ContextVar[Scope | None] = ContextVar("elo_scope", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str:
    scope = _scope.get()
    return scope.request_id if scope else ""


def current_cause() -> dict[str, Any]:
    scope = _scope.get()
    return dict(scope.cause) if scope and scope.cause else {}


def current_actor() -> Actor | None:
    scope = _scope.get()
    if scope is None:
        return None
    if scope.actor is None and scope.resolve_actor is not None:
        scope.actor = scope.resolve_actor()
    return scope.actor


def set_actor(actor: Actor) -> None:
    """Names the actor for the rest of the current scope (e.g. once a token is checked)."""
    scope = _scope.get()
    if scope is not None:
        scope.actor = actor


@contextmanager
def acting(
    actor: Actor | None = None,
    *,
    request: str | None = None,
    resolve_actor: Callable[[], Actor | None] | None = None,
    cause: dict[str, Any] | None = None,
) -> Iterator[Scope]:
    """Runs the block in a scope of its own with the given actor, request id and cause (the
    outer scope's request id and cause carry on when not given)."""
    outer = _scope.get()
    scope = Scope(
        request_id=request if request is not None else (outer.request_id if outer else ""),
        actor=actor,
        resolve_actor=resolve_actor,
        cause=cause if cause is not None else (outer.cause if outer else None),
    )
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)
