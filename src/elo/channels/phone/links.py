"""Click-to-call: a stored number as the link a phone or softphone on the user's machine opens."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings

from elo.channels.phone.choices import LinkScheme
from elo.contacts.cleaning import display_phone


@dataclass(frozen=True)
class PhoneLink:
    href: str
    text: str
    e164: str


def scheme_for(user: Any) -> str:
    """ "sip" when the user (or else the site) prefers a softphone and a SIP domain is set."""
    if not settings.ELO_SIP_DOMAIN:
        return LinkScheme.TEL
    chosen = ""
    if user is not None and getattr(user, "is_authenticated", False):
        preference = getattr(user, "_elo_phone_scheme", None)
        if preference is None:
            from elo.channels.phone.models import PhonePreference

            preference = (
                PhonePreference.objects.filter(user_id=user.pk)
                .values_list("link_scheme", flat=True)
                .first()
                or ""
            )
            user._elo_phone_scheme = preference
        chosen = preference
    chosen = chosen or settings.ELO_PHONE_LINK
    return LinkScheme.SIP if chosen == LinkScheme.SIP else LinkScheme.TEL


@functools.lru_cache(maxsize=16384)
def _e164(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_link(value: str, scheme: str = LinkScheme.TEL) -> PhoneLink | None:
    """The link for a number: E.164 in the address, the number as people of the default region
    write it in the text (national inside it, international outside). None when the value is
    not a phone number at all."""
    e164 = _e164(str(value or "").strip(), settings.ELO_DEFAULT_REGION)
    if not e164:
        return None
    if scheme == LinkScheme.SIP and settings.ELO_SIP_DOMAIN:
        href = f"sip:{e164}@{settings.ELO_SIP_DOMAIN}"
    else:
        href = f"tel:{e164}"
    return PhoneLink(href=href, text=display_phone(e164), e164=e164)
