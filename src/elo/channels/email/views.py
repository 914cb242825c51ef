"""Web views of the email channel: an attachment's download and a message as it was sent.

Both answer 404 for anything the user cannot see (the activity's visibility decides), so
a guessed id tells nothing about what exists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from elo.activities.models import Activity
from elo.channels.email.models import EmailAttachment, EmailMessage

# Content types a browser may be told as they are; anything else is octet-stream.
SAFE_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)

# The message's sanitized HTML is shown inside the normal layout rather than in an iframe:
# the whole response carries a CSP that allows no script, no external fetch (only data:
# images, so no tracking pixels) and inline styles only, which also covers anything the
# sanitizer missed. A sandboxed iframe would need a second response and srcdoc quoting,
# for no extra protection once the page itself runs no script at all.
MESSAGE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _visible_message(user: Any, pk: int) -> EmailMessage:
    visible = Activity.objects.visible_to(user).alive().values("pk")
    message = (
        EmailMessage.objects.filter(pk=pk, activity_id__in=visible)
        .select_related("activity", "activity__person", "activity__lead")
        .first()
    )
    if message is None:
        raise Http404
    return message


def safe_content_type(content_type: str) -> str:
    value = (content_type or "").split(";")[0].strip().lower()
    return value if value in SAFE_CONTENT_TYPES else "application/octet-stream"


@never_cache
@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    visible = Activity.objects.visible_to(request.user).alive().values("pk")
    attachment = EmailAttachment.objects.filter(
        pk=pk, message__activity_id__in=visible, omitted=False
    ).first()
    if attachment is None or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError as error:
        raise Http404 from error
    # FileResponse writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=safe_content_type(attachment.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_GET
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    message = _visible_message(request.user, pk)
    response = render(request, "channels_email/message_html.html", {"message": message})
    response["Content-Security-Policy"] = MESSAGE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
