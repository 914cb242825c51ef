from __future__ import annotations

from django.urls import path

from elo.privacy import views

app_name = "privacy"
urlpatterns = [
    path("people/<int:pk>/consents/", views.person_consents, name="person_consents"),
    path("settings/consent-purposes/", views.purpose_list, name="purpose_list"),
    path("settings/consent-purposes/new/", views.purpose_create, name="purpose_create"),
    path("settings/consent-purposes/<int:pk>/", views.purpose_edit, name="purpose_edit"),
    path("settings/privacy-requests/", views.request_list, name="request_list"),
    path("settings/privacy-requests/new/", views.request_create, name="request_create"),
    path("settings/privacy-requests/<int:pk>/", views.request_detail, name="request_detail"),
    path(
        "settings/privacy-requests/<int:pk>/bundle.zip",
        views.request_bundle,
        name="request_bundle",
    ),
    path(
        "settings/privacy-requests/<int:pk>/erase/",
        views.request_erase,
        name="request_erase",
    ),
    path(
        "settings/privacy-requests/<int:pk>/erase/confirm/",
        views.request_erase_confirm,
        name="request_erase_confirm",
    ),
    path(
        "settings/privacy-requests/<int:pk>/<str:action>/",
        views.request_action,
        name="request_action",
    ),
    path("privacy/c/<str:token>/", views.confirm, name="confirm"),
    path("privacy/w/<str:token>/", views.withdraw, name="withdraw"),
]
