from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.interchange.models import ImportEntity


class ImportForm(forms.Form):
    entity = forms.ChoiceField(label=_("What the file holds"), choices=ImportEntity.choices)
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma-separated, with a header line.")
    )
    skip_invalid = forms.BooleanField(
        label=_("Load the valid rows of a batch that has rejected rows"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["entity"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv,.vcf,text/vcard"
        self.fields["skip_invalid"].widget.attrs["class"] = "form-check-input"
