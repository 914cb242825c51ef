"""Template filters for Elo pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation

from elo.contacts.cleaning import display_phone

register = template.Library()


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
