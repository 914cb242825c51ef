"""Every change to webhook subscriptions, deliveries and the destination allow-list.

Admins with `settings.manage` manage subscriptions; the delivery engine (`delivery.py`) calls
`subscription_disable(actor=None, ...)` when a subscription has failed for too long.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elo.core import audit, conditions, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.webhooks import http, selectors, signing
from elo.webhooks.models import AllowedHost, Delivery, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

PERMISSION = "settings.manage"
MAX_EVENT_TYPES = 50
SECRET_GRACE = timedelta(hours=24)
_PATTERN = re.compile(r"^[a-z0-9_*]+(\.[a-z0-9_*]+)*$")
_AUDITED = ("url", "description", "event_types", "conditions", "enabled")


def _allowed(actor: Any) -> None:
    if actor is not None:
        require(actor, PERMISSION)


def _clean_event_types(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValidationError(
            {"event_types": ValidationError(_("Give a list of event names."), code="invalid")}
        )
    patterns = list(dict.fromkeys(item.strip() for item in value if item.strip()))
    if not patterns:
        raise ValidationError(
            {"event_types": ValidationError(_("Choose at least one event."), code="required")}
        )
    if len(patterns) > MAX_EVENT_TYPES:
        message = _("At most %(count)s event types.") % {"count": MAX_EVENT_TYPES}
        raise ValidationError({"event_types": ValidationError(message, code="too_many")})
    malformed = [item for item in patterns if len(item) > 100 or not _PATTERN.match(item)]
    if malformed:
        message = _("Not an event name or pattern: %(names)s") % {"names": ", ".join(malformed)}
        raise ValidationError({"event_types": ValidationError(message, code="invalid_pattern")})
    unknown = selectors.unknown_event_patterns(patterns)
    if unknown:
        message = _("No such event type: %(names)s") % {"names": ", ".join(unknown)}
        raise ValidationError({"event_types": ValidationError(message, code="unknown_event")})
    return patterns


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Checks the fields present in `data`; raises one ValidationError listing every field."""
    clean: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if "url" in data:
        url = str(data["url"] or "").strip()
        try:
            http.validate_url(url)
        except http.DestinationRefused as error:
            errors["url"] = ValidationError(error.message, code="invalid_url")
        clean["url"] = url
    if "description" in data:
        description = " ".join(str(data["description"] or "").split())
        if len(description) > 200:
            errors["description"] = ValidationError(_("At most 200 characters."), code="max_length")
        clean["description"] = description
    if "event_types" in data:
        try:
            clean["event_types"] = _clean_event_types(data["event_types"])
        except ValidationError as error:
            errors.update(error.error_dict)
    if "conditions" in data:
        condition = data["conditions"] or None
        problems = conditions.validate(condition) if condition is not None else []
        if problems:
            errors["conditions"] = [
                ValidationError(problem, code="invalid_condition") for problem in problems
            ]
        clean["conditions"] = condition
    if errors:
        raise ValidationError(errors)
    return clean


def _payload(subscription: Subscription, **extra: Any) -> dict[str, Any]:
    return {"id": subscription.pk, "url": subscription.url, **extra}


def subscription_create(
    *,
    actor: Any,
    url: str,
    event_types: list[str],
    description: str = "",
    conditions: dict[str, Any] | None = None,
) -> Subscription:
    """A new enabled subscription owned by `actor`, with a fresh secret (`.secret`), which the
    caller shows once."""
    require(actor, PERMISSION)
    data = _clean(
        {
            "url": url,
            "event_types": event_types,
            "description": description,
            "conditions": conditions,
        }
    )
    with transaction.atomic():
        subscription = Subscription.objects.create(**data, owner=actor, secret=signing.new_secret())
        audit.record(
            action="webhooks.subscription.created",
            instance=subscription,
            changes=audit.diff({}, audit.snapshot(subscription, _AUDITED)),
        )
        events.emit(
            "webhooks.subscription.created",
            _payload(subscription, event_types=subscription.event_types),
        )
    return subscription


