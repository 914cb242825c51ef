"""The permissions a role can hold, and the roles Elo ships with."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_stubs_ext import StrOrPromise

PERMISSIONS: dict[str, StrOrPromise] = {
    "records.view_team": _("See the records of their team"),
    "records.view_all": _("See every record"),
    "contacts.add": _("Add people and organizations"),
    "contacts.change": _("Edit people and organizations"),
    "contacts.delete": _("Delete and restore people and organizations"),
    "activities.add": _("Add notes, tasks, calls, meetings and emails"),
    "activities.change": _("Edit and complete activities"),
    "activities.delete": _("Delete activities"),
    "sales.add": _("Add leads and deals"),
    "sales.change": _("Edit, convert and move leads and deals"),
    "sales.delete": _("Delete and restore leads and deals"),
    "sales.configure": _("Manage pipelines and assignment rules"),
    "billing.manage": _("Issue invoices, record payments and credit notes"),
    "imports.run": _("Import files"),
    "exports.run": _("Export records"),
    "settings.manage": _("Manage users, teams, roles, custom fields and tags"),
}

_WORK = [
    "contacts.add",
    "contacts.change",
    "activities.add",
    "activities.change",
    "sales.add",
    "sales.change",
]

# Role names are stored as written here; `Role.display_name` translates them while an admin
# has not renamed the role.
DEFAULT_ROLES: dict[str, tuple[str, list[str]]] = {
    "admin": (gettext_noop("Admin"), list(PERMISSIONS)),
    "manager": (
        gettext_noop("Manager"),
        [
            "records.view_team",
            *_WORK,
            "contacts.delete",
            "activities.delete",
            "sales.delete",
            "billing.manage",
            "imports.run",
            "exports.run",
        ],
    ),
    "sales_rep": (gettext_noop("Sales rep"), [*_WORK]),
    "support_agent": (gettext_noop("Support agent"), ["records.view_team", *_WORK]),
    "marketer": (
        gettext_noop("Marketer"),
        ["records.view_team", *_WORK, "imports.run", "exports.run"],
    ),
    "read_only": (gettext_noop("Read-only"), ["records.view_team"]),
}
