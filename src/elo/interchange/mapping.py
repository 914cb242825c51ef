"""CSV columns to service input: Elo's own export columns and common aliases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

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


def canonical(entity: str, row: Mapping[str, str]) -> dict[str, str]:
    """The row with its headers mapped to Elo's names (`cf_<key>` columns kept)."""
    aliases = ALIASES[entity]
    result: dict[str, str] = {}
    for header, value in row.items():
        if header is None:
            continue
        key = header.strip().lower().replace(" ", "_")
        key = aliases.get(key, key)
        result[key] = (value or "").strip()
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
    for key in (
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
    ):
        if key in row:
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
    for key in (
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
    ):
        if row.get(key):
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
