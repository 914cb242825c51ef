"""Errors services raise beyond Django's ValidationError, PermissionDenied and Http404."""

from __future__ import annotations

from django.utils.translation import gettext as _


class PreconditionFailed(Exception):
    """The client's version of a record is stale (If-Match / hidden version field)."""

    code = "stale_version"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("The record has changed since it was read (now version %(version)s).")
            % {"version": current_version}
        )
        self.current_version = current_version


def check_version(expected: int | None, current: int) -> None:
    """Refuses a write made against a version other than the current one."""
    if expected is not None and expected != current:
        raise PreconditionFailed(current)
