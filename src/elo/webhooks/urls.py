from __future__ import annotations

from django.urls import path

from elo.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("settings/webhooks/", views.subscription_list, name="subscription_list"),
    path("settings/webhooks/new/", views.subscription_create, name="subscription_create"),
    path(
        "settings/webhooks/allowed-hosts/",
        views.allowed_host_list,
        name="allowed_host_list",
    ),
    path(
        "settings/webhooks/allowed-hosts/<int:pk>/delete/",
        views.allowed_host_delete,
        name="allowed_host_delete",
    ),
    path("settings/webhooks/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("settings/webhooks/<int:pk>/edit/", views.subscription_edit, name="subscription_edit"),
    path(
        "settings/webhooks/<int:pk>/delete/",
        views.subscription_delete,
        name="subscription_delete",
    ),
    path(
        "settings/webhooks/<int:pk>/rotate-secret/",
        views.subscription_rotate_secret,
        name="subscription_rotate_secret",
    ),
    path(
        "settings/webhooks/<int:pk>/enabled/",
        views.subscription_toggle,
        name="subscription_toggle",
    ),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
