"""The webhooks API: permissions, problem+json, ETags, deliveries, redeliver, rotation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from standardwebhooks.webhooks import Webhook

from elo.core import events
from elo.core.models import AuditEntry, OutboxEvent
from elo.webhooks import services
from elo.webhooks.models import Subscription

BASE = "/api/v1/webhooks"


@pytest.fixture
def hook(admin: Any, receiver: Any) -> Subscription:
    return services.subscription_create(
        actor=admin,
        url=receiver.url(),
        event_types=["contacts.person.*"],
        description="CRM mirror",
    )


def _body(receiver: Any, **data: Any) -> dict[str, Any]:
    return {"url": receiver.url(), "event_types": ["contacts.person.created"], **data}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 403), ("manager", 403), ("admin", 201)],
)
def test_create_permission_matrix(
    request: pytest.FixtureRequest, db: Any, api: Any, receiver: Any, persona: str, status: int
) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = api(user).post(BASE, _body(receiver))
    assert response.status_code == status
    if status != 201:
        assert response["Content-Type"] == "application/problem+json"
        assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 403), ("manager", 403), ("admin", 200)],
)
def test_read_permission_matrix(
    request: pytest.FixtureRequest, api: Any, hook: Subscription, persona: str, status: int
) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = api(user)
    for path in (BASE, f"{BASE}/{hook.pk}", f"{BASE}/{hook.pk}/deliveries"):
        assert client.get(path).status_code == status, path


def test_create_shows_the_secret_once(api: Any, admin: Any, receiver: Any) -> None:
    response = api(admin).post(
        BASE,
        _body(
            receiver,
            description="  Data   warehouse ",
            conditions={"field": "country", "op": "eq", "value": "BR"},
        ),
    )
    assert response.status_code == 201
    body = response.json()
    subscription = Subscription.objects.get()
    assert body["secret"] == subscription.secret
    assert body["secret"].startswith("whsec_")
    assert body["description"] == "Data warehouse"
    assert body["owner"] == {"id": admin.pk, "name": "Ana Admin"}
    assert body["enabled"] is True
    assert response["ETag"] == f'"{subscription.pk}-1"'
    detail = api(admin).get(f"{BASE}/{subscription.pk}").json()
    assert "secret" not in detail
    assert detail["conditions"] == {"field": "country", "op": "eq", "value": "BR"}
    assert AuditEntry.objects.filter(action="webhooks.subscription.created").count() == 1
    event = OutboxEvent.objects.get(name="webhooks.subscription.created")
    assert event.payload == {
        "id": subscription.pk,
        "url": receiver.url(),
        "event_types": ["contacts.person.created"],
    }
    assert subscription.secret not in str(AuditEntry.objects.values_list("changes"))


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"url": "ftp://example.com/hook"}, "url", "invalid_url"),
        ({"url": "not a url"}, "url", "invalid_url"),
        ({"url": "http://10.0.0.7/hook"}, "url", "invalid_url"),
        ({"url": "http://[::ffff:127.0.0.1]/hook"}, "url", "invalid_url"),
        ({"event_types": []}, "event_types", "required"),
        ({"event_types": ["no.such.event"]}, "event_types", "unknown_event"),
        ({"event_types": ["webhooks.nothing.*"]}, "event_types", "unknown_event"),
        ({"event_types": ["Sales Deal"]}, "event_types", "invalid_pattern"),
        ({"conditions": {"field": "x", "op": "resembles", "value": 1}}, "conditions", None),
        ({"conditions": {"all": "yes"}}, "conditions", "invalid_condition"),
    ],
    ids=[
        "scheme",
        "garbage-url",
        "private",
        "ipv4-mapped",
        "no-events",
        "unknown-event",
        "unknown-pattern",
        "malformed-pattern",
        "unknown-operator",
        "malformed-group",
    ],
)
def test_bad_input_is_a_problem_with_field_errors(
    api: Any, admin: Any, receiver: Any, settings: Any, data: Any, field: str, code: str | None
) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = []
    response = api(admin).post(BASE, {**_body(receiver), **data})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert field in [error["field"] for error in problem["errors"]]
    if code:
        assert code in [error["code"] for error in problem["errors"] if error["field"] == field]
    assert not Subscription.objects.exists()


def test_patch_needs_the_current_etag(api: Any, admin: Any, hook: Subscription) -> None:
    client = api(admin)
    etag = client.get(f"{BASE}/{hook.pk}")["ETag"]
    response = client.patch(
        f"{BASE}/{hook.pk}", {"description": "Mirror", "conditions": None}, **{"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Mirror"
    assert response["ETag"] == f'"{hook.pk}-2"'
    stale = client.patch(f"{BASE}/{hook.pk}", {"description": "Lost"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert Subscription.objects.get().description == "Mirror"
    bad = client.patch(f"{BASE}/{hook.pk}", {"event_types": ["nope.*"]})
    assert bad.status_code == 422
    assert client.delete(f"{BASE}/{hook.pk}", **{"If-Match": etag}).status_code == 412
    current = client.get(f"{BASE}/{hook.pk}")["ETag"]
    assert client.delete(f"{BASE}/{hook.pk}", **{"If-Match": current}).status_code == 204
    assert not Subscription.objects.exists()
    assert OutboxEvent.objects.filter(name="webhooks.subscription.deleted").count() == 1


def test_disable_and_enable(api: Any, admin: Any, hook: Subscription) -> None:
    client = api(admin)
    body = client.post(f"{BASE}/{hook.pk}/disable").json()
    assert (body["enabled"], body["disabled_reason"]) == (False, "Disabled by an admin.")
    body = client.post(f"{BASE}/{hook.pk}/enable").json()
    assert (body["enabled"], body["disabled_at"]) == (True, None)
    assert client.get(f"{BASE}?enabled=false").json()["items"] == []


def test_rotate_secret_returns_the_new_secret(api: Any, admin: Any, hook: Subscription) -> None:
    old = hook.secret
    response = api(admin).post(f"{BASE}/{hook.pk}/rotate-secret", {"grace_hours": 2})
    assert response.status_code == 200
    body = response.json()
    hook.refresh_from_db()
    assert body["secret"] == hook.secret != old
    assert hook.previous_secret == old
    assert body["previous_secret_expires_at"] is not None
    too_long = api(admin).post(f"{BASE}/{hook.pk}/rotate-secret", {"grace_hours": 1000})
    assert too_long.status_code == 422


def _deliver(count: int, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(count):
            events.emit("contacts.person.created", {"id": number})


def test_deliveries_with_attempts_and_redeliver(
    api: Any,
    admin: Any,
    hook: Subscription,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _deliver(1, django_capture_on_commit_callbacks)
    client = api(admin)
    page = client.get(f"{BASE}/{hook.pk}/deliveries").json()
    [item] = page["items"]
    assert page["next"] is None
    assert item["event_name"] == "contacts.person.created"
    assert (item["status"], item["attempt_count"]) == ("succeeded", 1)
    assert item["attempts"][0]["status_code"] == 200
    assert item["attempts"][0]["response_excerpt"] == "ok"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/{hook.pk}/redeliver", {"delivery": item["id"]})
    assert response.status_code == 202
    assert len(receiver.requests) == 2
    request = receiver.requests[-1]
    hook.refresh_from_db()
    Webhook(hook.secret).verify(
        request.body,
        {k: request.headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")},
    )
    after = client.get(f"{BASE}/{hook.pk}/deliveries?status=succeeded").json()["items"][0]
    assert [a["number"] for a in after["attempts"]] == [1, 2]
    missing = client.post(f"{BASE}/{hook.pk}/redeliver", {"delivery": 999999})
    assert missing.status_code == 404


def test_deliveries_page_with_a_cursor(
    api: Any, admin: Any, hook: Subscription, django_capture_on_commit_callbacks: Any
) -> None:
    _deliver(3, django_capture_on_commit_callbacks)
    client = api(admin)
    first = client.get(f"{BASE}/{hook.pk}/deliveries?limit=2").json()
    assert [item["payload"]["id"] for item in first["items"]] == [2, 1]
    second = client.get(first["next"]).json()
    assert [item["payload"]["id"] for item in second["items"]] == [0]
    assert second["next"] is None


def _queries(client: Any, path: str) -> int:
    client.get(path)  # the first request of a token also records when it was last used
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow(
    api: Any, admin: Any, receiver: Any, django_assert_num_queries: Any
) -> None:
    client = api(admin)
    services.subscription_create(actor=admin, url=receiver.url(), event_types=["*"])
    one = _queries(client, BASE)
    assert one == 2  # the token, the page of subscriptions with their owners
    for _ in range(5):
        services.subscription_create(actor=admin, url=receiver.url(), event_types=["*"])
    assert _queries(client, BASE) == one
    with django_assert_num_queries(one):
        client.get(BASE)


def test_detail_and_deliveries_query_counts(
    api: Any,
    admin: Any,
    hook: Subscription,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    client = api(admin)
    _deliver(1, django_capture_on_commit_callbacks)
    one = _queries(client, f"{BASE}/{hook.pk}/deliveries")
    assert one == 4  # token, subscription, deliveries, their attempts
    receiver.default.status = 500
    _deliver(6, django_capture_on_commit_callbacks)
    assert _queries(client, f"{BASE}/{hook.pk}/deliveries") == one
    with django_assert_num_queries(one):
        client.get(f"{BASE}/{hook.pk}/deliveries")
    detail = _queries(client, f"{BASE}/{hook.pk}")
    assert detail == 2
    with django_assert_num_queries(detail):
        client.get(f"{BASE}/{hook.pk}")


def test_redeliver_on_a_disabled_webhook_is_refused(
    api: Any, admin: Any, hook: Subscription, django_capture_on_commit_callbacks: Any
) -> None:
    _deliver(1, django_capture_on_commit_callbacks)
    delivery_id = hook.deliveries.get().pk
    services.subscription_disable(actor=admin, subscription=hook)
    response = api(admin).post(f"{BASE}/{hook.pk}/redeliver", {"delivery": delivery_id})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "subscription_disabled"
