from __future__ import annotations

from django.urls import path

from elo.privacy import views

app_name = "privacy"
urlpatterns = [
    path("people/<int:pk>/consents/", views.person_consents, name="person_consents"),
    path("settings/consent-purposes/", views.purpose_list, name="purpose_list"),
    path("settings/consent-purposes/new/", views.purpose_create, name="purpose_create"),
    path("settings/consent-purposes/<int:pk>/", views.purpose_edit, name="purpose_edit"),
    path("privacy/c/<str:token>/", views.confirm, name="confirm"),
    path("privacy/w/<str:token>/", views.withdraw, name="withdraw"),
]
