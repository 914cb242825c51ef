"""The personal data access log over the API, for the data protection officer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from elo.core.api import next_link, page_size
from elo.privacy.schemas_access import AccessLogList, AccessLogQuery, AccessOut
from elo.privacy.selectors_access import AccessLogFilter, access_log_page

router = Router(tags=["privacy"])


@router.get(
    "/privacy/access-log", response=AccessLogList, summary="Who viewed or exported personal data"
)
def list_access_log(request: HttpRequest, query: Query[AccessLogQuery]) -> Any:
    """Newest first, paged with `cursor`; needs the settings.manage permission. An entry
    without `user` was made outside a signed-in request (e.g. a scheduled export)."""
    filters = AccessLogFilter.from_params(query.dict(exclude={"cursor", "limit"}))
    page = access_log_page(request.user, filters, cursor=query.cursor, size=page_size(query.limit))
    return {
        "items": [AccessOut.from_entry(entry) for entry in page.items],
        "next": next_link(request, page),
    }
