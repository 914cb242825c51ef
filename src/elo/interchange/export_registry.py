"""What each list exports: its filters (read like the list page reads them), its rows (the
list's own selector, so visibility and filters match the page) and its columns.

People, organizations and deals keep Elo's own importer columns, so an export loads back.
Rows are typed (numbers, dates, text); the CSV and XLSX writers in `exports` turn them into
cells. A new list export is one more `ExportEntity` in `ENTITIES`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elo.activities import selectors as activities
from elo.activities.choices import ActivityKind
from elo.activities.models import Activity
from elo.billing import selectors as billing
from elo.billing.choices import InvoiceStatus, OrderStatus, PaymentMethod
from elo.billing.models import Invoice, Order, Payment
from elo.contacts import selectors as contacts
from elo.contacts.filters import RecordFilter
from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.sales import selectors as sales
from elo.sales.choices import DealStatus, LeadStatus, QuoteStatus
from elo.sales.models import Deal, DealPerson, Lead, Quote

CSV, XLSX, VCF, ICS = "csv", "xlsx", "vcf", "ics"
FORMATS = (CSV, XLSX, VCF, ICS)
RECORD_FILTERS = ("q", "owner", "team", "tag", "created_after", "created_before",
                  "updated_after", "updated_before", "cf_<key>", "deleted")  # fmt: skip


@dataclass(frozen=True)
class ExportEntity:
    """One exportable list.

    `parse` reads the list's query parameters (ValidationError by field on a bad value);
    `queryset` is the list's selector for those filters, with what the rows need loaded;
    `row` turns one record into the values under `columns` (custom fields follow them);
    `filters` names the query parameters `parse` reads, for the API's documentation;
    `attach`, when given, loads a chunk's related values in a few value queries (far
    cheaper than building related model instances for 100,000 rows)."""

    name: str
    label: Promise
    columns: tuple[str, ...]
    parse: Callable[[Mapping[str, Any]], Any]
    queryset: Callable[[Any, Any], models.QuerySet[Any]]
    row: Callable[[Any], list[Any]]
    filters: tuple[str, ...]
    custom_fields: str = ""
    formats: tuple[str, ...] = (CSV, XLSX)
    attach: Callable[[list[Any]], None] | None = None


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- reading filters ----------------------------------------------------------------------


class _Params:
    """Query parameters read into typed filters; every bad value is kept, by field."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.errors: dict[str, str] = {}

    def _raw(self, name: str) -> str:
        value = self.params.get(name)
        return "" if value is None else str(value).strip()

    def text(self, name: str) -> str:
        return self._raw(name)[:200]

    def number(self, name: str) -> int | None:
        raw = self._raw(name)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            self.errors[name] = _("Enter a whole number.")
            return None

    def choice(self, name: str, choices: Any, *extra: str) -> str:
        raw = self._raw(name)
        if raw and raw not in {*choices.values, *extra}:
            self.errors[name] = _("Pick one of: %s.") % ", ".join([*choices.values, *extra])
            return ""
        return raw

    def date(self, name: str) -> Any:
        raw = self._raw(name)
        if not raw:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("Enter a date as YYYY-MM-DD.")
            return None

    def flag(self, name: str) -> bool | None:
        raw = self._raw(name).lower()
        if not raw:
            return None
        if raw in {"1", "true", "yes"}:
            return True
        if raw in {"0", "false", "no"}:
            return False
        self.errors[name] = _("Enter true or false.")
        return None

    def done(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.errors:
            raise ValidationError(self.errors)
        return {name: value for name, value in values.items() if value not in (None, "")}


def _record_filters(params: Mapping[str, Any]) -> RecordFilter:
    return RecordFilter.from_params(params)


def _lead_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done(
        {
            "q": read.text("q"),
            "status": read.choice("status", LeadStatus),
            "owner": read.number("owner"),
        }
    )


def _deal_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done(
        {
            "q": read.text("q"),
            "pipeline": read.number("pipeline"),
            "stage": read.number("stage"),
            "status": read.choice("status", DealStatus),
            "owner": read.number("owner"),
            "team": read.number("team"),
            "tag": read.text("tag"),
            "close_from": read.date("close_from"),
            "close_to": read.date("close_to"),
        }
    )


def _activity_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done(
        {
            "kind": read.choice("kind", ActivityKind),
            "person": read.number("person"),
            "organization": read.number("organization"),
            "lead": read.number("lead"),
            "deal": read.number("deal"),
            "assignee": read.number("assignee"),
            "is_open": read.flag("open"),
        }
    )


def _quote_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done(
        {
            "q": read.text("q"),
            "status": read.choice("status", QuoteStatus),
            "owner": read.number("owner"),
            "deal": read.number("deal"),
        }
    )


def _order_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done({"status": read.choice("status", OrderStatus)})


def _invoice_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    status = read.choice("status", InvoiceStatus, "overdue")
    return read.done(
        {
            "status": "" if status == "overdue" else status,
            "overdue": True if status == "overdue" else None,
            "customer": read.text("customer"),
        }
    )


def _payment_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    read = _Params(params)
    return read.done(
        {"method": read.choice("method", PaymentMethod), "invoice": read.number("invoice")}
    )


# --- rows ---------------------------------------------------------------------------------


def _tags(record: Any) -> str:
    return ", ".join(tag.name for tag in record.tags.all())


def _email(user: Any) -> str:
    return user.email if user is not None else ""


def _name(record: Any) -> str:
    return str(record) if record is not None else ""


def _people(user: Any, filters: RecordFilter) -> models.QuerySet[Person]:
    return contacts.people_matching(user, filters).select_related("owner")


def _attach_people(people: list[Person]) -> None:
    """Each person's emails, phones, first job and tags, as `person.export_values`."""
    ids = [person.pk for person in people]
    values: dict[int, dict[str, Any]] = {
        pk: {"emails": [], "phones": [], "job": None, "tags": []} for pk in ids
    }
    emails = PersonEmail.objects.filter(person_id__in=ids).order_by("position", "id")
    for pk, email in emails.values_list("person_id", "email"):
        values[pk]["emails"].append(email)
    phones = PersonPhone.objects.filter(person_id__in=ids).order_by("position", "id")
    for pk, number in phones.values_list("person_id", "number"):
        values[pk]["phones"].append(number)
    jobs = Employment.objects.filter(person_id__in=ids).order_by("position", "id")
    for pk, *job in jobs.values_list(
        "person_id", "organization_id", "organization__external_id", "organization__name",
        "job_title",
    ):  # fmt: skip
        if values[pk]["job"] is None:
            values[pk]["job"] = job
    _attach_tags(Person, ids, values)
    for person in people:
        person.export_values = values[person.pk]  # type: ignore[attr-defined]


def _attach_tags(model: Any, ids: list[int], values: dict[int, dict[str, Any]]) -> None:
    field = f"{model._meta.model_name}_id"
    links = model.tags.through.objects.filter(**{f"{field}__in": ids})
    for pk, name in links.order_by("tag__name", "tag_id").values_list(field, "tag__name"):
        values[pk]["tags"].append(name)


def _person_row(person: Person) -> list[Any]:
    loaded = person.export_values  # type: ignore[attr-defined]
    organization_id, organization_external_id, organization, job_title = loaded["job"] or (
        None,
        "",
        "",
        "",
    )
    return [
        person.pk,
        person.external_id,
        person.given_name,
        person.family_name,
        ", ".join(loaded["emails"]),
        ", ".join(loaded["phones"]),
        organization_id,
        organization_external_id,
        organization,
        job_title,
        person.street,
        person.city,
        person.region,
        person.postal_code,
        person.country,
        person.preferred_language,
        person.lifecycle_stage,
        person.source,
        ", ".join(loaded["tags"]),
        _email(person.owner),
        person.created_at,
    ]


def _organizations(user: Any, filters: RecordFilter) -> models.QuerySet[Organization]:
    # The list's own selector; tags come as plain values (see `_attach_organizations`).
    return contacts.organizations_for_list(user, filters).prefetch_related(None)


def _attach_organizations(organizations: list[Organization]) -> None:
    ids = [organization.pk for organization in organizations]
    values: dict[int, dict[str, Any]] = {pk: {"tags": []} for pk in ids}
    _attach_tags(Organization, ids, values)
    for organization in organizations:
        organization.export_values = values[organization.pk]  # type: ignore[attr-defined]


def _organization_row(organization: Organization) -> list[Any]:
    address = organization.addresses[0] if organization.addresses else {}
    return [
        organization.pk,
        organization.external_id,
        organization.name,
        ", ".join(organization.domains),
        organization.industry,
        organization.size,
        organization.tax_id,
        organization.website,
        ", ".join(organization.phones),
        *[address.get(key, "") for key in ("street", "city", "region", "postal_code", "country")],
        ", ".join(organization.export_values["tags"]),  # type: ignore[attr-defined]
        _email(organization.owner),
        organization.created_at,
    ]


def _leads(user: Any, filters: dict[str, Any]) -> models.QuerySet[Lead]:
    return sales.lead_list_for(user, **filters).select_related("owner")


def _lead_row(lead: Lead) -> list[Any]:
    return [
        lead.pk,
        lead.external_id,
        lead.given_name,
        lead.family_name,
        lead.email,
        lead.phone,
        lead.company,
        lead.job_title,
        lead.website,
        lead.industry,
        lead.size,
        lead.city,
        lead.region,
        lead.postal_code,
        lead.country,
        lead.source,
        lead.status,
        lead.score,
        lead.disqualify_reason,
        lead.message,
        _tags(lead),
        _email(lead.owner),
        lead.created_at,
        lead.converted_at,
    ]


def _deals(user: Any, filters: dict[str, Any]) -> models.QuerySet[Deal]:
    return (
        sales.deal_list_for(user, **filters)
        .select_related("pipeline", "stage", "owner", "organization")
        .prefetch_related(
            "tags",
            models.Prefetch(
                "contacts",
                queryset=DealPerson.objects.select_related("person").order_by("position", "id"),
            ),
        )
    )


def _deal_row(deal: Deal) -> list[Any]:
    links: list[DealPerson] = list(deal.contacts.all())
    person = links[0].person if links else None
    organization = deal.organization
    return [
        deal.pk,
        deal.external_id,
        deal.title,
        deal.pipeline.name,
        deal.stage.name,
        deal.status,
        deal.amount,
        deal.currency,
        deal.probability,
        deal.expected_close,
        deal.close_reason,
        deal.closed_at,
        person.pk if person else None,
        person.external_id if person else "",
        _name(person),
        organization.pk if organization else None,
        organization.external_id if organization else "",
        organization.name if organization else "",
        _tags(deal),
        _email(deal.owner),
        deal.created_at,
    ]


def _activities(user: Any, filters: dict[str, Any]) -> models.QuerySet[Activity]:
    return activities.activity_list_for(user, **filters).select_related("lead", "deal")


def _activity_row(activity: Activity) -> list[Any]:
    person, organization = activity.person, activity.organization
    return [
        activity.pk,
        activity.external_id,
        activity.kind,
        activity.subject,
        activity.body,
        activity.occurred_at,
        activity.due_at,
        activity.done_at,
        activity.starts_at,
        activity.ends_at,
        activity.direction,
        activity.duration_seconds,
        activity.outcome,
        person.pk if person else None,
        person.external_id if person else "",
        _name(person),
        organization.pk if organization else None,
        organization.external_id if organization else "",
        organization.name if organization else "",
        activity.lead_id,
        _name(activity.lead),
        activity.deal_id,
        activity.deal.title if activity.deal else "",
        ", ".join(str(attendee) for attendee in activity.attendees.all()),
        _email(activity.assignee),
        _email(activity.owner),
        activity.created_at,
    ]


def _quotes(user: Any, filters: dict[str, Any]) -> models.QuerySet[Quote]:
    return sales.quote_list_for(user, **filters).select_related(
        "owner", "organization", "person", "deal"
    )


def _quote_row(quote: Quote) -> list[Any]:
    return [
        quote.pk,
        quote.reference,
        quote.title,
        quote.status,
        quote.revision,
        quote.deal.title if quote.deal else "",
        quote.organization.name if quote.organization else "",
        _name(quote.person),
        quote.currency,
        quote.net_total,
        quote.tax_total,
        quote.total,
        quote.valid_until,
        quote.sent_at,
        quote.decided_at,
        _email(quote.owner),
        quote.created_at,
    ]


def _orders(user: Any, filters: dict[str, Any]) -> models.QuerySet[Order]:
    return billing.order_list_for(user, **filters).select_related(
        "owner", "organization", "person", "quote"
    )


def _order_row(order: Order) -> list[Any]:
    return [
        order.pk,
        order.title,
        order.status,
        order.quote.reference if order.quote else "",
        order.organization.name if order.organization else "",
        _name(order.person),
        order.currency,
        order.net_total,
        order.tax_total,
        order.total,
        _email(order.owner),
        order.created_at,
    ]


def _invoices(user: Any, filters: dict[str, Any]) -> models.QuerySet[Invoice]:
    return billing.invoice_list_for(user, **filters).select_related(
        "owner", "series", "organization", "person"
    )


def _invoice_row(invoice: Invoice) -> list[Any]:
    return [
        invoice.pk,
        invoice.reference,
        invoice.status,
        invoice.issue_date,
        invoice.due_date,
        invoice.organization.name if invoice.organization else _name(invoice.person),
        invoice.organization.tax_id if invoice.organization else "",
        invoice.currency,
        invoice.net_total,
        invoice.tax_total,
        invoice.total,
        invoice.paid,
        invoice.credited,
        invoice.balance,
        invoice.sent_at,
        _email(invoice.owner),
        invoice.created_at,
    ]


def _payments(user: Any, filters: dict[str, Any]) -> models.QuerySet[Payment]:
    return billing.payments_for(user, **filters)


def _payment_row(payment: Payment) -> list[Any]:
    return [
        payment.pk,
        payment.invoice.reference,
        payment.paid_on,
        payment.method,
        payment.amount,
        payment.invoice.currency,
        payment.reference,
        payment.created_at,
    ]


ENTITIES: dict[str, ExportEntity] = {
    entity.name: entity
    for entity in (
        ExportEntity(
            name="people",
            label=gettext_lazy("People list"),
            columns=_names(
                "elo_id external_id given_name family_name emails phones organization_elo_id "
                "organization_external_id organization job_title street city region postal_code "
                "country preferred_language lifecycle_stage source tags owner created_at"
            ),
            filters=("lifecycle_stage", *RECORD_FILTERS),
            parse=_record_filters,
            queryset=_people,
            row=_person_row,
            attach=_attach_people,
            custom_fields="person",
            formats=(CSV, XLSX, VCF),
        ),
        ExportEntity(
            name="organizations",
            label=gettext_lazy("Organizations list"),
            columns=_names(
                "elo_id external_id name domains industry size tax_id website phones street city "
                "region postal_code country tags owner created_at"
            ),
            filters=RECORD_FILTERS,
            parse=_record_filters,
            queryset=_organizations,
            row=_organization_row,
            attach=_attach_organizations,
            custom_fields="organization",
        ),
        ExportEntity(
            name="leads",
            label=gettext_lazy("Leads list"),
            columns=_names(
                "elo_id external_id given_name family_name email phone company job_title website "
                "industry size city region postal_code country source status score "
                "disqualify_reason message tags owner created_at converted_at"
            ),
            filters=("q", "status", "owner"),
            parse=_lead_filters,
            queryset=_leads,
            row=_lead_row,
            custom_fields="lead",
        ),
        ExportEntity(
            name="deals",
            label=gettext_lazy("Deals list"),
            columns=_names(
                "elo_id external_id title pipeline stage status amount currency probability "
                "expected_close close_reason closed_at person_elo_id person_external_id person "
                "organization_elo_id organization_external_id organization tags owner created_at"
            ),
            filters=_names("q pipeline stage status owner team tag close_from close_to"),
            parse=_deal_filters,
            queryset=_deals,
            row=_deal_row,
            custom_fields="deal",
        ),
        ExportEntity(
            name="activities",
            label=gettext_lazy("Activities list"),
            columns=_names(
                "elo_id external_id kind subject body occurred_at due_at done_at starts_at "
                "ends_at direction duration_seconds outcome person_elo_id person_external_id "
                "person organization_elo_id organization_external_id organization lead_elo_id "
                "lead deal_elo_id deal attendees assignee owner created_at"
            ),
            filters=("kind", "person", "organization", "lead", "deal", "assignee", "open"),
            parse=_activity_filters,
            queryset=_activities,
            row=_activity_row,
            formats=(CSV, XLSX, ICS),
        ),
        ExportEntity(
            name="quotes",
            label=gettext_lazy("Quotes list"),
            columns=_names(
                "elo_id reference title status revision deal organization person currency net tax "
                "total valid_until sent_at decided_at owner created_at"
            ),
            filters=("q", "status", "owner", "deal"),
            parse=_quote_filters,
            queryset=_quotes,
            row=_quote_row,
        ),
        ExportEntity(
            name="orders",
            label=gettext_lazy("Orders list"),
            columns=_names(
                "elo_id title status quote organization person currency net tax total owner "
                "created_at"
            ),
            filters=("status",),
            parse=_order_filters,
            queryset=_orders,
            row=_order_row,
        ),
        ExportEntity(
            name="invoices",
            label=gettext_lazy("Invoices list"),
            columns=_names(
                "elo_id reference status issue_date due_date customer tax_id currency net tax "
                "total paid credited balance sent_at owner created_at"
            ),
            filters=("status", "customer"),
            parse=_invoice_filters,
            queryset=_invoices,
            row=_invoice_row,
        ),
        ExportEntity(
            name="payments",
            label=gettext_lazy("Payments list"),
            columns=_names("elo_id invoice paid_on method amount currency reference created_at"),
            filters=("method", "invoice"),
            parse=_payment_filters,
            queryset=_payments,
            row=_payment_row,
        ),
    )
}
