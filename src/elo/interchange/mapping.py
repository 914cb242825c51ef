"""File columns to service input: Elo's own export columns, common aliases and a mapping
chosen on the mapping screen (or a preset)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ALIASES: dict[str, dict[str, str]] = {
    "people": {
        "id": "external_id",
        "first_name": "given_name",
        "firstname": "given_name",
        "last_name": "family_name",
        "lastname": "family_name",
        "email": "emails",
        "phone": "phones",
        "company_id": "organization_external_id",
        "organization_id": "organization_external_id",
        "state": "region",
        "zip": "postal_code",
        "language": "preferred_language",
    },
    "organizations": {
        "id": "external_id",
        "company": "name",
        "phone": "phones",
        "domain": "domains",
        "state": "region",
        "zip": "postal_code",
    },
    "activities": {
        "id": "external_id",
        "contact_id": "person_external_id",
        "company_id": "organization_external_id",
        "type": "kind",
        "created_at": "occurred_at",
    },
    "deals": {
        "id": "external_id",
        "name": "title",
        "deal": "title",
        "value": "amount",
        "contact_id": "person_external_id",
        "company_id": "organization_external_id",
        "organization_id": "organization_external_id",
        "close_date": "expected_close",
    },
}

ADDRESS_KEYS = ("street", "city", "region", "postal_code", "country")


# What a column can be loaded into, per entity; "" (ignore) and `cf_<key>` besides.
TARGETS: dict[str, tuple[str, ...]] = {
    "people": (
        "external_id",
        "given_name",
        "family_name",
        "full_name",
        "emails",
        "phones",
        "organization_name",
        "organization_external_id",
        "organization_elo_id",
        "job_title",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "preferred_language",
        "lifecycle_stage",
        "source",
        "tags",
        "created_at",
    ),
    "organizations": (
        "external_id",
        "name",
        "domains",
        "website",
        "email",
        "phones",
        "industry",
        "size",
        "tax_id",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "tags",
        "created_at",
    ),
    "activities": (
        "external_id",
        "kind",
        "subject",
        "body",
        "occurred_at",
        "due_at",
        "done_at",
        "direction",
        "duration_seconds",
        "outcome",
        "starts_at",
        "ends_at",
        "email_from",
        "email_to",
        "person_external_id",
        "organization_external_id",
    ),
    "deals": (
        "elo_id",
        "external_id",
        "title",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "probability",
        "expected_close",
        "close_reason",
        "closed_at",
        "owner",
        "created_at",
        "tags",
        "person_external_id",
        "person_elo_id",
        "organization_external_id",
        "organization_elo_id",
    ),
}
# Fields that take several columns: their values are joined, first column first.
MULTI_VALUE = frozenset({"emails", "phones", "tags", "domains"})

TARGET_LABELS: dict[str, Any] = {
    "external_id": gettext_lazy("External id"),
    "elo_id": gettext_lazy("Elo id"),
    "given_name": gettext_lazy("First name"),
    "family_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (split into first and last)"),
    "emails": gettext_lazy("Emails"),
    "email": gettext_lazy("Email (its domain)"),
    "phones": gettext_lazy("Phones"),
    "organization_name": gettext_lazy("Organization name"),
    "organization_external_id": gettext_lazy("Organization external id"),
    "organization_elo_id": gettext_lazy("Organization Elo id"),
    "person_external_id": gettext_lazy("Person external id"),
    "person_elo_id": gettext_lazy("Person Elo id"),
    "job_title": gettext_lazy("Job title"),
    "street": gettext_lazy("Street"),
    "city": gettext_lazy("City"),
    "region": gettext_lazy("State or region"),
    "postal_code": gettext_lazy("Postal code"),
    "country": gettext_lazy("Country"),
    "preferred_language": gettext_lazy("Preferred language"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "source": gettext_lazy("Source"),
    "tags": gettext_lazy("Tags"),
    "created_at": gettext_lazy("Created at"),
    "name": gettext_lazy("Name"),
    "domains": gettext_lazy("Domains"),
    "website": gettext_lazy("Website"),
    "industry": gettext_lazy("Industry"),
    "size": gettext_lazy("Size"),
    "tax_id": gettext_lazy("Tax id"),
    "kind": gettext_lazy("Kind"),
    "subject": gettext_lazy("Subject"),
    "body": gettext_lazy("Body"),
    "occurred_at": gettext_lazy("Took place at"),
    "due_at": gettext_lazy("Due at"),
    "done_at": gettext_lazy("Done at"),
    "direction": gettext_lazy("Direction"),
    "duration_seconds": gettext_lazy("Duration in seconds"),
    "outcome": gettext_lazy("Outcome"),
    "starts_at": gettext_lazy("Starts at"),
    "ends_at": gettext_lazy("Ends at"),
    "email_from": gettext_lazy("Email from"),
    "email_to": gettext_lazy("Email to"),
    "title": gettext_lazy("Title"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "probability": gettext_lazy("Probability"),
    "expected_close": gettext_lazy("Expected close"),
    "close_reason": gettext_lazy("Close reason"),
    "closed_at": gettext_lazy("Closed at"),
    "owner": gettext_lazy("Owner"),
}

FORMULA_STARTS = ("=", "+", "-", "@")


def unquote(value: str) -> str:
    """The cell without the apostrophe an export puts before text a spreadsheet would read
    as a formula (`'=1+2`, `'+351 …`), so that an export imports back unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def country_code(value: str) -> str:
    """A country written as a name (Portugal, Brasil, United States) as its two-letter code;
    a name Elo does not know stays as written, so the row is rejected with a reason."""
    from elo.interchange.vcard import _country_names

    if len(value) == 2 or not value:
        return value
    return _country_names().get(value.lower(), value)


