"""Turning what people type into what Elo stores: emails, phones, tax ids, domains."""

from __future__ import annotations

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.br import cnpj
from stdnum.eu import vat
from stdnum.pt import nif

from elo.contacts.choices import TaxIdKind


def clean_email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(_("Enter a valid email address."), code="invalid_email") from error
    return result.normalized.lower()


def clean_phone(value: str, region: str | None = None) -> str:
    """The E.164 form of `value`, read in `region` when it has no country code."""
    try:
        number = phonenumbers.parse(value, region or settings.ELO_DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str, region: str | None = None) -> str:
    """A stored number as people of `region` write it: national inside, international outside."""
    return _display_phone(e164, region or settings.ELO_DEFAULT_REGION)


@functools.lru_cache(maxsize=16384)
def _display_phone(e164: str, home: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == home:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_tax_id(value: str) -> tuple[str, str]:
    """(kind, formatted) for a CNPJ, a Portuguese NIF or an EU VAT number."""
    text = value.strip()
    if not text:
        return TaxIdKind.NONE, ""
    compact = "".join(char for char in text if char.isalnum()).upper()
    try:
        if compact.isdigit() and len(compact) == 14:
            return TaxIdKind.CNPJ, cnpj.format(cnpj.validate(compact))
        if compact.isdigit() and len(compact) == 9:
            return TaxIdKind.NIF, nif.validate(compact)
        if compact[:2].isalpha():
            return TaxIdKind.VAT, vat.compact(vat.validate(compact))
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            _("This tax id is not valid (check digits or format)."), code="invalid_tax_id"
        ) from error
    raise ValidationError(
        _("Enter a CNPJ, a Portuguese NIF or an EU VAT number."), code="invalid_tax_id"
    )


def clean_domain(value: str) -> str:
    text = value.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    text = text.split("/")[0].removeprefix("www.")
    labels = text.split(".")
    if len(labels) < 2 or not all(
        label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels
    ):
        raise ValidationError(_("Enter a domain like example.com."), code="invalid_domain")
    return text
