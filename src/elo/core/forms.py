"""Forms for the shared settings pages, and helpers every app's forms use.

Forms check the shape of input only; the services decide what is allowed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.core.models import CustomFieldEntity, CustomFieldType


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
    field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
