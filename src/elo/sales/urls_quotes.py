"""URLs of the quote pages; sales/urls.py adds them under the sales namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from elo.sales.views import quotes

urlpatterns: list[URLPattern] = [
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("quotes/new/", quotes.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quotes.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/status/", quotes.quote_status, name="quote_status"),
    path("quotes/<int:pk>/copy/", quotes.quote_copy, name="quote_copy"),
    path("quotes/<int:pk>/send/", quotes.quote_send, name="quote_send"),
    path("quotes/<int:pk>/pdf/", quotes.quote_pdf, name="quote_pdf"),
]
