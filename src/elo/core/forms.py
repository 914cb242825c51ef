"""Forms for the shared settings pages, and helpers every app's forms use.

Forms check the shape of input only; the services decide what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.core import custom_fields
from elo.core.models import CustomField, CustomFieldEntity, CustomFieldType

BLANK = ("", "---------")
STALE_MESSAGE = _(
    "Someone else saved this record while you were editing it. Nothing was saved. Your "
    "changes are still below: check the current version (it opens in a new tab), then save "
    "again to replace it with what you typed."
)


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap 5 classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: by field where the form has that
    field (`custom.<key>` on `cf_<key>`), otherwise above the form."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            name = f"cf_{key.removeprefix('custom.')}" if key.startswith("custom.") else key
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


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


def custom_form_field(definition: CustomField, current: Any) -> forms.Field:
    """The form field for one custom field definition; a stored value that is no longer one
    of the choices stays selectable so that saving does not lose it."""
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


class CustomFieldsMixin:
    """One form field `cf_<key>` per custom field definition of an entity."""

    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]
    cleaned_data: dict[str, Any]
    definitions: list[CustomField]

    def add_custom_fields(self, entity: str, current: Mapping[str, Any]) -> None:
        self.definitions = custom_fields.definitions(entity)
        for definition in self.definitions:
            name = f"cf_{definition.key}"
            value = current.get(definition.key)
            self.fields[name] = styled(custom_form_field(definition, value))
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


class CustomFieldForm(BootstrapForm):
    """A custom field definition; entity and key are fixed once the field exists."""

    entity = forms.ChoiceField(label=_("Record type"), choices=CustomFieldEntity.choices)
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        help_text=_(
            "Lower-case letters, digits and underscores. Used in imports and the API; "
            "it cannot be changed later."
        ),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice fields: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        initial=0,
        help_text=_("Fields are shown in ascending order of position."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["entity"]
            del self.fields["key"]

    def clean_key(self) -> str:
        return str(self.cleaned_data["key"]).strip()

    def clean_choices(self) -> list[str]:
        lines = str(self.cleaned_data.get("choices") or "").splitlines()
        return list(dict.fromkeys(line.strip() for line in lines if line.strip()))

    def definition(self) -> dict[str, Any]:
        """The cleaned data as the custom field services take it."""
        return dict(self.cleaned_data)

    @staticmethod
    def initial_for(field: Any) -> dict[str, Any]:
        return {
            "label": field.label,
            "field_type": field.field_type,
            "choices": "\n".join(field.choices),
            "required": field.required,
            "help_text": field.help_text,
            "position": field.position,
        }


class CompanyProfileForm(BootstrapForm):
    """The company's details for quotes and invoices; the service checks them."""

    name = forms.CharField(label=_("Trading name"), required=False, max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), required=False, max_length=200)
    tax_id = forms.CharField(
        label=_("Tax ID"),
        required=False,
        max_length=40,
        help_text=_("CNPJ, NIF or VAT number, as it must appear on invoices."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    payment_instructions = forms.CharField(
        label=_("Payment instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bank details, PIX key or IBAN, printed on every invoice."),
    )
    document_footer = forms.CharField(label=_("Document footer"), required=False, max_length=300)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


@dataclass
class Submission:
    ok: bool = True


@contextmanager
def service_errors(
    form: forms.Form,
    show: Callable[[forms.Form, ValidationError], None] = add_service_errors,
) -> Iterator[Submission]:
    """Runs a form's service call: a stale version or the service's ValidationError ends on
    the form (what was typed is kept; after a stale save the form takes the current version,
    so saving again is an informed overwrite) and `ok` turns False.

        with service_errors(form) as submission:
            services.deal_update(...)
        if submission.ok:
            return redirect(...)
    """
    from elo.core.errors import PreconditionFailed

    submission = Submission()
    try:
        yield submission
    except PreconditionFailed as error:
        submission.ok = False
        form.add_error(None, str(STALE_MESSAGE))
        mark_stale = getattr(form, "mark_stale", None)
        if mark_stale is not None:
            mark_stale(error.current_version)
    except ValidationError as error:
        submission.ok = False
        show(form, error)
