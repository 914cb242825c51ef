"""Settings pages of outbound webhooks (settings.manage): subscriptions, their deliveries and
attempts, and the allow-list of internal destinations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.core.forms import service_errors
from elo.core.pagination import Page
from elo.core.views import permission_required, posted
from elo.webhooks import selectors, services
from elo.webhooks.forms import AllowedHostForm, SubscriptionForm
from elo.webhooks.models import AllowedHost, DeliveryStatus

MANAGE = "settings.manage"
DELIVERIES_PER_PAGE = 25


@permission_required(MANAGE)
def subscription_list(request: HttpRequest) -> HttpResponse:
    subscriptions = selectors.subscription_list_for(request.user)
    return render(request, "webhooks/subscription_list.html", {"subscriptions": subscriptions})


@permission_required(MANAGE)
def subscription_create(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(posted(request))
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            subscription = services.subscription_create(actor=request.user, **form.definition())
        if submission.ok:
            messages.success(request, _("Webhook “%(name)s” added.") % {"name": subscription})
            return _show_secret_once(request, subscription.pk, subscription.secret)
    return render(request, "webhooks/subscription_form.html", {"form": form, "subscription": None})


@permission_required(MANAGE)
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    form = SubscriptionForm(posted(request), subscription=subscription)
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            services.subscription_update(
                actor=request.user,
                subscription=subscription,
                data=form.definition(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": subscription})
            return redirect("webhooks:subscription_detail", pk)
    context = {"form": form, "subscription": subscription}
    return render(request, "webhooks/subscription_form.html", context)


def _show_secret_once(request: HttpRequest, pk: int, secret: str) -> HttpResponse:
    """Redirects to the webhook's page, which shows the new secret once: reloading that page
    neither shows it again nor repeats the POST that made it."""
    request.session[f"webhook-secret-{pk}"] = secret
    return redirect("webhooks:subscription_detail", pk)


def _detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    secret = request.session.pop(f"webhook-secret-{pk}", "")
    status = request.GET.get("status", "")
    page: Page[Any] = selectors.delivery_page_for(
        request.user,
        subscription,
        cursor=request.GET.get("cursor") or None,
        size=DELIVERIES_PER_PAGE,
        status=status if status in DeliveryStatus.values else "",
    )
    base = reverse("webhooks:subscription_detail", args=[pk])
    query = f"status={status}&" if status in DeliveryStatus.values else ""
    context = {
        "subscription": subscription,
        "deliveries": page.items,
        "next_url": f"{base}?{query}cursor={page.next_cursor}" if page.next_cursor else "",
        "first_url": f"{base}?{query}".rstrip("?&") if request.GET.get("cursor") else "",
        "status": status,
        "statuses": DeliveryStatus.choices,
        "secret": secret,
    }
    return render(request, "webhooks/subscription_detail.html", context)


@permission_required(MANAGE)
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
@permission_required(MANAGE)
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    services.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": subscription})
    return redirect("webhooks:subscription_list")


@require_POST
@permission_required(MANAGE)
def subscription_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    rotated = services.secret_rotate(actor=request.user, subscription=subscription)
    messages.success(
        request,
        _("New secret made. The previous one also signs deliveries for 24 hours."),
    )
    return _show_secret_once(request, pk, rotated.secret)


@require_POST
@permission_required(MANAGE)
def subscription_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    if request.POST.get("enabled") == "1":
        services.subscription_enable(actor=request.user, subscription=subscription)
        messages.success(request, _("Webhook enabled."))
    else:
        services.subscription_disable(actor=request.user, subscription=subscription)
        messages.success(request, _("Webhook disabled."))
    return redirect("webhooks:subscription_detail", pk)


@require_POST
@permission_required(MANAGE)
def delivery_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    subscription = selectors.subscription_get_for(request.user, pk)
    delivery = selectors.delivery_get_for(request.user, subscription, delivery_pk)
    try:
        services.delivery_redeliver(actor=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery is being sent again."))
    return redirect("webhooks:subscription_detail", pk)


@permission_required(MANAGE)
def allowed_host_list(request: HttpRequest) -> HttpResponse:
    form = AllowedHostForm(posted(request))
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            services.allowed_host_add(actor=request.user, **form.cleaned_data)
        if submission.ok:
            messages.success(request, _("Host allowed."))
            return redirect("webhooks:allowed_host_list")
    hosts = selectors.allowed_host_list_for(request.user)
    return render(request, "webhooks/allowed_host_list.html", {"form": form, "hosts": hosts})


@require_POST
@permission_required(MANAGE)
def allowed_host_delete(request: HttpRequest, pk: int) -> HttpResponse:
    allowed = get_object_or_404(AllowedHost, pk=pk)
    services.allowed_host_delete(actor=request.user, allowed=allowed)
    messages.success(request, _("Host “%(host)s” removed.") % {"host": allowed.host})
    return redirect("webhooks:allowed_host_list")
