"""Template helpers for links to the personal data access log."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def reads_access_log(user: Any) -> bool:
    """Whether `user` may open the access log (those who manage settings: the data
    protection officer)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_elo_perm("settings.manage"))
