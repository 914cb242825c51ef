"""The personal data access log: who viewed or exported personal data, for the data
protection officer. Callers record an access where it happens (a person's page or API read,
an export, a subject bundle download); `elo.privacy.selectors_access` reads the log."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from elo.privacy.choices import AccessKind
from elo.privacy.models import PersonalDataAccess

__all__ = ["AccessKind", "log_access", "log_access_by", "log_view"]

# A user reopening the same record within this window is not logged again: reloading a page,
# paging its timeline or reading it over the API adds nothing the log does not already say.
VIEW_WINDOW = datetime.timedelta(minutes=5)


def log_access(
    request: HttpRequest,
    *,
    kind: str,
    what: str,
    person_id: int | None = None,
    count: int = 1,
) -> PersonalDataAccess:
    """Records that the request's user viewed (`AccessKind.VIEW`) or exported
    (`AccessKind.EXPORT`, `AccessKind.BUNDLE`) personal data: one person's (`person_id`) or
    `count` records described by `what` (e.g. "People list, CSV, tag=vip")."""
    user = getattr(request, "user", None)
    return log_access_by(
        user if user is not None and user.is_authenticated else None,
        kind=kind,
        what=what,
        person_id=person_id,
        count=count,
        path=request.get_full_path()[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


def log_access_by(
    user: Any,
    *,
    kind: str,
    what: str,
    person_id: int | None = None,
    count: int = 1,
    path: str = "",
    ip_address: str | None = None,
) -> PersonalDataAccess:
    """The same, outside a web request (the CLI's `elo export`, the worker)."""
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    return PersonalDataAccess.objects.create(
        user=user if user is not None and getattr(user, "pk", None) else None,
        kind=kind,
        person_id=person_id,
        what=what[:200],
        record_count=max(0, int(count)),
        path=path[:300],
        ip_address=ip_address,
    )


def log_view(
    request: HttpRequest, *, what: str, person_id: int | None = None
) -> PersonalDataAccess | None:
    """Records that the signed-in user viewed one person (`person_id`) or one other record
    of personal data named by `what` (e.g. "Lead #12 page"), unless the same user viewed it
    within `VIEW_WINDOW`; anonymous requests record nothing. One indexed query for the
    check and one insert."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    recent = PersonalDataAccess.objects.filter(
        user=user, kind=AccessKind.VIEW, at__gte=timezone.now() - VIEW_WINDOW
    )
    recent = recent.filter(person_id=person_id) if person_id else recent.filter(what=what[:200])
    if recent.exists():
        return None
    return log_access(request, kind=AccessKind.VIEW, what=what, person_id=person_id)
