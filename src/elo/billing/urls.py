from django.urls import path

from elo.billing import views

app_name = "billing"

urlpatterns = [
    path("people/<int:pk>/purchases/", views.person_purchases, name="person_purchases"),
    path(
        "organizations/<int:pk>/purchases/",
        views.organization_purchases,
        name="organization_purchases",
    ),
]
