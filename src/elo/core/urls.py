from django.urls import path

from elo.core import views

app_name = "core"
urlpatterns = [
    path("settings/custom-fields/", views.custom_field_list, name="custom_field_list"),
    path("settings/custom-fields/new/", views.custom_field_create, name="custom_field_create"),
    path("settings/custom-fields/<int:pk>/", views.custom_field_edit, name="custom_field_edit"),
    path(
        "settings/custom-fields/<int:pk>/delete/",
        views.custom_field_delete,
        name="custom_field_delete",
    ),
    path("settings/company/", views.company_profile, name="company_profile"),
    path("settings/company/logo/", views.company_logo, name="company_logo"),
    path("settings/tags/", views.tag_list, name="tag_list"),
    path("settings/tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("settings/system/", views.system_status, name="system_status"),
    path("healthz", views.healthz, name="healthz"),
]
