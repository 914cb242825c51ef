from __future__ import annotations

from django.urls import path

from elo.privacy import views_retention as views

app_name = "privacy_retention"
urlpatterns = [
    path("settings/retention-policies/", views.policy_list, name="policy_list"),
    path("settings/retention-policies/new/", views.policy_create, name="policy_create"),
    path("settings/retention-policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("settings/retention-policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path(
        "settings/retention-policies/<int:pk>/dry-run/",
        views.policy_dry_run,
        name="policy_dry_run",
    ),
    path("settings/retention-policies/<int:pk>/run/", views.policy_run, name="policy_run"),
    path("settings/retention-policies/<int:pk>/runs/", views.run_list, name="run_list"),
    path(
        "settings/retention-policies/<int:pk>/runs/<int:run_pk>/",
        views.run_detail,
        name="run_detail",
    ),
]
