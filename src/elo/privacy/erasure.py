"""Erasure ("the right to be forgotten"): a person, or a lead on its own, anonymized everywhere.

Irreversible. The rows stay, so deals, orders, invoices, payments and every count and sum
stay correct; what goes is every personal value:

- the person's own fields (names, address, external id, custom fields, search text), their
  emails, phones and jobs; the people merged into them (their old values) the same way;
- leads linked to them or sharing one of their emails, anonymized;
- every mention of an original value in free text and JSON, replaced with `MARKER`: in the
  records about them (timeline, deals, quotes, orders, draft invoices, payments, consents,
  requests) and, found by the values that identify them on their own (emails, phones, full
  name, ...), in the audit log, the outbox, webhook deliveries, workflow runs and import
  reports anywhere;
- the proof of their consents (IP address, user agent, form submission id), through the one
  sanctioned redaction path of the append-only ledger (`ConsentEventQuerySet.redact`).

What is not personal stays: the person's country, lifecycle stage, source, owner, team and
tags, a lead's status, source and company (minus mentions), every amount and date. The
person reads as "Erased person #<id>" and can no longer be edited, restored or merged.

Audit entries are redacted, never deleted. Issued invoices keep their billed-party snapshot
(`Invoice.billed_to`, taken at issue) as the law requires; drafts lose it like anything else.
Activities have no file attachments in Elo; a timeline entry's text is all there is to redact.

`erasure_preview` runs the same code without writing, so a preview's counts are exactly what
the erasure will touch.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.contacts.models import Employment, Person, PersonEmail, PersonPhone
from elo.core import audit, context, events, markdown
from elo.core.models import AuditEntry, CustomField, CustomFieldType
from elo.core.permissions import require
from elo.core.text import fold
from elo.privacy.choices import RequestKind, RequestStatus
from elo.privacy.models import ConsentEvent, SubjectRequest
from elo.privacy.redaction import MARKER, Needles, Redactor

ERASED_NAME = "Erased person"
ERASED_LEAD_NAME = "Erased lead"
PERMISSION = "settings.manage"
SYSTEM_ACTOR = context.Actor(kind="system", label="privacy erasure")
# Custom field types whose values are the person's own words (not admin-defined choices).
FREE_CUSTOM_TYPES = {
    CustomFieldType.TEXT,
    CustomFieldType.EMAIL,
    CustomFieldType.URL,
    CustomFieldType.DATE,
    CustomFieldType.DECIMAL,
    CustomFieldType.NUMBER,
}


# --- the work ---------------------------------------------------------------------------------


@dataclass
class Scope:
    """What is known to be about the erased person or lead, by id."""

    people: set[int] = field(default_factory=set)
    leads: set[int] = field(default_factory=set)
    deals: set[int] = field(default_factory=set)
    quotes: set[int] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)
    invoices: set[int] = field(default_factory=set)
    activities: set[int] = field(default_factory=set)
    requests: set[int] = field(default_factory=set)
    consents: set[int] = field(default_factory=set)

    def objects(self) -> list[tuple[str, set[int]]]:
        return [
            ("contacts.person", self.people),
            ("sales.lead", self.leads),
            ("sales.deal", self.deals),
            ("sales.quote", self.quotes),
            ("billing.order", self.orders),
            ("billing.invoice", self.invoices),
            ("activities.activity", self.activities),
            ("privacy.subjectrequest", self.requests),
            ("privacy.consentevent", self.consents),
        ]


class Eraser:
    """One erasure: finds the rows, redacts them, and counts what changed. With `dry_run`
    nothing is written and the counts say what would change."""

    def __init__(self, *, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.counts: dict[str, int] = {}
        self.needles = Needles()
        self.scope = Scope()
        self.now = timezone.now()
        self._redactor: Redactor | None = None

    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            self.needles.weak -= self.needles.strong
            self._redactor = Redactor(self.needles)
        return self._redactor

    def count(self, key: str, number: int) -> None:
        if number:
            self.counts[key] = self.counts.get(key, 0) + number

    def save(self, key: str, model: type[models.Model], rows: list[Any], names: list[str]) -> None:
        self.count(key, len(rows))
        if rows and not self.dry_run:
            model._base_manager.bulk_update(rows, names, batch_size=500)

    # --- collecting what belongs to the person ------------------------------------------------

    def collect_person(self, person: Person) -> list[Person]:
        """The person and everyone merged into them (the whole chain), with their values;
        fresh rows, so that a dry run leaves the caller's instances as they were."""
        chain = {row.pk: row for row in Person._base_manager.filter(pk=person.pk)}
        frontier = [person.pk]
        while frontier:
            merged = list(Person._base_manager.filter(merged_into_id__in=frontier))
            frontier = [row.pk for row in merged if row.pk not in chain]
            chain.update({row.pk: row for row in merged})
        people = list(chain.values())
        ids = list(chain)
        self.scope.people.update(ids)
        custom_types = {
            row.key: row.field_type for row in CustomField.objects.filter(entity="person")
        }
        for row in people:
            self._person_needles(row, custom_types)
        for email in PersonEmail.objects.filter(person_id__in=ids).values_list("email", flat=True):
            self.needles.add(email, strong=True)
        for number in PersonPhone.objects.filter(person_id__in=ids).values_list(
            "number", flat=True
        ):
            self.needles.add_phone(number)
        return people

    def _person_needles(self, row: Person, custom_types: dict[str, str]) -> None:
        if row.erased_at is None:
            self.needles.add_name(row.given_name, row.family_name)
        self.needles.add(row.primary_email, strong=True)
        self.needles.add_phone(row.primary_phone)
        self.needles.add(row.street)
        for name in ("city", "region", "postal_code"):
            self.needles.add(getattr(row, name), strong=False)
        self.needles.add(row.external_id, strong=len(row.external_id) >= 4)
        self._custom_needles(row.custom, custom_types)

    def _custom_needles(self, values: dict[str, Any], types: dict[str, str]) -> None:
        for key, value in (values or {}).items():
            kind = types.get(key, CustomFieldType.TEXT)
            if kind not in FREE_CUSTOM_TYPES or isinstance(value, bool | list | dict):
                continue
            if kind in (CustomFieldType.NUMBER, CustomFieldType.DECIMAL):
                self.needles.add(value, strong=False)
            else:
                self.needles.add(value)

    def collect_leads(self, leads: Iterable[Any]) -> list[Any]:
        custom_types = {
            row.key: row.field_type for row in CustomField.objects.filter(entity="lead")
        }
        found = []
        for lead in leads:
            found.append(lead)
            self.scope.leads.add(lead.pk)
            if lead.erased_at is None:
                self.needles.add_name(lead.given_name, lead.family_name)
            self.needles.add(lead.email, strong=True)
            self.needles.add_phone(lead.phone)
            self.needles.add(lead.website)
            for name in ("city", "region", "postal_code"):
                self.needles.add(getattr(lead, name), strong=False)
            self.needles.add(lead.external_id, strong=len(lead.external_id) >= 4)
            self._custom_needles(lead.custom, custom_types)
        return found

    def leads_of_people(self) -> list[Any]:
        lead = apps.get_model("sales.Lead")
        emails = [value for value in self.needles.strong if "@" in value]
        condition = models.Q(person_id__in=self.scope.people)
        for email in emails:
            condition |= models.Q(email__iexact=email)
        return list(lead._base_manager.filter(condition).order_by("pk"))

    def collect_records(self) -> None:
        """Ids of the deals, quotes, orders, invoices, timeline entries, requests and consent
        events about the people and leads in scope."""
        people, leads = self.scope.people, self.scope.leads
        deal = apps.get_model("sales.Deal")
        deal_person = apps.get_model("sales.DealPerson")
        lead_model = apps.get_model("sales.Lead")
        quote = apps.get_model("sales.Quote")
        order = apps.get_model("billing.Order")
        invoice = apps.get_model("billing.Invoice")
        activity = apps.get_model("activities.Activity")
        self.scope.deals.update(
            deal_person.objects.filter(person_id__in=people).values_list("deal_id", flat=True)
        )
        self.scope.deals.update(
            deal._base_manager.filter(source_lead_id__in=leads).values_list("pk", flat=True)
        )
        self.scope.deals.update(
            lead_model._base_manager.filter(pk__in=leads, deal__isnull=False).values_list(
                "deal_id", flat=True
            )
        )
        self.scope.quotes.update(
            quote._base_manager.filter(person_id__in=people).values_list("pk", flat=True)
        )
        self.scope.orders.update(
            order._base_manager.filter(person_id__in=people).values_list("pk", flat=True)
        )
        self.scope.invoices.update(
            invoice._base_manager.filter(person_id__in=people).values_list("pk", flat=True)
        )
        self.scope.activities.update(
            activity._base_manager.filter(
                models.Q(person_id__in=people)
                | models.Q(lead_id__in=leads)
                | models.Q(deal_id__in=self.scope.deals)
                | models.Q(attendees__in=people)
            ).values_list("pk", flat=True)
        )
        self.scope.requests.update(
            SubjectRequest.objects.filter(person_id__in=people).values_list("pk", flat=True)
        )
        consents = ConsentEvent.objects.filter(person_id__in=people).values_list(
            "pk", "ip_address", "user_agent", "submission_id"
        )
        for pk, ip_address, user_agent, submission_id in consents:
            self.scope.consents.add(pk)
            for proof in (ip_address, user_agent, submission_id):
                self.needles.add(proof, strong=True)

    # --- rewriting the records in scope ---------------------------------------------------

    def erase_people(self, people: list[Person]) -> None:
        ids = [row.pk for row in people]
        self.count("emails", PersonEmail.objects.filter(person_id__in=ids).count())
        self.count("phones", PersonPhone.objects.filter(person_id__in=ids).count())
        self.count("jobs", Employment.objects.filter(person_id__in=ids).count())
        if not self.dry_run:
            PersonEmail.objects.filter(person_id__in=ids).delete()
            PersonPhone.objects.filter(person_id__in=ids).delete()
            Employment.objects.filter(person_id__in=ids).delete()
        for row in people:
            row.given_name = ERASED_NAME
            row.family_name = f"#{row.pk}"
            row.sort_name = fold(f"{ERASED_NAME} {row.pk}")
            row.primary_email = row.primary_phone = ""
            row.street = row.city = row.region = row.postal_code = ""
            row.preferred_language = ""
            row.external_id = ""
            row.custom = {}
            row.search_text = ""
            row.erased_at = row.erased_at or self.now
            row.version += 1
            row.updated_at = self.now
        self.save("people", Person, people, PERSON_FIELDS)

    def erase_leads(self, leads: list[Any]) -> None:
        text = self.redactor.text
        for lead in leads:
            lead.given_name = ERASED_LEAD_NAME
            lead.family_name = f"#{lead.pk}"
            lead.email = lead.phone = lead.job_title = lead.website = ""
            lead.city = lead.region = lead.postal_code = lead.external_id = ""
            lead.company = text(lead.company)
            lead.message = text(lead.message)
            lead.disqualify_reason = text(lead.disqualify_reason)
            lead.custom = {}
            lead.erased_at = lead.erased_at or self.now
            lead.version += 1
            lead.updated_at = self.now
        self.save("leads", apps.get_model("sales.Lead"), leads, LEAD_FIELDS)

    def redact_rows(
        self,
        key: str,
        label: str,
        ids: set[int] | None,
        names: list[str],
        *,
        scan: bool = False,
        extra: models.Q | None = None,
        after: Any = None,
    ) -> list[Any]:
        """Rows of `label` in scope (by `ids`, or `extra`) and, with `scan`, rows whose
        `names` mention a strong value anywhere; mentions in `names` replaced."""
        model = apps.get_model(label)
        condition = models.Q(pk__in=ids) if ids else models.Q(pk__in=[])
        if extra is not None:
            condition |= extra
        queryset = model._base_manager.all()
        if scan:
            queryset, mentions = self.mentioning(queryset, names)
            condition |= mentions
        rows = list(queryset.filter(condition).order_by("pk"))
        changed = []
        for row in rows:
            dirty = False
            for name in names:
                old = getattr(row, name)
                new = self.redactor.text(old) if isinstance(old, str) else self.redactor.json(old)
                if new != old:
                    setattr(row, name, new)
                    dirty = True
            if after is not None:
                dirty = after(row) or dirty
            if dirty:
                changed.append(row)
        self.save(key, model, changed, names + (AFTER_FIELDS.get(label, [])))
        return changed

    def mentioning(
        self, queryset: models.QuerySet[Any], names: list[str]
    ) -> tuple[models.QuerySet[Any], models.Q]:
        """The condition "one of `names` mentions a strong value", case-insensitive. On
        PostgreSQL one regular expression per column (each JSON column cast to text once);
        elsewhere one LIKE per value and column."""
        condition = models.Q(pk__in=[])
        values = self.needles.lookups()
        if not values:
            return queryset, condition
        if connection.vendor != "postgresql":
            for value in values:
                for name in names:
                    condition |= models.Q(**{f"{name}__icontains": value})
            return queryset, condition
        pattern = "|".join(re.escape(value) for value in values)
        aliases: dict[str, Any] = {}
        for name in names:
            column = name
            if isinstance(queryset.model._meta.get_field(name), models.JSONField):
                column = f"erasure_{name}_text"
                aliases[column] = Cast(name, models.TextField())
            condition |= models.Q(**{f"{column}__iregex": pattern})
        return queryset.alias(**aliases), condition

    def redact_records(self) -> None:
        scope = self.scope

        def render(row: Any) -> bool:
            html = markdown.render(row.body) if row.body else ""
            changed = html != row.body_html
            row.body_html = html
            return changed

        self.redact_rows(
            "activities",
            "activities.Activity",
            scope.activities,
            ["subject", "body", "email_from", "email_to", "custom"],
            after=render,
        )
        self.redact_rows("deals", "sales.Deal", scope.deals, ["title", "close_reason", "custom"])
        self.redact_rows(
            "deal_lines", "sales.DealLine", None, ["description"], extra=_in("deal", scope.deals)
        )
        self.redact_rows("quotes", "sales.Quote", scope.quotes, ["title", "custom"])
        self.redact_rows(
            "quote_lines",
            "sales.QuoteLine",
            None,
            ["description"],
            extra=_in("quote", scope.quotes),
        )
        self.redact_rows("orders", "billing.Order", scope.orders, ["title", "custom"])
        self.redact_invoices()
        self.redact_rows(
            "subject_requests",
            "privacy.SubjectRequest",
            scope.requests,
            ["identity_check", "notes"],
        )
        self.redact_consents()
        access = "privacy.PersonalDataAccess"
        self.redact_rows(
            "access_log", access, None, ["what", "path"], extra=_in("person", scope.people)
        )

    def redact_invoices(self) -> None:
        invoice = apps.get_model("billing.Invoice")
        drafts = set(
            invoice._base_manager.filter(
                pk__in=self.scope.invoices, number__isnull=True
            ).values_list("pk", flat=True)
        )
        issued = self.scope.invoices - drafts

        def clear_snapshot(row: Any) -> bool:
            if row.pk in drafts and row.billed_to:
                row.billed_to = {}
                return True
            return False

        self.redact_rows(
            "invoices",
            "billing.Invoice",
            self.scope.invoices,
            ["sent_to", "custom"],
            after=clear_snapshot,
        )
        # An issued invoice's lines are part of the legal document; a draft's are not.
        self.redact_rows(
            "invoice_lines",
            "billing.InvoiceLine",
            None,
            ["description"],
            extra=_in("invoice", drafts),
        )
        self.redact_rows(
            "payments", "billing.Payment", None, ["reference"], extra=_in("invoice", issued)
        )
        self.redact_rows(
            "credit_notes",
            "billing.CreditNote",
            None,
            ["reason"],
            extra=_in("invoice", issued),
        )

    def redact_consents(self) -> None:
        rows = list(ConsentEvent.objects.filter(pk__in=self.scope.consents).order_by("pk"))
        changed = []
        for row in rows:
            text = self.redactor.text(row.text)
            if row.ip_address or row.user_agent or row.submission_id or text != row.text:
                changed.append((row.pk, text))
        self.count("consent_events", len(changed))
        if changed and not self.dry_run:
            ConsentEvent.objects.redact(dict(changed))

    # --- everything else: the log, the outbox, webhooks, automation, imports --------------

    def redact_logs(self) -> None:
        self.redact_audit()
        self.redact_rows("outbox_events", "core.OutboxEvent", None, ["payload", "cause"], scan=True)
        if apps.is_installed("elo.webhooks"):
            deliveries = self.redact_rows(
                "webhook_deliveries", "webhooks.Delivery", None, ["payload"], scan=True
            )
            self.redact_rows(
                "webhook_attempts",
                "webhooks.Attempt",
                None,
                ["response_excerpt", "error"],
                scan=True,
                extra=_in("delivery", {row.pk for row in deliveries}),
            )
        if apps.is_installed("elo.automation"):
            self.redact_runs()
        if apps.is_installed("elo.interchange"):
            self.redact_rows(
                "import_reports", "interchange.ImportRun", None, ["rejected"], scan=True
            )

    def redact_audit(self) -> None:
        about = models.Q(pk__in=[])
        for object_type, ids in self.scope.objects():
            if ids:
                about |= models.Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
        personal = {("contacts.person", str(pk)) for pk in self.scope.people} | {
            ("sales.lead", str(pk)) for pk in self.scope.leads
        }
        queryset, mentions = self.mentioning(AuditEntry.objects.all(), ["changes", "object_repr"])
        rows = queryset.filter(about | mentions).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=1000):
            own = (row.object_type, row.object_id) in personal
            changes = self.redactor.json(row.changes, personal_keys=own)
            text = self.redactor.text(row.object_repr)
            if own and row.object_repr:
                text = MARKER
            if changes != row.changes or text != row.object_repr:
                row.changes, row.object_repr = changes, text
                changed.append(row)
        self.save("audit_entries", AuditEntry, changed, ["changes", "object_repr"])

    def redact_runs(self) -> None:
        about = models.Q(pk__in=[])
        for record_type, ids in (
            ("person", self.scope.people),
            ("lead", self.scope.leads),
            ("deal", self.scope.deals),
            ("activity", self.scope.activities),
        ):
            if ids:
                about |= models.Q(record_type=record_type, record_id__in=ids)
        names = ["trigger", "checks", "error", "data"]
        runs = self.redact_rows(
            "workflow_runs", "automation.WorkflowRun", None, names, scan=True, extra=about
        )
        run_ids = {row.pk for row in runs}
        run_ids.update(
            apps.get_model("automation.WorkflowRun")
            .objects.filter(about)
            .values_list("pk", flat=True)
        )
        self.redact_rows(
            "workflow_steps",
            "automation.RunStep",
            None,
            ["detail"],
            scan=True,
            extra=_in("run", run_ids),
        )


