"""Template filters for Elo pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import pgettext

from elo.contacts.cleaning import display_phone

register = template.Library()

CURRENCY_SYMBOLS = {"BRL": "R$", "EUR": "€", "USD": "US$", "GBP": "£"}


@register.filter
def phone(value: str, region: str | None = None) -> str:
    """A stored E.164 number in the national format of `region` (default region otherwise)."""
    return display_phone(value, region or None) if value else ""


@register.simple_tag
def language_menu() -> list[tuple[str, str]]:
    """The interface languages, each named in its own words ("English", "Português (Brasil)")."""
    menu = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            menu.append((code, str(name)))
    return menu


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def money(value: Any, currency: str = "") -> str:
    """An amount with two decimals and thousands grouped the way the user's language writes
    them, with the currency's symbol (or code) where that language puts it: "R$ 1.234,50",
    "1.234,50 €", "US$ 1,234.50". Without a currency, the base currency."""
    if value in (None, ""):
        return ""
    code = (currency or settings.ELO_BASE_CURRENCY).upper()
    amount = formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return pgettext("money: currency symbol and amount", "%(symbol)s %(amount)s") % {
        "symbol": CURRENCY_SYMBOLS.get(code, code),
        "amount": amount,
    }