def size_bucket(value: str) -> str:
    """A head count (250, "1,200") as Elo's size bucket; anything else stays as written."""
    digits = value.replace(",", "").replace(".", "").replace(" ", "")
    if not digits.isdigit():
        return value
    count = int(digits)
    for floor, bucket in ((1000, "1000+"), (250, "250-999"), (50, "50-249"), (10, "10-49")):
        if count >= floor:
            return bucket
    return "1-9" if count else ""


NORMALIZE = {"country": country_code, "size": size_bucket}


def header_key(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


def is_target(entity: str, field: str) -> bool:
    return field in TARGETS[entity] or (field.startswith("cf_") and len(field) > 3)


def suggest(
    entity: str, headers: Sequence[str], preset: Mapping[str, str] | None = None
) -> list[str]:
    """The field each column loads into ("" to ignore it): the preset's name for the header,
    else Elo's own column name or an alias, else nothing. A single-value field goes to the
    first column that claims it, so a suggestion is always a valid mapping."""
    aliases = ALIASES[entity]
    known = {name.strip().lower(): field for name, field in (preset or {}).items()}
    result: list[str] = []
    taken: set[str] = set()
    for header in headers:
        field = known.get(header.strip().lower())
        if field is None:
            key = header_key(header)
            field = aliases.get(key, key)
        if not is_target(entity, field) or (field in taken and field not in MULTI_VALUE):
            field = ""
        taken.add(field)
        result.append(field)
    return result


def check(entity: str, headers: Sequence[str], fields: Sequence[str]) -> None:
    """Refuses a mapping that would lose data silently or load into nothing: an unknown
    field, or two columns for one single-value field. Errors are keyed `mapping.<header>`."""
    errors: dict[str, list[str]] = {}
    claimed: dict[str, str] = {}
    for header, field in zip(headers, fields, strict=True):
        if not field:
            continue
        if not is_target(entity, field):
            errors[f"mapping.{header}"] = [
                _("“%(field)s” is not a field Elo can load.") % {"field": field}
            ]
        elif field in claimed and field not in MULTI_VALUE:
            errors[f"mapping.{header}"] = [
                _("Column “%(other)s” already loads into %(field)s; pick one of the two.")
                % {"other": claimed[field], "field": TARGET_LABELS.get(field, field)}
            ]
        else:
            claimed.setdefault(field, header)
    if errors:
        raise ValidationError(errors)


def apply(fields: Sequence[str], values: Sequence[str]) -> dict[str, str]:
    """One row of cells as Elo's names, through the columns' fields."""
    result: dict[str, str] = {}
    for field, value in zip(fields, values, strict=False):
        if not field:
            continue
        value = unquote((value or "").strip())
        if field in MULTI_VALUE:
            value = value.replace(" ::: ", ",")
            if value:
                result[field] = f"{result[field]},{value}" if result.get(field) else value
            else:
                result.setdefault(field, "")
        else:
            result[field] = NORMALIZE[field](value) if field in NORMALIZE else value
    full = result.pop("full_name", "")
    if full and not (result.get("given_name") or result.get("family_name")):
        given, _space, family = full.partition(" ")
        result["given_name"], result["family_name"] = given, family.strip()
    return result


def canonical(entity: str, row: Mapping[str, str]) -> dict[str, str]:
    """The row with its headers mapped to Elo's names (`cf_<key>` columns kept)."""
    aliases = ALIASES[entity]
    result: dict[str, str] = {}
    for header, value in row.items():
        if header is None:
            continue
        key = header_key(header)
        key = aliases.get(key, key)
        result[key] = unquote((value or "").strip())
    return result


def _custom(row: Mapping[str, str]) -> dict[str, str]:
    return {key[3:]: value for key, value in row.items() if key.startswith("cf_") and value}


def person_data(row: Mapping[str, str], organizations: Mapping[str, int]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in (
        "external_id",
        "given_name",
        "family_name",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "preferred_language",
        "lifecycle_stage",
        "source",
        "created_at",
    ):
        if key in row:
            data[key] = row[key]
    for key in ("emails", "phones", "tags"):
        if row.get(key):
            data[key] = row[key]
    org_ref = row.get("organization_external_id", "")
    org_pk = row.get("organization_elo_id", "")
    if org_ref or org_pk:
        target = (
            organizations.get(org_ref, -1) if org_ref else (int(org_pk) if org_pk.isdigit() else -1)
        )
        data["organizations"] = [{"organization": target, "job_title": row.get("job_title", "")}]
    if custom := _custom(row):
        data["custom"] = custom
    return data


def organization_data(row: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("external_id", "name", "industry", "size", "tax_id", "website", "created_at"):
        if key in row:
            data[key] = row[key]
    domains = [part for part in row.get("domains", "").replace(";", ",").split(",") if part.strip()]
    if row.get("website"):
        host = urlparse(
            row["website"] if "//" in row["website"] else f"//{row['website']}"
        ).hostname
        if host:
            domains.append(host)
    if "@" in row.get("email", ""):
        domains.append(row["email"].rsplit("@", 1)[1])
    if domains:
        data["domains"] = domains
    if row.get("phones"):
        data["phones"] = row["phones"]
    if any(row.get(key) for key in ADDRESS_KEYS):
        data["addresses"] = [{key: row.get(key, "") for key in ADDRESS_KEYS}]
    if row.get("tags"):
        data["tags"] = row["tags"]
    if custom := _custom(row):
        data["custom"] = custom
    return data


def activity_data(
    row: Mapping[str, str], people: Mapping[str, int], organizations: Mapping[str, int]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    references = {"person_external_id", "organization_external_id"}
    for key in TARGETS["activities"]:
        if key in row and key not in references:
            data[key] = row[key]
    if row.get("person_external_id"):
        data["person"] = people.get(row["person_external_id"], -1)
    if row.get("organization_external_id"):
        data["organization"] = organizations.get(row["organization_external_id"], -1)
    return data


def _reference(row: Mapping[str, str], prefix: str, known: Mapping[str, int]) -> int | None:
    """The Elo id named by `<prefix>_external_id` (looked up in `known`) or `<prefix>_elo_id`;
    -1 when the reference names nothing, None when the row has neither column filled."""
    external = row.get(f"{prefix}_external_id", "")
    own = row.get(f"{prefix}_elo_id", "")
    if external:
        return known.get(external, -1)
    if own:
        return int(own) if own.isdigit() else -1
    return None


def deal_data(
    row: Mapping[str, str], people: Mapping[str, int], organizations: Mapping[str, int]
) -> dict[str, Any]:
    """The workload's `id,name,contact_id,company_id,stage,amount,created_at` and Elo's own
    export columns (`elo_id`, `title`, `pipeline`, `person_elo_id`, `owner`, `cf_<key>`...)."""
    data: dict[str, Any] = {}
    references = {
        f"{kind}_{key}" for kind in ("person", "organization") for key in ("external_id", "elo_id")
    }
    for key in TARGETS["deals"]:
        if key not in references and row.get(key):
            data[key] = row[key]
    person = _reference(row, "person", people)
    if person is not None:
        data["person"] = person
    organization = _reference(row, "organization", organizations)
    if organization is not None:
        data["organization"] = organization
    if custom := _custom(row):
        data["custom"] = custom
    return data
