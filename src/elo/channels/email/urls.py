from __future__ import annotations

from django.urls import URLPattern

app_name = "channels_email"
urlpatterns: list[URLPattern] = []
