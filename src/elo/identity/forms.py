"""Forms for sign-in, the user's own account and the people settings. Shape checks only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BootstrapForm
from elo.identity import selectors
from elo.identity.permissions import PERMISSIONS


class LoginForm(BootstrapForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class PasswordChangeForm(BootstrapForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password, again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class TokenCreateForm(BootstrapForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “Spreadsheet sync”."),
    )


class _UserFieldsForm(BootstrapForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=selectors.role_list(), to_field_name="key", empty_label=None
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=selectors.team_list(), required=False, empty_label=_("No team")
    )


class UserCreateForm(_UserFieldsForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The person changes it after signing in."),
    )

    field_order = ["email", "full_name", "password", "role", "team"]


class UserEditForm(_UserFieldsForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Inactive users cannot sign in.")
    )
    is_available = forms.BooleanField(
        label=_("Available for assignment"),
        required=False,
        help_text=_("Assignment rules skip users who are away."),
    )

    @staticmethod
    def initial_for(user: Any) -> dict[str, Any]:
        return {
            "full_name": user.full_name,
            "role": user.role.key if user.role else None,
            "team": user.team_id,
            "is_active": user.is_active,
            "is_available": user.is_available,
        }


class TeamCreateForm(BootstrapForm):
    name = forms.CharField(label=_("Team name"), max_length=100)


class RolePermissionsForm(BootstrapForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        choices=list(PERMISSIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