def _in(name: str, ids: set[int]) -> models.Q:
    return models.Q(**{f"{name}_id__in": ids}) if ids else models.Q(pk__in=[])


PERSON_FIELDS = [
    "given_name",
    "family_name",
    "sort_name",
    "primary_email",
    "primary_phone",
    "street",
    "city",
    "region",
    "postal_code",
    "preferred_language",
    "external_id",
    "custom",
    "search_text",
    "erased_at",
    "version",
    "updated_at",
]
LEAD_FIELDS = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "website",
    "city",
    "region",
    "postal_code",
    "external_id",
    "company",
    "message",
    "disqualify_reason",
    "custom",
    "erased_at",
    "version",
    "updated_at",
]
# fields an `after` hook of `redact_rows` may change, by model
AFTER_FIELDS = {"activities.Activity": ["body_html"], "billing.Invoice": ["billed_to"]}


# --- the services -----------------------------------------------------------------------------


@contextlib.contextmanager
def _acting_for(actor: Any) -> Iterator[None]:
    """A user must hold the permission. Without one (a retention policy on the schedule) the
    work is the system's: it runs as the scope's actor, or as `SYSTEM_ACTOR` when none."""
    if actor is not None:
        require(actor, PERMISSION)
        yield
        return
    if context.current_actor() is not None:
        yield
        return
    with context.acting(SYSTEM_ACTOR):
        yield


