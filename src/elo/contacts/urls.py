from django.urls import path

from elo.contacts import views, views_duplicates, views_health

app_name = "contacts"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("data-health/", views_health.data_health, name="data_health"),
    path(
        "data-health/check-domains/",
        views_health.data_health_check_domains,
        name="data_health_check_domains",
    ),
    path("people/new/", views.person_create, name="person_create"),
    path("people/new/similar/", views.person_similar_hint, name="person_similar_hint"),
    path("people/bulk/", views.person_bulk, name="person_bulk"),
    path("people/duplicates/", views_duplicates.duplicate_list, name="person_duplicates"),
    path(
        "people/duplicates/dismiss/",
        views_duplicates.duplicate_dismiss,
        name="person_duplicate_dismiss",
    ),
    path(
        "people/<int:pk>/merge/<int:other>/",
        views_duplicates.person_merge_review,
        name="person_merge",
    ),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/history/", views.person_history, name="person_history"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("people/<int:pk>/restore/", views.person_restore, name="person_restore"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/bulk/", views.organization_bulk, name="organization_bulk"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path(
        "organizations/<int:pk>/history/",
        views.organization_history,
        name="organization_history",
    ),
    path("organizations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path(
        "organizations/<int:pk>/restore/",
        views.organization_restore,
        name="organization_restore",
    ),
]
