from __future__ import annotations

from django.urls import path

from elo.privacy import views_access

app_name = "privacy_access"
urlpatterns = [
    path("settings/access-log/", views_access.access_log, name="access_log"),
    path("settings/access-log/export.csv", views_access.access_log_csv, name="access_log_csv"),
]
