"""Quote pages: the list, the quote with its lines, history and customer link, drafting and
editing with lines, status changes, copying, sending by email and the PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from elo.core.errors import PreconditionFailed
from elo.core.forms import STALE_MESSAGE, add_service_errors
from elo.core.permissions import require
from elo.core.views import permission_required, posted
from elo.sales import selectors
from elo.sales.choices import QuoteStatus
from elo.sales.forms import (
    QuoteFilterForm,
    QuoteForm,
    QuoteSendForm,
    QuoteStatusForm,
    add_quote_errors,
    line_forms,
)
from elo.sales.models import Quote
from elo.sales.services import quotes as services
from elo.sales.views.pages import (
    STALE_ACTION_MESSAGE,
    EloRequest,
    abilities,
    fragment,
    list_page,
)

QUOTE_ACTIONS = {
    "created": gettext_lazy("Drafted"),
    "updated": gettext_lazy("Changed"),
    "copied": gettext_lazy("Copied"),
    "emailed": gettext_lazy("Emailed"),
    "sent": gettext_lazy("Marked as sent"),
    "accepted": gettext_lazy("Accepted"),
    "declined": gettext_lazy("Declined"),
    "expired": gettext_lazy("Expired"),
}
CLOSED = (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED)


@login_required
def quote_list(request: EloRequest) -> HttpResponse:
    form = QuoteFilterForm(request.GET, user=request.user)
    page, total = list_page(request, form, selectors.quote_list_page_for, selectors.quote_list_for)
    totals = selectors.quote_totals_for(request.user, **form.filters()) if total else []
    context = {
        "form": form,
        "page": page,
        "total": total,
        "totals": totals,
        **abilities(request.user),
    }
    template = fragment(request, "sales/quotes/quote_list.html", "results")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def history_rows(quote: Quote) -> list[dict[str, Any]]:
    """The quote's audit entries as rows: what happened, who did it, and for revisions,
    answers and emails the detail that matters."""
    rows = []
    for entry in selectors.quote_history(quote):
        verb = entry.action.rsplit(".", 1)[-1]
        changes = entry.changes or {}
        revision = changes.get("revision")
        rows.append(
            {
                "entry": entry,
                "action": QUOTE_ACTIONS.get(verb, entry.action),
                "revision": revision[1] if isinstance(revision, list) else None,
                "to": changes.get("to") if verb == "emailed" else None,
                "via_link": changes.get("via") == "public link",
            }
        )
    return rows


def quote_page(
    request: EloRequest, quote: Quote, *, send_form: QuoteSendForm | None = None
) -> HttpResponse:
    """The quote page; `send_form` is a refused email, shown with its errors."""
    history = history_rows(quote)
    answer = next(
        (row for row in history if row["entry"].action.endswith((".accepted", ".declined"))),
        None,
    )
    public_link = None
    if quote.status == QuoteStatus.SENT:
        path = reverse("sales_public:quote", args=[services.public_token(quote)])
        public_link = request.build_absolute_uri(path)
    initial = {"to": quote.person.primary_email if quote.person else ""}
    context = {
        "quote": quote,
        "history": history,
        "answer": answer,
        "public_link": public_link,
        "send_form": send_form or QuoteSendForm(initial=initial),
        "order": getattr(quote, "order", None),
        "is_closed": quote.status in CLOSED,
        **abilities(request.user),
    }
    status = 400 if send_form is not None else 200
    return render(request, "sales/quotes/quote_detail.html", context, status=status)


@login_required
def quote_detail(request: EloRequest, pk: int) -> HttpResponse:
    return quote_page(request, selectors.quote_detail_for(request.user, pk))


def _quote_form_page(request: EloRequest, quote: Quote | None) -> HttpResponse:
    """Drafting (`quote` None) or changing a quote; "Add a line" re-renders with one more row
    and saves nothing."""
    deal = None
    if quote is None and request.GET.get("deal"):
        deal = selectors.deal_get_for(request.user, request.GET["deal"])
    data = posted(request)
    add_row = data is not None and "add_line" in data
    form = QuoteForm(data, user=request.user, quote=quote, deal=deal)
    lines = line_forms(data, quote or deal, add_row=add_row)
    if data is not None and not add_row and form.is_valid() and lines.is_valid():
        try:
            saved = _save(request, form, lines.lines(), quote)
        except PreconditionFailed as error:
            form.add_error(None, str(STALE_MESSAGE))
            form.mark_stale(error.current_version)
        except ValidationError as error:
            add_quote_errors(form, lines, error)
        else:
            return redirect("sales:quote_detail", saved.pk)
    context = {"form": form, "lines": lines, "quote": quote}
    return render(request, "sales/quotes/quote_form.html", context)


def _save(request: EloRequest, form: QuoteForm, lines: list[Any], quote: Quote | None) -> Quote:
    data = form.service_data(lines)
    if quote is None:
        saved = services.quote_create(actor=request.user, data=data)
        messages.success(request, _("Drafted %(name)s.") % {"name": saved.reference})
        return saved
    saved = services.quote_update(
        actor=request.user, quote=quote, data=data, expected_version=form.cleaned_data["version"]
    )
    if saved.revision != quote.revision:
        message = _("Saved %(name)s as revision %(revision)d, a draft to send again.")
        messages.success(request, message % {"name": saved.reference, "revision": saved.revision})
    else:
        messages.success(request, _("Saved %(name)s.") % {"name": saved.reference})
    return saved


@permission_required("sales.add")
def quote_create(request: EloRequest) -> HttpResponse:
    return _quote_form_page(request, None)


@login_required
def quote_edit(request: EloRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail_for(request.user, pk)
    require(request.user, "sales.change")
    return _quote_form_page(request, quote)


@login_required
@require_POST
def quote_status(request: EloRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail_for(request.user, pk)
    require(request.user, "sales.change")
    form = QuoteStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick sent, accepted, declined or expired."))
        return redirect("sales:quote_detail", quote.pk)
    try:
        services.quote_set_status(
            actor=request.user,
            quote=quote,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except PreconditionFailed:
        messages.error(request, str(STALE_ACTION_MESSAGE))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        label = QuoteStatus(form.cleaned_data["status"]).label
        messages.success(request, _("The quote is now %(status)s.") % {"status": label})
    return redirect("sales:quote_detail", quote.pk)


@login_required
@require_POST
def quote_copy(request: EloRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail_for(request.user, pk)
    require(request.user, "sales.add")
    copy = services.quote_copy(actor=request.user, quote=quote)
    messages.success(
        request,
        _("Copied %(old)s to the new draft %(new)s.")
        % {"old": quote.reference, "new": copy.reference},
    )
    return redirect("sales:quote_detail", copy.pk)


@login_required
@require_POST
def quote_send(request: EloRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail_for(request.user, pk)
    require(request.user, "sales.change")
    form = QuoteSendForm(request.POST)
    if form.is_valid():
        try:
            services.quote_send(
                actor=request.user,
                quote=quote,
                to=form.cleaned_data["to"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sent %(name)s to %(to)s.") % {"name": quote, "to": form.cleaned_data["to"]},
            )
            return redirect("sales:quote_detail", quote.pk)
    return quote_page(request, quote, send_form=form)


@login_required
@require_GET
def quote_pdf(request: EloRequest, pk: int) -> HttpResponse:
    """The quote as the customer gets it, as a PDF download."""
    from elo.sales.documents import quote_filename, quote_pdf

    quote = selectors.quote_detail_for(request.user, pk)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    disposition = content_disposition_header(as_attachment=True, filename=quote_filename(quote))
    response["Content-Disposition"] = disposition or "attachment"
    return response
