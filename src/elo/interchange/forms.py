from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.core.custom_fields import definitions
from elo.core.forms import BootstrapForm
from elo.interchange import presets
from elo.interchange.mapping import TARGET_LABELS, TARGETS
from elo.interchange.models import ImportEntity, UpsertKey

CUSTOM_ENTITY: dict[str, str] = {"people": "person", "organizations": "organization"}


def preset_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Detect from the file's columns")),
        *[(preset.name, preset.label) for preset in presets.PRESETS.values()],
    ]


class UploadForm(BootstrapForm):
    entity = forms.ChoiceField(label=_("What the file holds"), choices=ImportEntity.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (comma or semicolon, UTF-8 or Windows-1252), Excel workbook (.xlsx, first "
            "sheet) or vCard (.vcf), with a header row."
        ),
    )
    preset = forms.ChoiceField(label=_("Exported from"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = preset_choices()  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
            ".vcf,text/vcard"
        )


def field_choices(entity: str) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("Ignore this column"))]
    choices += [(field, TARGET_LABELS.get(field, field)) for field in TARGETS[entity]]
    if entity in CUSTOM_ENTITY:
        choices += [
            (f"cf_{definition.key}", definition.label)
            for definition in definitions(CUSTOM_ENTITY[entity])
        ]
    return choices


class MappingForm(BootstrapForm):
    """One select per column of the file, the upsert key and whether to load the valid rows
    of a batch that has rejected rows."""

    upsert_by = forms.ChoiceField(label=_("Match existing records by"), choices=UpsertKey.choices)
    skip_invalid = forms.BooleanField(
        label=_("Load the valid rows of a batch that has rejected rows"), required=False
    )

    def __init__(
        self, *args: Any, entity: str, headers: list[str], suggested: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = field_choices(entity)
        known = {value for value, _label in choices}
        for index, (header, field) in enumerate(zip(headers, suggested, strict=True)):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=field if field in known else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if entity != ImportEntity.PEOPLE:
            self.fields["upsert_by"].choices = [  # type: ignore[attr-defined]
                (UpsertKey.EXTERNAL_ID.value, UpsertKey.EXTERNAL_ID.label)
            ]

    def column_fields(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}") or "" for i in range(len(self.headers))]

    def columns(self) -> list[Any]:
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def add_service_errors(self, error: ValidationError) -> None:
        """A mapping error on the column it names (`mapping.<header>`), others by field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        positions = {
            f"mapping.{header}": i for i, header in reversed(list(enumerate(self.headers)))
        }
        for key, errors in error.error_dict.items():
            if key in positions:
                self.add_error(f"column_{positions[key]}", errors)
            else:
                self.add_error(key if key in self.fields else None, errors)
