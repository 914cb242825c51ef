"""Reads of the phone channel: the caller's card for a screen-pop and the calls that match
nobody yet."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from elo.activities.models import Activity
from elo.channels.phone.models import CallEvent
from elo.channels.phone.services import e164_or_blank
from elo.contacts.models import Employment, Person
from elo.core.pagination import Page, paginate


def caller_card_for(user: Any, number: str) -> dict[str, Any] | None:
    """The card of the visible person who has `number` (read in the default region unless it
    has a country code): name, primary organization, owner, email, open deals they see and the
    latest activity, in two indexed queries. None when nobody visible has the number."""
    from elo.sales.choices import DealStatus
    from elo.sales.models import Deal

    e164 = e164_or_blank(number)
    if not e164:
        return None
    organization = (
        Employment.objects.filter(person=OuterRef("pk"), organization__deleted_at__isnull=True)
        .order_by("-is_primary", "position", "id")
        .values("organization__name")[:1]
    )
    organization_id = (
        Employment.objects.filter(person=OuterRef("pk"), organization__deleted_at__isnull=True)
        .order_by("-is_primary", "position", "id")
        .values("organization_id")[:1]
    )
    open_deals = (
        Deal.objects.visible_to(user)
        .alive()
        .filter(status=DealStatus.OPEN, contacts__person=OuterRef("pk"))
        .order_by()
        .values("contacts__person")
        .annotate(total=Count("id"))
        .values("total")
    )
    person: Any = (
        Person.objects.visible_to(user)
        .alive()
        .filter(phones__number=e164, erased_at__isnull=True)
        .select_related("owner")
        .annotate(
            organization_name=Subquery(organization),
            organization_pk=Subquery(organization_id),
            open_deals=Coalesce(Subquery(open_deals, output_field=IntegerField()), 0),
        )
        .order_by("-updated_at", "-id")
        .first()
    )
    if person is None:
        return None
    last = (
        Activity.objects.filter(person=person, deleted_at__isnull=True)
        .only("id", "kind", "subject", "occurred_at")
        .order_by("-occurred_at", "-id")
        .first()
    )
    owner = person.owner
    return {
        "id": person.pk,
        "name": person.full_name,
        "number": e164,
        "organization": (
            {"id": person.organization_pk, "name": person.organization_name}
            if person.organization_pk
            else None
        ),
        "owner": {"id": owner.pk, "name": str(owner), "email": owner.email},
        "primary_email": person.primary_email,
        "open_deals": person.open_deals,
        "last_activity": (
            {
                "id": last.pk,
                "kind": last.kind,
                "subject": last.subject or last.get_kind_display(),
                "occurred_at": last.occurred_at,
            }
            if last
            else None
        ),
    }


def _unmatched() -> QuerySet[CallEvent]:
    return CallEvent.objects.filter(activity__isnull=True)


def unmatched_calls_for(user: Any, *, cursor: str | None = None, size: int = 50) -> Page[Any]:
    """Calls whose number matched nobody, newest first, for users who log calls."""
    if not user.is_authenticated or not user.has_elo_perm("activities.add"):
        raise PermissionDenied
    queryset = _unmatched().select_related("agent")
    return paginate(queryset, keys=["-started_at", "-id"], cursor=cursor, size=size)


def unmatched_call_get_for(user: Any, pk: Any) -> CallEvent:
    if not user.is_authenticated or not user.has_elo_perm("activities.add"):
        raise PermissionDenied
    call = _unmatched().filter(pk=pk).first()
    if call is None:
        raise Http404
    return call