def _locked(subscription: Subscription, expected_version: int | None) -> Subscription:
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    check_version(expected_version, locked.version)
    return locked


def _save(locked: Subscription, fields: list[str]) -> None:
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*fields, "version", "updated_at"])


def subscription_update(
    *,
    actor: Any,
    subscription: Subscription,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Subscription:
    """Changes the given fields among url, description, event_types and conditions."""
    require(actor, PERMISSION)
    editable = {key: value for key, value in data.items() if key in _AUDITED[:4]}
    clean = _clean(editable)
    with transaction.atomic():
        locked = _locked(subscription, expected_version)
        before = audit.snapshot(locked, _AUDITED)
        for key, value in clean.items():
            setattr(locked, key, value)
        changes = audit.diff(before, audit.snapshot(locked, _AUDITED))
        if changes:
            _save(locked, list(changes))
            audit.record(action="webhooks.subscription.updated", instance=locked, changes=changes)
            events.emit("webhooks.subscription.updated", _payload(locked, changed=sorted(changes)))
    return locked


def subscription_delete(
    *, actor: Any, subscription: Subscription, expected_version: int | None = None
) -> None:
    """Deletes the subscription with its deliveries and attempts."""
    require(actor, PERMISSION)
    with transaction.atomic():
        locked = _locked(subscription, expected_version)
        payload = _payload(locked)
        audit.record(
            action="webhooks.subscription.deleted",
            target_type="webhooks.subscription",
            target_id=str(locked.pk),
            changes={"url": [locked.url, None]},
        )
        locked.delete()
        events.emit("webhooks.subscription.deleted", payload)


def secret_rotate(
    *,
    actor: Any,
    subscription: Subscription,
    grace: timedelta = SECRET_GRACE,
    expected_version: int | None = None,
) -> Subscription:
    """A new secret (`.secret`, shown once); the old one also signs until `grace` passes, so
    the receiver can switch without missing a delivery."""
    require(actor, PERMISSION)
    if grace < timedelta(0) or grace > timedelta(days=7):
        raise ValidationError(
            {"grace": ValidationError(_("Between 0 and 7 days."), code="invalid_grace")}
        )
    with transaction.atomic():
        locked = _locked(subscription, expected_version)
        expires = timezone.now() + grace
        locked.previous_secret = locked.secret if grace else ""
        locked.previous_secret_expires_at = expires if grace else None
        locked.secret = signing.new_secret()
        _save(locked, ["secret", "previous_secret", "previous_secret_expires_at"])
        audit.record(
            action="webhooks.subscription.secret_rotated",
            instance=locked,
            changes={"previous_secret_expires_at": locked.previous_secret_expires_at},
        )
        events.emit(
            "webhooks.subscription.secret_rotated",
            _payload(locked, previous_secret_expires_at=locked.previous_secret_expires_at),
        )
    return locked


def subscription_enable(
    *, actor: Any, subscription: Subscription, expected_version: int | None = None
) -> Subscription:
    require(actor, PERMISSION)
    with transaction.atomic():
        locked = _locked(subscription, expected_version)
        if locked.enabled:
            return locked
        locked.enabled = True
        locked.disabled_at = None
        locked.disabled_reason = ""
        locked.failing_since = None
        _save(locked, ["enabled", "disabled_at", "disabled_reason", "failing_since"])
        audit.record(
            action="webhooks.subscription.enabled",
            instance=locked,
            changes={"enabled": [False, True]},
        )
        events.emit("webhooks.subscription.enabled", _payload(locked))
    return locked


def subscription_disable(
    *,
    actor: Any,
    subscription: Subscription,
    reason: str = "",
    expected_version: int | None = None,
) -> Subscription:
    """Stops deliveries to the subscription. With `actor=None` the system disables it after
    failing too long, and its owner gets an email saying why."""
    _allowed(actor)
    automatic = actor is None
    with transaction.atomic():
        locked = _locked(subscription, expected_version)
        if not locked.enabled:
            return locked
        locked.enabled = False
        locked.disabled_at = timezone.now()
        locked.disabled_reason = (reason or _("Disabled by an admin."))[:300]
        _save(locked, ["enabled", "disabled_at", "disabled_reason"])
        audit.record(
            action="webhooks.subscription.disabled",
            instance=locked,
            changes={"enabled": [True, False], "reason": locked.disabled_reason},
        )
        events.emit(
            "webhooks.subscription.disabled",
            _payload(
                locked,
                reason=locked.disabled_reason,
                automatic=automatic,
                failing_since=locked.failing_since,
                owner=locked.owner_id,
            ),
        )
        if automatic:
            subscription_id = locked.pk
            transaction.on_commit(lambda: _notify_owner_disabled(subscription_id))
    return locked


def _notify_owner_disabled(subscription_id: int) -> None:
    subscription = Subscription.objects.select_related("owner").filter(pk=subscription_id).first()
    if subscription is None or not subscription.owner.email:
        return
    owner = subscription.owner
    with translation.override(owner.language or translation.get_language()):
        subject = _("Webhook disabled: %(name)s") % {"name": str(subscription)[:80]}
        body = render_to_string(
            "webhooks/disabled_email.txt", {"subscription": subscription, "owner": owner}
        )
    message = EmailMessage(subject=subject, body=body, to=[owner.email])
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("webhook %s: owner not notified: %s", subscription_id, error)


def delivery_redeliver(*, actor: Any, delivery: Delivery) -> Delivery:
    """Attempts the delivery again now (same message id), whatever its status."""
    require(actor, PERMISSION)
    with transaction.atomic():
        locked = (
            Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
        )
        if not locked.subscription.enabled:
            raise ValidationError(
                _("Enable the webhook before sending a delivery again."),
                code="subscription_disabled",
            )
        before = locked.status
        locked.status = DeliveryStatus.PENDING
        locked.next_attempt_at = timezone.now()
        locked.finished_at = None
        locked.save(update_fields=["status", "next_attempt_at", "finished_at"])
        audit.record(
            action="webhooks.delivery.redelivered",
            instance=locked,
            changes={"status": [before, DeliveryStatus.PENDING]},
        )
        delivery_id = locked.pk
        transaction.on_commit(lambda: _enqueue(delivery_id))
    return locked


def _enqueue(delivery_id: int) -> None:
    from elo.webhooks.tasks import enqueue_delivery

    enqueue_delivery(delivery_id)


_HOST = re.compile(r"^(\[[0-9a-f:.]+\]|[a-z0-9.-]+|[0-9a-f:]+)(:\d{1,5})?$")


def allowed_host_add(*, actor: Any, host: str, note: str = "") -> AllowedHost:
    """Allows webhooks to reach `host` (or `host:port`) although it is an internal address."""
    require(actor, PERMISSION)
    clean = host.strip().lower().rstrip(".")
    if not clean or len(clean) > 260 or not _HOST.match(clean):
        raise ValidationError(
            {"host": ValidationError(_("Enter a host name or host:port."), code="invalid")}
        )
    if AllowedHost.objects.filter(host=clean).exists():
        raise ValidationError(
            {"host": ValidationError(_("This host is already allowed."), code="duplicate")}
        )
    with transaction.atomic():
        allowed = AllowedHost.objects.create(host=clean, note=" ".join(note.split())[:200])
        audit.record(
            action="webhooks.allowed_host.created",
            instance=allowed,
            changes={"host": [None, clean]},
        )
    return allowed


def allowed_host_delete(*, actor: Any, allowed: AllowedHost) -> None:
    require(actor, PERMISSION)
    with transaction.atomic():
        audit.record(
            action="webhooks.allowed_host.deleted",
            target_type="webhooks.allowedhost",
            target_id=str(allowed.pk),
            changes={"host": [allowed.host, None]},
        )
        allowed.delete()
