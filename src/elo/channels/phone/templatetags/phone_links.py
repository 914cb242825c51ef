"""`{% load phone_links %}{% phone_link number %}`: a number as a click-to-call link."""

from __future__ import annotations

from typing import Any

from django import template

from elo.channels.phone.links import phone_link as build_link
from elo.channels.phone.links import scheme_for

register = template.Library()


@register.inclusion_tag("channels_phone/phone_link.html", takes_context=True)
def phone_link(context: template.Context, number: Any) -> dict[str, Any]:
    """A tel: (or, when the user or site prefers a softphone, sip:) link; a value that is not
    a phone number is shown as it is."""
    request = context.get("request")
    user = getattr(request, "user", None)
    value = str(number or "")
    return {"link": build_link(value, scheme_for(user)) if value else None, "value": value}
