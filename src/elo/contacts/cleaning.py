"""Turning what people type into what Elo stores: emails, phones, tax ids, domains, postal
codes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


@dataclass(frozen=True)
class _PostalRule:
    pattern: re.Pattern[str]
    normalise: Callable[[re.Match[str]], str]
    message: Promise


def _digits_with_hyphen(head: int) -> Callable[[re.Match[str]], str]:
    def normalise(match: re.Match[str]) -> str:
        digits = "".join(char for char in match.group(0) if char.isdigit())
        return f"{digits[:head]}-{digits[head:]}"

    return normalise


def _as_typed(match: re.Match[str]) -> str:
    return match.group(0)


def _spaced(tail: int) -> Callable[[re.Match[str]], str]:
    """Upper case, one space before the last `tail` characters (UK, Canada, Netherlands)."""

    def normalise(match: re.Match[str]) -> str:
        compact = match.group(0).replace(" ", "")
        return f"{compact[:-tail]} {compact[-tail:]}"

    return normalise


def _us_zip(match: re.Match[str]) -> str:
    digits = "".join(char for char in match.group(0) if char.isdigit())
    return digits if len(digits) == 5 else f"{digits[:5]}-{digits[5:]}"


_FIVE_DIGITS = re.compile(r"\d{5}")
_UK_POSTCODE = re.compile(
    r"(?:GIR ?0AA"
    r"|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?) ?\d[ABD-HJLNP-UW-Z]{2})"
)
# Per country: what a postal code looks like, how Elo writes it, and the message naming the
# expected format. Input is upper-cased with runs of spaces collapsed before matching.
POSTAL_RULES: dict[str, _PostalRule] = {
    "BR": _PostalRule(
        re.compile(r"\d{2}\.?\d{3}[- ]?\d{3}"),
        _digits_with_hyphen(5),
        gettext_lazy("A Brazilian postal code (CEP) has 8 digits, like 01310-100."),
    ),
    "PT": _PostalRule(
        re.compile(r"\d{4}[- ]?\d{3}"),
        _digits_with_hyphen(4),
        gettext_lazy("A Portuguese postal code has 7 digits written 0000-000, like 1250-096."),
    ),
    "US": _PostalRule(
        re.compile(r"\d{5}(?:[- ]?\d{4})?"),
        _us_zip,
        gettext_lazy("A US ZIP code has 5 digits, or 5 and 4 (ZIP+4), like 10001 or 10001-1234."),
    ),
    "CA": _PostalRule(
        re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"),
        _spaced(3),
        gettext_lazy("A Canadian postal code looks like K1A 0B1."),
    ),
    "GB": _PostalRule(
        _UK_POSTCODE,
        _spaced(3),
        gettext_lazy("A UK postcode looks like SW1A 1AA or M1 1AE."),
    ),
    "DE": _PostalRule(
        _FIVE_DIGITS,
        _as_typed,
        gettext_lazy("A German postal code (PLZ) has 5 digits, like 10115."),
    ),
    "FR": _PostalRule(
        _FIVE_DIGITS,
        _as_typed,
        gettext_lazy("A French postal code has 5 digits, like 75008."),
    ),
    "ES": _PostalRule(
        re.compile(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}"),
        _as_typed,
        gettext_lazy("A Spanish postal code has 5 digits starting 01 to 52, like 28013."),
    ),
    "IT": _PostalRule(
        _FIVE_DIGITS,
        _as_typed,
        gettext_lazy("An Italian postal code (CAP) has 5 digits, like 00184."),
    ),
    "NL": _PostalRule(
        re.compile(r"[1-9]\d{3} ?[A-Z]{2}"),
        _spaced(2),
        gettext_lazy("A Dutch postal code has 4 digits and 2 letters, like 1012 AB."),
    ),
    "BE": _PostalRule(
        re.compile(r"[1-9]\d{3}"),
        _as_typed,
        gettext_lazy("A Belgian postal code has 4 digits, like 1000."),
    ),
    "AR": _PostalRule(
        re.compile(r"[1-9]\d{3}|[A-HJ-NP-Z]\d{4}[A-Z]{3}"),
        _as_typed,
        gettext_lazy(
            "An Argentine postal code has 4 digits, like 1425, or is a CPA like C1425ABC."
        ),
    ),
    "MX": _PostalRule(
        _FIVE_DIGITS,
        _as_typed,
        gettext_lazy("A Mexican postal code has 5 digits, like 06600."),
    ),
}
_ANY_POSTAL_CODE = re.compile(r"[A-Z\d](?:[A-Z\d -]{0,8}[A-Z\d])?")


def clean_postal_code(value: str, country: str | None) -> str:
    """`value` as Elo stores a postal code of `country` (an ISO 3166 alpha-2 code): checked
    against the country's format and normalised (01310100 -> 01310-100, sw1a1aa -> SW1A 1AA).
    Other or unknown countries take letters, digits, spaces and hyphens, at most 10
    characters. Empty stays empty."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    rule = POSTAL_RULES.get((country or "").strip().upper())
    if rule is None:
        if len(text) <= 10 and _ANY_POSTAL_CODE.fullmatch(text.upper()):
            return text
        raise ValidationError(
            _("A postal code has at most 10 letters, digits, spaces or hyphens."),
            code="invalid_postal_code",
        )
    match = rule.pattern.fullmatch(text.upper())
    if match is None:
        raise ValidationError(str(rule.message), code="invalid_postal_code")
    return rule.normalise(match)


def check_postal_code(
    fields: dict[str, Any], errors: dict[str, list[str]], instance: Any = None
) -> None:
    """For a record with an address (a person, a lead): checks the postal code in `fields`
    against the country in `fields`, either falling back to `instance`'s when only the other
    changes, and stores the normalised code; a bad one goes to `errors["postal_code"]`."""
    if not {"postal_code", "country"} & fields.keys() or {"postal_code", "country"} & set(errors):
        return
    code = fields.get("postal_code", getattr(instance, "postal_code", ""))
    country = fields.get("country", getattr(instance, "country", ""))
    if instance is not None and (code, country) == (instance.postal_code, instance.country):
        # Unchanged: a code saved before these checks existed does not block other edits.
        return
    try:
        cleaned = clean_postal_code(code, country)
    except ValidationError as error:
        errors["postal_code"] = error.messages
        return
    if "postal_code" in fields or cleaned != code:
        fields["postal_code"] = cleaned
