"""Permission checks services make; the user model answers `has_elo_perm`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def require(user: Any, permission: str) -> None:
    """Raises PermissionDenied unless `user` holds `permission` (e.g. "contacts.change")."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in first.")
    if not user.has_elo_perm(permission):
        raise PermissionDenied(f"Your role does not allow {permission}.")
