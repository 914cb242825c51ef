"""The webhook settings pages: permissions, forms with field errors, actions, query counts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core import events
from elo.webhooks import services
from elo.webhooks.models import AllowedHost, Delivery, DeliveryStatus, Subscription

LIST = "/settings/webhooks/"


@pytest.fixture
def hook(admin: Any, receiver: Any) -> Subscription:
    return services.subscription_create(
        actor=admin, url=receiver.url(), event_types=["contacts.person.*"], description="Mirror"
    )


def _deliver(count: int, capture: Any) -> None:
    with capture(execute=True):
        for number in range(count):
            events.emit("contacts.person.created", {"id": number})


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("admin", 200)])
def test_pages_need_settings_manage(
    request: pytest.FixtureRequest, web: Any, hook: Subscription, persona: str, status: int
) -> None:
    client = web(request.getfixturevalue(persona))
    for path in (
        LIST,
        f"{LIST}new/",
        f"{LIST}{hook.pk}/",
        f"{LIST}{hook.pk}/edit/",
        f"{LIST}allowed-hosts/",
    ):
        assert client.get(path).status_code == status, path
    assert client.post(f"{LIST}{hook.pk}/delete/").status_code in (status, 302)


def test_anonymous_is_sent_to_sign_in(client: Any, db: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_settings_page_links_to_webhooks(web: Any, admin: Any) -> None:
    page = web(admin).get("/settings/").content.decode()
    assert f'href="{LIST}"' in page


def test_create_shows_the_secret_once(web: Any, admin: Any, receiver: Any) -> None:
    client = web(admin)
    form = client.get(f"{LIST}new/").content.decode()
    assert 'value="webhooks.subscription.disabled"' in form
    response = client.post(
        f"{LIST}new/",
        {
            "url": receiver.url(),
            "description": "Warehouse",
            "event_types": ["webhooks.subscription.disabled"],
            "patterns": "contacts.person.*\n\n sales.deal.* ",
            "conditions": '{"field": "country", "op": "eq", "value": "BR"}',
        },
    )
    assert response.status_code == 302  # to the webhook's page: a reload posts nothing again
    subscription = Subscription.objects.get()
    assert subscription.event_types == [
        "webhooks.subscription.disabled",
        "contacts.person.*",
        "sales.deal.*",
    ]
    assert subscription.conditions == {"field": "country", "op": "eq", "value": "BR"}
    page = client.get(response["Location"]).content.decode()
    assert subscription.secret in page
    assert subscription.secret not in client.get(f"{LIST}{subscription.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "gopher://example.com/"}, "url"),
        ({"url": "http://192.168.0.10/"}, "url"),
        ({"patterns": "webhooks.nothing_here.*"}, "event_types"),
        ({"event_types": [], "patterns": ""}, "event_types"),
        ({"conditions": "{not json"}, "conditions"),
        ({"conditions": '{"field": "x", "op": "near", "value": 1}'}, "conditions"),
    ],
    ids=["scheme", "private", "unknown-pattern", "no-events", "bad-json", "bad-condition"],
)
def test_bad_input_shows_field_errors(
    web: Any, admin: Any, receiver: Any, settings: Any, data: Any, field: str
) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = []
    body = {"url": receiver.url(), "event_types": ["webhooks.subscription.disabled"], **data}
    response = web(admin).post(f"{LIST}new/", body)
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not Subscription.objects.exists()


def test_edit_keeps_unknown_patterns_and_refuses_stale_versions(
    web: Any, admin: Any, hook: Subscription, receiver: Any
) -> None:
    client = web(admin)
    page = client.get(f"{LIST}{hook.pk}/edit/").content.decode()
    assert "contacts.person.*" in page
    data = {
        "url": receiver.url("/v2"),
        "description": "Mirror v2",
        "patterns": "contacts.person.*",
        "conditions": "",
        "version": "1",
    }
    response = client.post(f"{LIST}{hook.pk}/edit/", data)
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.description, hook.version) == (receiver.url("/v2"), "Mirror v2", 2)
    stale = client.post(f"{LIST}{hook.pk}/edit/", {**data, "description": "Lost"})
    assert stale.status_code == 200
    hook.refresh_from_db()
    assert hook.description == "Mirror v2"


def test_detail_lists_deliveries_with_attempts_and_redelivers(
    web: Any,
    admin: Any,
    hook: Subscription,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.default.status = 503
    receiver.default.body = b"maintenance window"
    _deliver(1, django_capture_on_commit_callbacks)
    client = web(admin)
    page = client.get(f"{LIST}{hook.pk}/").content.decode()
    assert "maintenance window" in page
    assert "HTTP 503" in page
    delivery = Delivery.objects.get()
    receiver.default.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}{hook.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    filtered = client.get(f"{LIST}{hook.pk}/?status=failed").content.decode()
    assert "No deliveries yet." in filtered


def test_rotate_disable_enable_and_delete(web: Any, admin: Any, hook: Subscription) -> None:
    client = web(admin)
    old = hook.secret
    page = client.post(f"{LIST}{hook.pk}/rotate-secret/", follow=True).content.decode()
    hook.refresh_from_db()
    assert hook.secret != old and hook.previous_secret == old
    assert hook.secret in page
    client.post(f"{LIST}{hook.pk}/enabled/", {"enabled": "0"})
    hook.refresh_from_db()
    assert hook.enabled is False
    assert "Disabled" in client.get(LIST).content.decode()
    client.post(f"{LIST}{hook.pk}/enabled/", {"enabled": "1"})
    hook.refresh_from_db()
    assert hook.enabled is True
    assert client.post(f"{LIST}{hook.pk}/delete/").status_code == 302
    assert not Subscription.objects.exists()


def test_allowed_hosts_page(web: Any, admin: Any) -> None:
    client = web(admin)
    response = client.post(f"{LIST}allowed-hosts/", {"host": "Intranet.Example:8080", "note": "CI"})
    assert response.status_code == 302
    allowed = AllowedHost.objects.get()
    assert allowed.host == "intranet.example:8080"
    duplicate = client.post(f"{LIST}allowed-hosts/", {"host": "intranet.example:8080"})
    assert 'data-field-error="host"' in duplicate.content.decode()
    bad = client.post(f"{LIST}allowed-hosts/", {"host": "http://x/y"})
    assert 'data-field-error="host"' in bad.content.decode()
    client.post(f"{LIST}allowed-hosts/{allowed.pk}/delete/")
    assert not AllowedHost.objects.exists()


def test_database_allow_list_lets_a_receiver_through(
    web: Any, admin: Any, receiver: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = []
    services.allowed_host_add(actor=admin, host=f"127.0.0.1:{receiver.port}")
    hook = services.subscription_create(
        actor=admin, url=receiver.url(), event_types=["contacts.person.created"]
    )
    _deliver(1, django_capture_on_commit_callbacks)
    assert len(receiver.acknowledged) == 1
    assert Delivery.objects.get(subscription=hook).status == DeliveryStatus.SUCCEEDED


# list: session, user, subscriptions with owners; detail: session, user, subscription,
# deliveries, their attempts.
PAGE_QUERIES = {"list": 3, "detail": 5}


def _count(client: Any, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_page_query_counts_do_not_grow(
    web: Any,
    admin: Any,
    hook: Subscription,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = web(admin)
    _deliver(1, django_capture_on_commit_callbacks)
    detail, listing = _count(client, f"{LIST}{hook.pk}/"), _count(client, LIST)
    receiver.default.status = 500
    _deliver(5, django_capture_on_commit_callbacks)
    for _ in range(4):
        services.subscription_create(actor=admin, url=receiver.url(), event_types=["*"])
    assert _count(client, f"{LIST}{hook.pk}/") == detail
    assert _count(client, LIST) == listing
    assert (listing, detail) == (PAGE_QUERIES["list"], PAGE_QUERIES["detail"])


def test_conditions_textarea_round_trips(web: Any, admin: Any, receiver: Any) -> None:
    condition = {"any": [{"field": "country", "op": "eq", "value": "PT"}]}
    hook = services.subscription_create(
        actor=admin, url=receiver.url(), event_types=["*"], conditions=condition
    )
    page = web(admin).get(f"{LIST}{hook.pk}/edit/").content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"conditions\"[^>]*>(.*?)</textarea>", page, re.S)
    assert textarea is not None
    assert json.loads(textarea.group(1).replace("&quot;", '"')) == condition
