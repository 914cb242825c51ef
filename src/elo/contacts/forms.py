"""Forms for the people and organization pages.

They check the shape of what was typed and turn it into the data the contacts services
take; the services decide what is valid and report it back field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.contacts import selectors
from elo.contacts.choices import LifecycleStage, OrganizationSize
from elo.contacts.filters import ORDERINGS
from elo.contacts.models import Organization, Person
from elo.core import custom_fields
from elo.core.forms import BootstrapForm
from elo.core.models import CustomField, CustomFieldType
from elo.core.selectors import tag_list
from elo.identity.selectors import team_list, user_list_for

_SEPARATORS = re.compile(r"[\n\r,;]+")
BLANK = ("", "---------")
ORDERING_LABELS = {
    "": _("Best match, or by name"),
    "name": _("Name, A to Z"),
    "-name": _("Name, Z to A"),
    "created_at": _("Oldest first"),
    "-created_at": _("Newest first"),
    "updated_at": _("Least recently updated"),
    "-updated_at": _("Most recently updated"),
}


def split_items(text: str) -> list[str]:
    """What someone typed one per line (or separated by commas) as a list."""
    return [item.strip() for item in _SEPARATORS.split(text or "") if item.strip()]


def styled(field: forms.Field) -> forms.Field:
    """A field added after `BootstrapForm.__init__`, given the same Bootstrap classes."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs.setdefault("class", css)
    return field


def set_choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} has no choices")
    field.choices = choices


def owner_choices(user: Any) -> list[tuple[Any, str]]:
    return [(item.pk, str(item)) for item in user_list_for(user).filter(is_active=True)]


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form: `custom.<key>` on the field `cf_<key>`,
    other keys on the field of that name, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = f"cf_{key.removeprefix('custom.')}" if key.startswith("custom.") else key
        name = re.sub(r"^addresses\.(\d+)\.", r"address_\1_", name)
        form.add_error(name if name in form.fields else None, errors)


