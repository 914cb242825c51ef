"""The consent section of a person's page, the purposes settings pages, and the pages a
person opens from an email without an account (confirm a grant, withdraw one)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from elo.contacts.selectors import person_get_for
from elo.core.errors import PreconditionFailed
from elo.core.forms import add_service_errors
from elo.core.views import permission_required, posted
from elo.privacy import erasure, selectors, services
from elo.privacy.choices import Channel, ConsentSource, RequestKind, RequestStatus
from elo.privacy.forms import (
    ConsentRecordForm,
    ErasureCheckForm,
    IdentityCheckForm,
    PurposeForm,
    RequestStatusForm,
    SubjectRequestForm,
)


def _proof(request: HttpRequest) -> dict[str, Any]:
    return {
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.headers.get("User-Agent", "")[:500],
    }


def _section(request: HttpRequest, person: Any, form: ConsentRecordForm | None) -> HttpResponse:
    rows = selectors.consent_matrix(person)
    # Nothing more is recorded about an erased person (the service refuses it too).
    can_change = person.erased_at is None and request.user.has_elo_perm(  # type: ignore[union-attr]
        "contacts.change"
    )
    if form is None and can_change:
        form = ConsentRecordForm(purposes=[row.purpose for row in rows])
    context = {"person": person, "rows": rows, "form": form, "can_change": can_change}
    return render(request, "privacy/person_consents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_consents(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the matrix; POST: an agent records a grant or withdrawal, then the matrix again."""
    if request.method == "GET":
        return _section(request, person_get_for(request.user, pk, related=False), None)
    person = person_get_for(request.user, pk, action="change", related=False)
    form = ConsentRecordForm(request.POST, purposes=list(selectors.purpose_list(active_only=True)))
    if form.is_valid():
        try:
            services.consent_record(
                actor=request.user, person=person, source=ConsentSource.AGENT, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.headers.get("HX-Request"):
                return redirect("contacts:person_detail", pk=person.pk)
            return _section(request, person, None)
    return _section(request, person, form)


# --- settings: purposes ---------------------------------------------------------------------


@permission_required("settings.manage")
def purpose_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/purpose_list.html", {"purposes": selectors.purpose_list()})


@permission_required("settings.manage")
def purpose_create(request: HttpRequest) -> HttpResponse:
    form = PurposeForm(posted(request))
    if form.is_valid():
        try:
            purpose = services.purpose_create(actor=request.user, data=form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Purpose “%(name)s” added.") % {"name": purpose})
            return redirect("privacy:purpose_list")
    return render(request, "privacy/purpose_form.html", {"form": form, "purpose": None})


@permission_required("settings.manage")
def purpose_edit(request: HttpRequest, pk: int) -> HttpResponse:
    purpose = selectors.purpose_get(pk)
    initial = {name: getattr(purpose, name) for name in services.PURPOSE_FIELDS}
    form = PurposeForm(
        posted(request), initial={**initial, "version": purpose.version}, editing=True
    )
    if form.is_valid():
        try:
            services.purpose_update(
                actor=request.user,
                purpose=purpose,
                data=form.data_for_service(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PreconditionFailed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Purpose “%(name)s” saved.") % {"name": purpose.name})
            return redirect("privacy:purpose_list")
    return render(request, "privacy/purpose_form.html", {"form": form, "purpose": purpose})


# --- the person's side: links in emails -----------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _speak(request: HttpRequest, language: str) -> None:
    """Pages from an email speak the person's language unless they chose one here."""
    if language and not request.COOKIES.get("django_language"):
        translation.activate(language)


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: opening it records the confirmed grant."""
    try:
        event = services.consent_confirm(token=token, **_proof(request))
    except ValidationError:
        page = render(request, "privacy/public_confirm.html", {"event": None}, status=410)
        return _public(page)
    _speak(request, event.person.preferred_language)
    return _public(render(request, "privacy/public_confirm.html", {"event": event}))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """One-click withdrawal: GET asks, POST records. A mail client's RFC 8058 one-click
    POST (body `List-Unsubscribe=One-Click`, no cookies) is the same POST; the signed token
    is the authority, so there is no CSRF token to check."""
    person, purpose, channel = services.withdrawal_for_token(token)
    _speak(request, person.preferred_language)
    if request.method == "POST":
        services.consent_withdraw_by_link(token=token, **_proof(request))
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return _public(HttpResponse(status=200))
        done = True
    else:
        done = False
    label = Channel(channel).label
    context = {"purpose": purpose, "channel": label, "done": done, "token": token}
    return _public(render(request, "privacy/public_withdraw.html", context))


# --- settings: data subject requests --------------------------------------------------------


@permission_required("settings.manage")
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    page = selectors.request_list_for(
        request.user,
        status=status if status in RequestStatus.values else None,
        overdue=overdue,
        cursor=request.GET.get("cursor") or None,
        size=50,
    )
    context = {
        "page": page,
        "statuses": RequestStatus.choices,
        "status": status,
        "overdue": request.GET.get("overdue", ""),
    }
    return render(request, "privacy/request_list.html", context)


@permission_required("settings.manage")
def request_create(request: HttpRequest) -> HttpResponse:
    form = SubjectRequestForm(posted(request), initial={"person": request.GET.get("person")})
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = person_get_for(request.user, data.pop("person"), related=False)
            created = services.request_create(actor=request.user, person=person, **data)
        except Http404:
            form.add_error("person", _("No person with this ID."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Request logged."))
            return redirect("privacy:request_detail", pk=created.pk)
    return render(request, "privacy/request_form.html", {"form": form})


def _detail(request: HttpRequest, found: Any, **forms: Any) -> HttpResponse:
    initial = {"version": found.version}
    context = {
        "item": found,
        "verify_form": forms.get("verify_form") or IdentityCheckForm(initial=initial),
        "status_form": forms.get("status_form") or RequestStatusForm(initial=initial),
        "can_build": found.kind in services.BUNDLE_KINDS
        and found.status in (RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS),
        "transitions": services.TRANSITIONS[found.status],
        "can_erase": found.kind == RequestKind.ERASURE
        and found.status in (RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS)
        and found.person.erased_at is None,
    }
    return render(request, "privacy/request_detail.html", context)


@permission_required("settings.manage")
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.request_get_for(request.user, pk))


@permission_required("settings.manage")
@require_http_methods(["POST"])
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """verify, status or bundle: each calls one service, then back to the detail page."""
    if action not in ("verify", "status", "bundle"):
        raise Http404
    found = selectors.request_get_for(request.user, pk)
    form: Any = None
    try:
        if action == "verify":
            form = IdentityCheckForm(request.POST)
            if form.is_valid():
                services.request_verify_identity(
                    actor=request.user,
                    request=found,
                    identity_check=form.cleaned_data["identity_check"],
                    expected_version=form.cleaned_data["version"],
                )
                return redirect("privacy:request_detail", pk=pk)
            return _detail(request, found, verify_form=form)
        if action == "status":
            form = RequestStatusForm(request.POST)
            if form.is_valid():
                services.request_set_status(
                    actor=request.user,
                    request=found,
                    status=form.cleaned_data["status"],
                    notes=form.cleaned_data["notes"] or None,
                    expected_version=form.cleaned_data["version"],
                )
                return redirect("privacy:request_detail", pk=pk)
            return _detail(request, found, status_form=form)
        services.request_build_bundle(actor=request.user, request=found)
        messages.success(request, _("The bundle is ready to download."))
    except (ValidationError, PreconditionFailed) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    return redirect("privacy:request_detail", pk=pk)


@permission_required("settings.manage")
@require_GET
def request_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.request_get_for(request.user, pk)
    try:
        content = services.request_bundle_download(actor=request.user, request=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("privacy:request_detail", pk=pk)
    reply = HttpResponse(content, content_type="application/zip")
    reply["Content-Disposition"] = f'attachment; filename="person-{found.person_id}-data.zip"'
    reply["Cache-Control"] = "no-store"
    return reply


# --- erasure (confirmed twice) -----------------------------------------------------------------

COUNT_LABELS = {
    "people": gettext_lazy("The person, and people merged into them"),
    "emails": gettext_lazy("Email addresses (removed)"),
    "phones": gettext_lazy("Phone numbers (removed)"),
    "jobs": gettext_lazy("Jobs at organizations (removed)"),
    "leads": gettext_lazy("Leads"),
    "activities": gettext_lazy("Timeline entries"),
    "deals": gettext_lazy("Deals"),
    "deal_lines": gettext_lazy("Deal lines"),
    "quotes": gettext_lazy("Quotes"),
    "quote_lines": gettext_lazy("Quote lines"),
    "orders": gettext_lazy("Orders"),
    "invoices": gettext_lazy("Invoices"),
    "invoice_lines": gettext_lazy("Draft invoice lines"),
    "payments": gettext_lazy("Payments"),
    "credit_notes": gettext_lazy("Credit notes"),
    "subject_requests": gettext_lazy("Privacy requests"),
    "consent_events": gettext_lazy("Consent records (proof removed)"),
    "access_log": gettext_lazy("Access log entries"),
    "audit_entries": gettext_lazy("Audit log entries (redacted)"),
    "outbox_events": gettext_lazy("Events"),
    "webhook_deliveries": gettext_lazy("Webhook deliveries"),
    "webhook_attempts": gettext_lazy("Webhook attempts"),
    "workflow_runs": gettext_lazy("Workflow runs"),
    "workflow_steps": gettext_lazy("Workflow steps"),
    "import_reports": gettext_lazy("Import reports"),
}


def _count_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) in the order of COUNT_LABELS, kinds it does not name last."""
    order = {key: index for index, key in enumerate(COUNT_LABELS)}
    keys = sorted(counts, key=lambda key: (order.get(key, len(order)), key))
    return [(str(COUNT_LABELS.get(key, key)), counts[key]) for key in keys]


@permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def request_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """First confirmation: what would be erased, and the person's name (or ERASE) typed.
    A correct answer leads to the final confirmation; nothing changes on this page."""
    found = selectors.request_get_for(request.user, pk)
    try:
        counts, token = erasure.request_erase_preview(actor=request.user, request=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("privacy:request_detail", pk=pk)
    form = ErasureCheckForm(posted(request), expected=str(found.person))
    context = {"item": found, "counts": _count_rows(counts), "form": form}
    if form.is_valid():
        return render(request, "privacy/request_erase_confirm.html", {**context, "token": token})
    return render(request, "privacy/request_erase.html", context)


@permission_required("settings.manage")
@require_http_methods(["POST"])
def request_erase_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Final confirmation: erases the person, completes the request and shows the counts."""
    found = selectors.request_get_for(request.user, pk)
    name = str(found.person)
    try:
        counts = erasure.request_erase(
            actor=request.user, request=found, confirmation=request.POST.get("confirmation", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("privacy:request_erase", pk=pk)
    context = {"item": found, "counts": _count_rows(counts), "name": name}
    return render(request, "privacy/request_erase_done.html", context)
