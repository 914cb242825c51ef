from __future__ import annotations

from django.urls import URLPattern, path

from elo.automation import views

app_name = "automation"
urlpatterns: list[URLPattern] = [
    path("settings/workflows/", views.workflow_list, name="workflow_list"),
    path("settings/workflows/new/", views.workflow_create, name="workflow_create"),
    path("settings/workflows/<int:pk>/", views.workflow_detail, name="workflow_detail"),
    path("settings/workflows/<int:pk>/edit/", views.workflow_edit, name="workflow_edit"),
    path("settings/workflows/<int:pk>/test/", views.workflow_test, name="workflow_test"),
    path("settings/workflows/<int:pk>/toggle/", views.workflow_toggle, name="workflow_toggle"),
    path("automation/runs/<str:record_type>/<int:pk>/", views.record_runs, name="record_runs"),
]
