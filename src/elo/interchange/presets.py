"""Presets: the column headers of the exports other CRMs and address books produce, mapped to
Elo's fields, and the detection of the preset a file came from by its headers.

Only one column per single-value field: where a tool exports two addresses (home and
business), the preset takes the one a CRM cares about and leaves the other to the mapping
screen, where it shows as ignored rather than silently overwriting the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Preset:
    name: str
    label: Any
    # entity -> header -> Elo field
    columns: dict[str, dict[str, str]]
    # entity -> headers only this tool's export has; one of them must be present to detect it
    signatures: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _numbered(pattern: str, target: str, count: int) -> dict[str, str]:
    return {pattern.format(n): target for n in range(1, count + 1)}


GOOGLE = Preset(
    name="google",
    label=gettext_lazy("Google Contacts"),
    columns={
        "people": {
            "First Name": "given_name",
            "Last Name": "family_name",
            "Given Name": "given_name",
            "Family Name": "family_name",
            **_numbered("E-mail {} - Value", "emails", 5),
            **_numbered("Phone {} - Value", "phones", 5),
            "Organization Name": "organization_name",
            "Organization Title": "job_title",
            "Organization 1 - Name": "organization_name",
            "Organization 1 - Title": "job_title",
            "Address 1 - Street": "street",
            "Address 1 - City": "city",
            "Address 1 - Region": "region",
            "Address 1 - Postal Code": "postal_code",
            "Address 1 - Country": "country",
            "Labels": "tags",
        }
    },
    signatures={"people": ("E-mail 1 - Value", "Phone 1 - Value", "Organization 1 - Name")},
)

OUTLOOK = Preset(
    name="outlook",
    label=gettext_lazy("Outlook"),
    columns={
        "people": {
            "First Name": "given_name",
            "Last Name": "family_name",
            "E-mail Address": "emails",
            "E-mail 2 Address": "emails",
            "E-mail 3 Address": "emails",
            "Mobile Phone": "phones",
            "Business Phone": "phones",
            "Business Phone 2": "phones",
            "Home Phone": "phones",
            "Other Phone": "phones",
            "Company": "organization_name",
            "Job Title": "job_title",
            "Business Street": "street",
            "Business City": "city",
            "Business State": "region",
            "Business Postal Code": "postal_code",
            "Business Country/Region": "country",
            "Categories": "tags",
        }
    },
    signatures={"people": ("E-mail Address", "Business Phone", "Business Country/Region")},
)

SALESFORCE = Preset(
    name="salesforce",
    label=gettext_lazy("Salesforce"),
    columns={
        "people": {
            # Report export (field labels)
            "Contact ID": "external_id",
            "First Name": "given_name",
            "Last Name": "family_name",
            "Email": "emails",
            "Phone": "phones",
            "Mobile": "phones",
            "Account Name": "organization_name",
            "Account ID": "organization_external_id",
            "Title": "job_title",
            "Mailing Street": "street",
            "Mailing City": "city",
            "Mailing State/Province": "region",
            "Mailing Zip/Postal Code": "postal_code",
            "Mailing Country": "country",
            "Lead Source": "source",
            "Created Date": "created_at",
            # Data Loader and weekly data export (API names)
            "Id": "external_id",
            "FirstName": "given_name",
            "LastName": "family_name",
            "MobilePhone": "phones",
            "AccountId": "organization_external_id",
            "MailingStreet": "street",
            "MailingCity": "city",
            "MailingState": "region",
            "MailingPostalCode": "postal_code",
            "MailingCountry": "country",
            "LeadSource": "source",
        },
        "organizations": {
            "Account ID": "external_id",
            "Account Name": "name",
            "Phone": "phones",
            "Website": "website",
            "Industry": "industry",
            "Employees": "size",
            "Billing Street": "street",
            "Billing City": "city",
            "Billing State/Province": "region",
            "Billing Zip/Postal Code": "postal_code",
            "Billing Country": "country",
            "Id": "external_id",
            "Name": "name",
            "BillingStreet": "street",
            "BillingCity": "city",
            "BillingState": "region",
            "BillingPostalCode": "postal_code",
            "BillingCountry": "country",
            "NumberOfEmployees": "size",
        },
    },
    signatures={
        "people": ("Contact ID", "Mailing Zip/Postal Code", "Mailing State/Province", "AccountId"),
        "organizations": ("Billing Zip/Postal Code", "Billing State/Province", "BillingCity"),
    },
)

HUBSPOT = Preset(
    name="hubspot",
    label=gettext_lazy("HubSpot"),
    columns={
        "people": {
            "Record ID": "external_id",
            "First Name": "given_name",
            "Last Name": "family_name",
            "Email": "emails",
            "Additional email addresses": "emails",
            "Phone Number": "phones",
            "Mobile Phone Number": "phones",
            "Company Name": "organization_name",
            "Associated Company IDs": "organization_external_id",
            "Job Title": "job_title",
            "Street Address": "street",
            "City": "city",
            "State/Region": "region",
            "Postal Code": "postal_code",
            "Country/Region": "country",
            "Lifecycle Stage": "lifecycle_stage",
            "Create Date": "created_at",
        },
        "organizations": {
            "Record ID": "external_id",
            "Company name": "name",
            "Company Domain Name": "domains",
            "Website URL": "website",
            "Phone Number": "phones",
            "Industry": "industry",
            "Number of Employees": "size",
            "Street Address": "street",
            "City": "city",
            "State/Region": "region",
            "Postal Code": "postal_code",
            "Country/Region": "country",
            "Create Date": "created_at",
        },
    },
    signatures={
        "people": ("Record ID", "Phone Number", "State/Region", "Country/Region"),
        "organizations": ("Company Domain Name", "Record ID", "Country/Region"),
    },
)

PIPEDRIVE = Preset(
    name="pipedrive",
    label=gettext_lazy("Pipedrive"),
    columns={
        "people": {
            "Person - ID": "external_id",
            "Person - Name": "full_name",
            "Person - First name": "given_name",
            "Person - Last name": "family_name",
            "Person - Email - Work": "emails",
            "Person - Email - Home": "emails",
            "Person - Email - Other": "emails",
            "Person - Email": "emails",
            "Person - Phone - Work": "phones",
            "Person - Phone - Mobile": "phones",
            "Person - Phone - Home": "phones",
            "Person - Phone - Other": "phones",
            "Person - Phone": "phones",
            "Person - Organization": "organization_name",
            "Person - Job title": "job_title",
            "Person - Labels": "tags",
            "Person - Label": "tags",
            "Person - Person created": "created_at",
            # Exports without the entity prefix
            "ID": "external_id",
            "Name": "full_name",
            "First name": "given_name",
            "Last name": "family_name",
            "Email - Work": "emails",
            "Email - Home": "emails",
            "Email - Other": "emails",
            "Phone - Work": "phones",
            "Phone - Mobile": "phones",
            "Phone - Home": "phones",
            "Phone - Other": "phones",
            "Organization": "organization_name",
            "Job title": "job_title",
            "Labels": "tags",
        },
        "organizations": {
            "Organization - ID": "external_id",
            "Organization - Name": "name",
            "Organization - Website": "website",
            "Organization - Industry": "industry",
            "Organization - Number of employees": "size",
            "Organization - Address - Street/road name": "street",
            "Organization - Address - City/town/village/locality": "city",
            "Organization - Address - State/county": "region",
            "Organization - Address - ZIP/Postal code": "postal_code",
            "Organization - Address - Country": "country",
            "Organization - Labels": "tags",
            "Organization - Organization created": "created_at",
            "ID": "external_id",
            "Name": "name",
            "Website": "website",
            "Industry": "industry",
            "Labels": "tags",
        },
    },
    signatures={
        "people": ("Person - Name", "Person - Email - Work", "Email - Work", "Phone - Work"),
        "organizations": ("Organization - Name", "Organization - ID"),
    },
)

ZOHO = Preset(
    name="zoho",
    label=gettext_lazy("Zoho CRM"),
    columns={
        "people": {
            "Record Id": "external_id",
            "Contact Id": "external_id",
            "First Name": "given_name",
            "Last Name": "family_name",
            "Email": "emails",
            "Secondary Email": "emails",
            "Phone": "phones",
            "Mobile": "phones",
            "Home Phone": "phones",
            "Other Phone": "phones",
            "Account Name": "organization_name",
            "Title": "job_title",
            "Mailing Street": "street",
            "Mailing City": "city",
            "Mailing State": "region",
            "Mailing Zip": "postal_code",
            "Mailing Country": "country",
            "Lead Source": "source",
            "Tag": "tags",
            "Created Time": "created_at",
        },
        "organizations": {
            "Record Id": "external_id",
            "Account Id": "external_id",
            "Account Name": "name",
            "Phone": "phones",
            "Website": "website",
            "Industry": "industry",
            "Employees": "size",
            "Billing Street": "street",
            "Billing City": "city",
            "Billing State": "region",
            "Billing Code": "postal_code",
            "Billing Country": "country",
            "Tag": "tags",
            "Created Time": "created_at",
        },
    },
    signatures={
        "people": ("Record Id", "Contact Owner", "Mailing Zip", "Secondary Email"),
        "organizations": ("Account Owner", "Billing Code", "Record Id"),
    },
)

PRESETS: dict[str, Preset] = {
    preset.name: preset for preset in (SALESFORCE, HUBSPOT, PIPEDRIVE, ZOHO, GOOGLE, OUTLOOK)
}


def for_entity(entity: str) -> list[Preset]:
    return [preset for preset in PRESETS.values() if entity in preset.columns]


def get(name: str, entity: str) -> Preset:
    """The preset called `name` for `entity`; a field error otherwise."""
    preset = PRESETS.get(name.strip().lower())
    if preset is None or entity not in preset.columns:
        choices = ", ".join(p.name for p in for_entity(entity)) or "-"
        raise ValidationError(
            {
                "preset": [
                    _(
                        "There is no preset “%(name)s” for this kind of record; "
                        "pick one of %(choices)s."
                    )
                    % {"name": name, "choices": choices}
                ]
            }
        )
    return preset


def detect(entity: str, headers: Sequence[str]) -> Preset | None:
    """The preset whose export these headers look like: it must have one of its signature
    headers; among those, the one that maps the most columns wins."""
    present = {header.strip().lower() for header in headers}
    best: tuple[int, int, Preset] | None = None
    for preset in for_entity(entity):
        signatures = sum(1 for h in preset.signatures.get(entity, ()) if h.lower() in present)
        if not signatures:
            continue
        mapped = sum(1 for h in preset.columns[entity] if h.lower() in present)
        if best is None or (signatures, mapped) > best[:2]:
            best = (signatures, mapped, preset)
    return best[2] if best else None
