"""The personal data access log page for the data protection officer, and its CSV
download with the same filters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from elo.core.pagination import Page
from elo.core.permissions import require
from elo.core.views import permission_required
from elo.identity.selectors import user_list_for
from elo.interchange.exports import csv_download
from elo.privacy.choices import AccessKind
from elo.privacy.selectors_access import (
    AccessLogFilter,
    access_log_page,
    access_log_rows,
)

PAGE_SIZE = 50


@permission_required("settings.manage")
def access_log(request: HttpRequest) -> HttpResponse:
    """Newest first; a bad filter shows its message and lists nothing."""
    page: Page[Any] = Page(items=[], next_cursor=None)
    errors: dict[str, list[str]] = {}
    filters = AccessLogFilter()
    try:
        filters = AccessLogFilter.from_params(request.GET)
        page = access_log_page(
            request.user, filters, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    context = {
        "page": page,
        "filters": filters,
        "values": request.GET,
        "errors": errors,
        "kinds": AccessKind.choices,
        "users": user_list_for(request.user),
    }
    return render(request, "privacy/access_log.html", context)


@login_required
def access_log_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered log as CSV, every page of it."""
    require(request.user, "settings.manage")
    try:
        filters = AccessLogFilter.from_params(request.GET)
    except ValidationError as error:
        return HttpResponse(
            "\n".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_download(f"elo-access-log-{stamp}.csv", access_log_rows(request.user, filters))
