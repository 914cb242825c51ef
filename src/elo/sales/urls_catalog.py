"""URLs of the product and price list pages; sales/urls.py adds them under the sales namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from elo.sales.views import catalog

urlpatterns: list[URLPattern] = [
    path("settings/products/", catalog.product_list, name="product_list"),
    path("settings/products/new/", catalog.product_create, name="product_create"),
    path("settings/products/<int:pk>/", catalog.product_detail, name="product_detail"),
    path("settings/products/<int:pk>/edit/", catalog.product_edit, name="product_edit"),
    path(
        "settings/products/<int:pk>/active/", catalog.product_set_active, name="product_set_active"
    ),
    path("settings/price-lists/", catalog.price_list_list, name="price_list_list"),
    path("settings/price-lists/new/", catalog.price_list_create, name="price_list_create"),
    path("settings/price-lists/<int:pk>/", catalog.price_list_detail, name="price_list_detail"),
    path("settings/price-lists/<int:pk>/edit/", catalog.price_list_edit, name="price_list_edit"),
]