def _person_eraser(person: Person, *, dry_run: bool) -> Eraser:
    eraser = Eraser(dry_run=dry_run)
    people = eraser.collect_person(person)
    leads = eraser.collect_leads(eraser.leads_of_people())
    eraser.collect_records()
    eraser.erase_people(people)
    eraser.erase_leads(leads)
    eraser.redact_records()
    eraser.redact_logs()
    return eraser


def erasure_preview(person: Person) -> dict[str, int]:
    """What `person_erase` would touch, as counts per kind; changes nothing."""
    with transaction.atomic():
        return dict(_person_eraser(person, dry_run=True).counts)


def _check_reason(reason: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError({"reason": [_("Say why the data is erased.")]}, code="required")
    return text[:500]


def person_erase(
    *,
    actor: Any,
    person: Person,
    reason: str,
    request: SubjectRequest | None = None,
) -> dict[str, int]:
    """Erases the person everywhere (see the module docstring) and returns the counts of
    what was touched, with no values. Irreversible. With `request` (an identity-verified
    erasure request about this person) the request is completed in the same transaction."""
    text = _check_reason(reason)
    with _acting_for(actor), transaction.atomic():
        locked = Person._base_manager.select_for_update().get(pk=person.pk)
        if locked.erased_at is not None:
            raise ValidationError(_("This person was already erased."), code="already_erased")
        if locked.merged_into_id is not None:
            raise ValidationError(
                _("This person was merged into another; erase that person instead."),
                code="merged",
            )
        locked_request = _check_request(request, locked) if request is not None else None
        eraser = _person_eraser(locked, dry_run=False)
        counts = eraser.counts
        changes: dict[str, Any] = {"reason": eraser.redactor.text(text), "counts": counts}
        if locked_request is not None:
            changes["request"] = locked_request.pk
        audit.record(
            action="privacy.person.erased",
            target_type="contacts.person",
            target_id=str(locked.pk),
            changes=changes,
        )
        events.emit(
            "privacy.person.erased",
            {
                "id": locked.pk,
                "request": locked_request.pk if locked_request else None,
                "counts": counts,
            },
        )
        if locked_request is not None:
            _complete(locked_request)
    return counts


def _check_request(request: SubjectRequest, person: Person) -> SubjectRequest:
    locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    check_erasure_request(locked)
    if locked.person_id != person.pk:
        raise ValidationError({"request": [_("The request is about another person.")]})
    return locked


def check_erasure_request(request: SubjectRequest) -> None:
    """Raises ValidationError unless `request` is an erasure request whose requester's
    identity was verified and which is not closed yet."""
    if request.kind != RequestKind.ERASURE:
        raise ValidationError(
            {"kind": [_("Only an erasure request can erase a person.")]}, code="not_erasure"
        )
    if request.is_closed:
        raise ValidationError(
            {"status": [_("This request is closed already.")]}, code="request_closed"
        )
    if request.verified_at is None or request.status not in (
        RequestStatus.IDENTITY_VERIFIED,
        RequestStatus.IN_PROGRESS,
    ):
        raise ValidationError(
            {"status": [_("Verify the requester's identity before erasing.")]},
            code="identity_not_verified",
        )


def _complete(request: SubjectRequest) -> None:
    before = request.status
    request.status = RequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.version += 1
    request.updated_at = request.completed_at
    request.save(update_fields=["status", "completed_at", "version", "updated_at"])
    audit.record(
        action="privacy.request.completed",
        instance=request,
        changes={"status": [before, request.status]},
    )
    events.emit(
        "privacy.request.completed",
        {
            "id": request.pk,
            "person": request.person_id,
            "kind": request.kind,
            "law": request.law,
            "status": request.status,
            "due_at": request.due_at,
            "from": before,
        },
    )


def lead_anonymize(*, actor: Any, lead: Any, reason: str) -> None:
    """Anonymizes one lead on its own (a retention policy, or a lead that never became a
    person): its personal fields are blanked and its values redacted wherever they are
    mentioned, as `person_erase` does. Irreversible; an anonymized lead is left as it is."""
    text = _check_reason(reason)
    with _acting_for(actor), transaction.atomic():
        model = apps.get_model("sales.Lead")
        locked = model._base_manager.select_for_update().get(pk=lead.pk)
        if locked.erased_at is not None:
            return
        eraser = Eraser(dry_run=False)
        leads = eraser.collect_leads([locked])
        eraser.collect_records()
        eraser.erase_leads(leads)
        eraser.redact_records()
        eraser.redact_logs()
        audit.record(
            action="privacy.lead.anonymized",
            target_type="sales.lead",
            target_id=str(locked.pk),
            changes={"reason": eraser.redactor.text(text), "counts": eraser.counts},
        )
        events.emit("privacy.lead.anonymized", {"id": locked.pk, "counts": eraser.counts})


# --- the request flow: preview, then erase with the preview's confirmation ------------------

CONFIRM_SALT = "elo.privacy.erase"
CONFIRM_MAX_AGE = datetime.timedelta(minutes=15)


def _confirmation_claim(request: SubjectRequest) -> dict[str, int]:
    return {"r": request.pk, "p": request.person_id, "v": request.version}


def request_erase_preview(*, actor: Any, request: SubjectRequest) -> tuple[dict[str, int], str]:
    """The first confirmation: what erasing the request's person would touch (changes
    nothing) and a signed, short-lived token that the second confirmation sends back."""
    require(actor, PERMISSION)
    check_erasure_request(request)
    if request.person.erased_at is not None:
        raise ValidationError(_("This person was already erased."), code="already_erased")
    counts = erasure_preview(request.person)
    return counts, signing.dumps(_confirmation_claim(request), salt=CONFIRM_SALT)


def request_erase(
    *, actor: Any, request: SubjectRequest, confirmation: str, reason: str = ""
) -> dict[str, int]:
    """The second confirmation: erases the request's person and completes the request. A
    token that is forged, expired, for another request or from before the request changed
    is refused and nothing changes."""
    require(actor, PERMISSION)
    try:
        claim = signing.loads(str(confirmation or ""), salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        claim = None
    if claim != _confirmation_claim(request):
        raise ValidationError(
            {"confirmation": [_("This confirmation is not valid any more. Preview again.")]},
            code="bad_confirmation",
        )
    text = reason or _("Erasure request #%(id)s") % {"id": request.pk}
    return person_erase(actor=actor, person=request.person, reason=text, request=request)
