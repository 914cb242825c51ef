"""Permission checks services make; the user model answers `has_elo_perm`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require(user: Any, permission: str) -> None:
    """Raises PermissionDenied unless `user` holds `permission` (e.g. "contacts.change")."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Sign in first."))
    if not user.has_elo_perm(permission):
        raise PermissionDenied(
            _("Your role does not allow %(permission)s.") % {"permission": permission}
        )
