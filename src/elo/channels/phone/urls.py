from __future__ import annotations

from django.urls import path

from elo.channels.phone import views

app_name = "channels_phone"
urlpatterns = [
    path("calls/unmatched/", views.unmatched_calls, name="unmatched_calls"),
    path("calls/unmatched/<int:pk>/link/", views.call_link, name="call_link"),
    path("calls/preferences/", views.preferences, name="preferences"),
]
