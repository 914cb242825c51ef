"""Outbound webhooks: subscriptions to event types, signed deliveries with retries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from elo.core.api import if_match_version, next_link, page_size, set_etag
from elo.webhooks import selectors, services
from elo.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    RedeliverIn,
    RotateSecretIn,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionPatch,
    SubscriptionWithSecret,
)

router = Router(tags=["webhooks"])


@router.get("/webhooks", response=SubscriptionList, summary="List webhook subscriptions")
def list_webhooks(
    request: HttpRequest,
    enabled: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = selectors.subscription_page_for(
        request.user, cursor=cursor, size=page_size(limit), enabled=enabled
    )
    return {"next": next_link(request, page), "items": page.items}


@router.post(
    "/webhooks",
    response={201: SubscriptionWithSecret},
    summary="Subscribe a URL to events (the secret is shown only in this response)",
)
def create_webhook(request: HttpRequest, payload: SubscriptionIn, response: HttpResponse) -> Any:
    subscription = services.subscription_create(actor=request.user, **payload.dict())
    subscription = selectors.subscription_get_for(request.user, subscription.pk)
    set_etag(response, subscription)
    return 201, subscription


@router.get("/webhooks/{webhook_id}", response=SubscriptionOut, summary="Get a subscription")
def get_webhook(request: HttpRequest, webhook_id: int, response: HttpResponse) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    set_etag(response, subscription)
    return subscription


@router.patch("/webhooks/{webhook_id}", response=SubscriptionOut, summary="Change a subscription")
def patch_webhook(
    request: HttpRequest, webhook_id: int, payload: SubscriptionPatch, response: HttpResponse
) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    services.subscription_update(
        actor=request.user,
        subscription=subscription,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    set_etag(response, subscription)
    return subscription


@router.delete(
    "/webhooks/{webhook_id}", response={204: None}, summary="Delete a subscription and its log"
)
def delete_webhook(request: HttpRequest, webhook_id: int) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    services.subscription_delete(
        actor=request.user,
        subscription=subscription,
        expected_version=if_match_version(request),
    )
    return 204, None


@router.post("/webhooks/{webhook_id}/enable", response=SubscriptionOut, summary="Enable")
def enable_webhook(request: HttpRequest, webhook_id: int, response: HttpResponse) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    services.subscription_enable(
        actor=request.user,
        subscription=subscription,
        expected_version=if_match_version(request),
    )
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    set_etag(response, subscription)
    return subscription


@router.post("/webhooks/{webhook_id}/disable", response=SubscriptionOut, summary="Disable")
def disable_webhook(request: HttpRequest, webhook_id: int, response: HttpResponse) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    services.subscription_disable(
        actor=request.user,
        subscription=subscription,
        expected_version=if_match_version(request),
    )
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    set_etag(response, subscription)
    return subscription


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response=SubscriptionWithSecret,
    summary="Replace the signing secret (the new one is shown only in this response)",
)
def rotate_secret(
    request: HttpRequest, webhook_id: int, payload: RotateSecretIn, response: HttpResponse
) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    services.secret_rotate(
        actor=request.user,
        subscription=subscription,
        grace=timedelta(hours=payload.grace_hours),
        expected_version=if_match_version(request),
    )
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    set_etag(response, subscription)
    return subscription


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=DeliveryList,
    summary="A subscription's deliveries, newest first, each with its attempts",
)
def list_deliveries(
    request: HttpRequest,
    webhook_id: int,
    status: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    page = selectors.delivery_page_for(
        request.user, subscription, cursor=cursor, size=page_size(limit), status=status
    )
    return {"next": next_link(request, page), "items": page.items}


@router.post(
    "/webhooks/{webhook_id}/redeliver",
    response={202: DeliveryOut},
    summary="Attempt a delivery again now (same webhook-id)",
)
def redeliver(request: HttpRequest, webhook_id: int, payload: RedeliverIn) -> Any:
    subscription = selectors.subscription_get_for(request.user, webhook_id)
    delivery = selectors.delivery_get_for(request.user, subscription, payload.delivery)
    services.delivery_redeliver(actor=request.user, delivery=delivery)
    return 202, selectors.delivery_get_for(request.user, subscription, payload.delivery)
