"""Reads of the consent ledger: the current state is the latest event per purpose and
channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import Http404
from django.utils import timezone

from elo.contacts.models import Person
from elo.core.pagination import Page, paginate
from elo.core.permissions import require
from elo.privacy.choices import Channel, ConsentAction, RequestStatus
from elo.privacy.models import ConsentEvent, ConsentPurpose, SubjectRequest

CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.REJECTED)


@dataclass
class ConsentCell:
    channel: str
    channel_label: str
    event: ConsentEvent | None
    allowed: bool = False

    @property
    def state(self) -> str:
        return self.event.action if self.event else "unknown"


@dataclass
class ConsentRow:
    purpose: ConsentPurpose
    cells: list[ConsentCell] = field(default_factory=list)


def purpose_list(*, active_only: bool = False) -> models.QuerySet[ConsentPurpose]:
    queryset = ConsentPurpose.objects.order_by("name", "id")
    return queryset.filter(active=True) if active_only else queryset


def purpose_get(pk: Any) -> ConsentPurpose:
    try:
        return ConsentPurpose.objects.get(pk=int(pk))
    except (ConsentPurpose.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def latest_events(person_id: int) -> list[ConsentEvent]:
    """The newest event of each purpose and channel the person has any event for."""
    newest = (
        ConsentEvent.objects.filter(person_id=person_id)
        .order_by()
        .values("purpose_id", "channel")
        .annotate(last=models.Max("id"))
        .values("last")
    )
    return list(
        ConsentEvent.objects.filter(id__in=models.Subquery(newest)).select_related(
            "purpose", "actor_user"
        )
    )


def consent_matrix(person: Person) -> list[ConsentRow]:
    """Purpose by channel with the latest event (or None) in each cell, in two queries.
    Active purposes always show; an inactive one shows only when the person has events."""
    latest = {(event.purpose_id, event.channel): event for event in latest_events(person.pk)}
    purposes = list(ConsentPurpose.objects.order_by("name", "id"))
    shown = {purpose_id for purpose_id, _channel in latest}
    rows = []
    for purpose in purposes:
        if not purpose.active and purpose.pk not in shown:
            continue
        row = ConsentRow(purpose=purpose)
        for value, label in Channel.choices:
            event = latest.get((purpose.pk, value))
            allowed = _allows(purpose, event.action if event else None)
            row.cells.append(ConsentCell(value, str(label), event, allowed))
        rows.append(row)
    return rows


def consent_ledger_page(person: Person, *, cursor: str | None, size: int) -> Page[ConsentEvent]:
    """The person's ledger, newest first."""
    queryset = ConsentEvent.objects.filter(person=person).select_related("purpose", "actor_user")
    return paginate(queryset, keys=["-id"], cursor=cursor, size=size)


def consent_allows(person_id: int, purpose: str, channel: str) -> bool:
    """Whether the person may be contacted for `purpose` on `channel` now. The latest event
    decides; with none, only purposes that do not need consent allow it. An unknown or
    inactive purpose never allows."""
    found = ConsentPurpose.objects.filter(key=purpose, active=True).first()
    if found is None or channel not in Channel.values:
        return False
    latest = (
        ConsentEvent.objects.filter(person_id=person_id, purpose=found, channel=channel)
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )
    return _allows(found, latest)


def _allows(purpose: ConsentPurpose, latest_action: str | None) -> bool:
    """The latest event decides; without one, only a purpose that needs no consent allows."""
    if not purpose.active:
        return False
    if latest_action is None:
        return not purpose.consent_required
    return latest_action == ConsentAction.GRANTED


# --- data subject requests ------------------------------------------------------------------


def _requests_for(user: Any) -> models.QuerySet[SubjectRequest]:
    """Requests about people `user` can see; only privacy managers see requests at all."""
    require(user, "settings.manage")
    from elo.contacts.selectors import person_queryset_for

    visible = person_queryset_for(user).values("pk")
    return SubjectRequest.objects.filter(person__in=models.Subquery(visible)).select_related(
        "person", "verified_by"
    )


def request_list_for(
    user: Any,
    *,
    status: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    size: int = 50,
) -> Page[SubjectRequest]:
    """Requests, soonest due first; `overdue` filters open requests past their deadline."""
    queryset = _requests_for(user)
    if status:
        queryset = queryset.filter(status=status)
    if overdue is not None:
        late = models.Q(due_at__lt=timezone.now()) & ~models.Q(status__in=CLOSED_STATUSES)
        queryset = queryset.filter(late) if overdue else queryset.exclude(late)
    return paginate(queryset, keys=["due_at", "id"], cursor=cursor, size=size)


def request_get_for(user: Any, pk: Any) -> SubjectRequest:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    found = _requests_for(user).filter(pk=key).first()
    if found is None:
        raise Http404
    return found