class IdListField(forms.Field):
    """The ids of the ticked rows of a list (`name="ids"` checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError) as error:
            raise ValidationError(_("The selection is not valid."), code="invalid") from error

    def validate(self, value: Any) -> None:
        if not value:
            raise ValidationError(_("Tick at least one row."), code="required")


# --- custom fields ------------------------------------------------------------------------


def _custom_form_field(definition: CustomField, current: Any) -> forms.Field:
    kind = definition.field_type
    common: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": definition.required and kind != CustomFieldType.BOOLEAN,
    }
    choices = list(definition.choices)
    for value in current if isinstance(current, list) else [current]:
        if value not in (None, "") and str(value) not in choices:
            choices.append(str(value))
    if kind == CustomFieldType.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(choices=[BLANK, *((c, c) for c in choices)], **common)
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in choices], **common)
    widgets: dict[str, forms.Widget] = {
        CustomFieldType.NUMBER: forms.NumberInput(attrs={"step": "1"}),
        CustomFieldType.DECIMAL: forms.TextInput(attrs={"inputmode": "decimal"}),
        CustomFieldType.DATE: forms.DateInput(attrs={"type": "date"}),
        CustomFieldType.URL: forms.URLInput(),
        CustomFieldType.EMAIL: forms.EmailInput(),
        CustomFieldType.TEXT: forms.TextInput(attrs={"maxlength": "1000"}),
    }
    return forms.CharField(widget=widgets.get(kind, forms.TextInput()), **common)


class RecordFormMixin:
    """What the person and organization forms share: one form field `cf_<key>` per custom
    field definition, and the hidden version that guards against overwriting."""

    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]
    cleaned_data: dict[str, Any]
    data: Any
    definitions: list[CustomField]
    stale = False

    def add_custom_fields(self, entity: str, current: Mapping[str, Any]) -> None:
        self.definitions = custom_fields.definitions(entity)
        for definition in self.definitions:
            name = f"cf_{definition.key}"
            value = current.get(definition.key)
            self.fields[name] = styled(_custom_form_field(definition, value))
            if value is not None:
                self.initial.setdefault(name, value)

    def custom_bound_fields(self) -> list[forms.BoundField]:
        form: Any = self
        return [form[f"cf_{definition.key}"] for definition in self.definitions]

    def custom_data(self) -> dict[str, Any]:
        return {
            definition.key: self.cleaned_data.get(f"cf_{definition.key}")
            for definition in self.definitions
        }

    def mark_stale(self, current_version: int) -> None:
        """Keeps what was typed and takes the current version, so that saving again (after
        checking the record) is an informed overwrite rather than a silent one."""
        self.stale = True
        self.data = self.data.copy()
        self.data["version"] = str(current_version)


# --- list pages ---------------------------------------------------------------------------


class RecordFilterForm(BootstrapForm):
    """Draws the filters of a list page; `RecordFilter.from_params` reads them."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        required=False,
        choices=[("", _("Any stage")), *LifecycleStage.choices],
    )
    created_after = forms.CharField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.CharField(
        label=_("Created before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_after = forms.CharField(
        label=_("Updated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_before = forms.CharField(
        label=_("Updated before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ordering = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, ORDERING_LABELS[key]) for key in ["", *ORDERINGS]],
    )
    deleted = forms.BooleanField(label=_("Show deleted"), required=False)

    def __init__(self, *args: Any, user: Any, entity: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["owner"], [("", _("Anyone")), *owner_choices(user)])
        set_choices(
            self.fields["team"],
            [
                ("", _("Any team")),
                *((team.pk, team.name) for team in team_list()),
            ],
        )
        set_choices(
            self.fields["tag"],
            [
                ("", _("Any tag")),
                *((tag.slug, tag.name) for tag in tag_list()),
            ],
        )
        if entity != "person":
            del self.fields["lifecycle_stage"]

    def show_errors(self, error: ValidationError) -> None:
        self.full_clean()
        apply_service_errors(self, error)


class BulkActionForm(BootstrapForm):
    ACTIONS = [
        ("tag", _("Add tag")),
        ("assign", _("Assign owner")),
        ("delete", _("Delete")),
    ]

    action = forms.ChoiceField(label=_("With the ticked rows"), choices=ACTIONS)
    ids = IdListField(label=_("Rows"))
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="bulk_%s", **kwargs)
        set_choices(self.fields["owner"], [BLANK, *owner_choices(user)])
        self.fields["tag"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["owner"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "tag" and not data.get("tag"):
            self.add_error("tag", _("Enter the tag to add."))
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", _("Pick the new owner."))
        return data


class VersionForm(forms.Form):
    """The version of the record the user saw, sent back with delete."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- people -------------------------------------------------------------------------------


def _rows(data: Mapping[str, Any] | None, pattern: str, existing: int) -> int:
    """How many repeated rows to show: the existing ones plus a blank one, or as many as
    were posted."""
    posted = {
        int(match.group(1))
        for key in (data or {})
        if (match := re.fullmatch(pattern, str(key))) is not None
    }
    return max(existing + 1, max(posted, default=-1) + 1)


class PersonForm(RecordFormMixin, BootstrapForm):
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    emails = forms.CharField(
        label=_("Emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main one."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main one."),
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.LEAD
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    street = forms.CharField(label=_("Street"), required=False, max_length=200)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("State or region"), required=False, max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        help_text=_("Two-letter code: BR, PT, US…"),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    external_id = forms.CharField(label=_("External id"), required=False, max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Set by the "Create anyway" button of the "this looks like ..." notice.
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    TEXT_FIELDS = [
        "given_name",
        "family_name",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "preferred_language",
        "lifecycle_stage",
        "source",
        "external_id",
    ]

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, user: Any, person: Person | None = None
    ) -> None:
        self.person = person
        jobs = list(person.employments.all()) if person else []
        super().__init__(data, initial=self._initial(person, jobs) or {"owner": user.pk})
        set_choices(self.fields["owner"], [BLANK, *owner_choices(user)])
        set_choices(
            self.fields["preferred_language"],
            [
                BLANK,
                *((code, name) for code, name in settings.LANGUAGES),
            ],
        )
        organizations = selectors.organization_choices_for(
            user, include=[job.organization_id for job in jobs]
        )
        known = {pk for pk, _name in organizations}
        organizations += [
            (job.organization_id, job.organization.name)
            for job in jobs
            if job.organization_id not in known
        ]
        self.employment_count = _rows(data, r"organization_(\d+)", len(jobs))
        for index in range(self.employment_count):
            self.fields[f"organization_{index}"] = styled(
                forms.TypedChoiceField(
                    label=_("Organization"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[BLANK, *organizations],
                )
            )
            self.fields[f"job_title_{index}"] = styled(
                forms.CharField(label=_("Job title"), required=False, max_length=100)
            )
        self.add_custom_fields("person", person.custom if person else {})

    @staticmethod
    def _initial(person: Person | None, jobs: list[Any]) -> dict[str, Any]:
        if person is None:
            return {}
        initial: dict[str, Any] = {name: getattr(person, name) for name in PersonForm.TEXT_FIELDS}
        initial.update(
            emails="\n".join(item.email for item in person.emails.all()),
            phones="\n".join(item.number for item in person.phones.all()),
            owner=person.owner_id,
            tags=", ".join(tag.name for tag in person.tags.all()),
            version=person.version,
        )
        for index, job in enumerate(jobs):
            initial[f"organization_{index}"] = job.organization_id
            initial[f"job_title_{index}"] = job.job_title
        return initial

    def employment_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"organization_{index}"], self[f"job_title_{index}"])
            for index in range(self.employment_count)
        ]

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `person_create` / `person_update` take it."""
        data = self.cleaned_data
        result: dict[str, Any] = {name: data[name] for name in self.TEXT_FIELDS}
        result.update(
            emails=split_items(data["emails"]),
            phones=split_items(data["phones"]),
            tags=split_items(data["tags"]),
            custom=self.custom_data(),
        )
        if data.get("owner"):
            result["owner"] = data["owner"]
        job_fields = {
            name for name in self.fields if name.startswith(("organization_", "job_title_"))
        }
        if self.person is None or job_fields & set(self.changed_data):
            result["organizations"] = [
                {
                    "organization": data[f"organization_{index}"],
                    "job_title": data.get(f"job_title_{index}", ""),
                }
                for index in range(self.employment_count)
                if data.get(f"organization_{index}")
            ]
        return result


# --- organizations ------------------------------------------------------------------------

ADDRESS_PARTS = {
    "label": (_("Label"), 200),
    "street": (_("Street"), 200),
    "city": (_("City"), 200),
    "region": (_("State or region"), 200),
    "postal_code": (_("Postal code"), 200),
    "country": (_("Country"), 2),
}


class OrganizationForm(RecordFormMixin, BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    domains = forms.CharField(
        label=_("Domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, like example.com."),
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    size = forms.ChoiceField(label=_("Size"), required=False, choices=OrganizationSize.choices)
    tax_id = forms.CharField(
        label=_("Tax id"),
        required=False,
        max_length=40,
        help_text=_("CNPJ, Portuguese NIF or EU VAT number."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main one."),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    external_id = forms.CharField(label=_("External id"), required=False, max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Set by the "Create anyway" button of the "this looks like ..." notice.
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    TEXT_FIELDS = ["name", "website", "industry", "size", "tax_id", "external_id"]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: Any,
        organization: Organization | None = None,
    ) -> None:
        self.organization = organization
        addresses = list(organization.addresses) if organization else []
        super().__init__(data, initial=self._initial(organization, addresses) or {"owner": user.pk})
        set_choices(self.fields["owner"], [BLANK, *owner_choices(user)])
        self.address_count = _rows(data, r"address_(\d+)_street", len(addresses))
        for index in range(self.address_count):
            for part, (label, limit) in ADDRESS_PARTS.items():
                self.fields[f"address_{index}_{part}"] = styled(
                    forms.CharField(label=label, required=False, max_length=limit)
                )
        self.add_custom_fields("organization", organization.custom if organization else {})

    @staticmethod
    def _initial(organization: Organization | None, addresses: list[Any]) -> dict[str, Any]:
        if organization is None:
            return {}
        initial: dict[str, Any] = {
            name: getattr(organization, name) for name in OrganizationForm.TEXT_FIELDS
        }
        initial.update(
            domains="\n".join(organization.domains),
            phones="\n".join(organization.phones),
            owner=organization.owner_id,
            tags=", ".join(tag.name for tag in organization.tags.all()),
            version=organization.version,
        )
        for index, address in enumerate(addresses):
            for part in ADDRESS_PARTS:
                initial[f"address_{index}_{part}"] = address.get(part, "")
        return initial

    def address_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"address_{index}_{part}"] for part in ADDRESS_PARTS]
            for index in range(self.address_count)
        ]

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `organization_create` / `organization_update` take it."""
        data = self.cleaned_data
        result: dict[str, Any] = {name: data[name] for name in self.TEXT_FIELDS}
        result.update(
            domains=split_items(data["domains"]),
            phones=split_items(data["phones"]),
            tags=split_items(data["tags"]),
            addresses=[
                {part: data.get(f"address_{index}_{part}", "") for part in ADDRESS_PARTS}
                for index in range(self.address_count)
            ],
            custom=self.custom_data(),
        )
        if data.get("owner"):
            result["owner"] = data["owner"]
        return result
