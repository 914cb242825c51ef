"""URLs of the quote pages; sales/urls.py adds them under the sales namespace."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
