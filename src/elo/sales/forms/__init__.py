"""Forms for the sales pages.

They check the shape of what was typed and turn it into the data the sales services take;
the services decide what is valid and report it back field by field. One module per page
family; this package names them all.
"""

from __future__ import annotations

from elo.sales.forms.catalog import (
    BasePriceFormSet,
    PriceForm,
    PriceFormSet,
    PriceListForm,
    ProductActiveForm,
    ProductFilterForm,
    ProductForm,
    price_initial,
)
from elo.sales.forms.common import (
    DATE,
    PEOPLE_CHOICES,
    StaleMixin,
    VersionForm,
    owner_choices,
    set_choices,
    split_items,
    stage_choices,
)
from elo.sales.forms.configuration import (
    CONDITION_LABELS,
    PLAYBOOK_LINE,
    BaseConditionFormSet,
    BaseStageFormSet,
    ConditionForm,
    ConditionFormSet,
    DefaultOwnersForm,
    PipelineForm,
    RuleForm,
    StageForm,
    StageFormSet,
    condition_initial,
    playbook_text,
    stage_initial,
)
from elo.sales.forms.deals import (
    DealFilterForm,
    DealForm,
    MoveForm,
)
from elo.sales.forms.forecast import (
    ForecastFilterForm,
    QuotaForm,
    RateForm,
    period_choices,
)
from elo.sales.forms.leads import (
    ConvertForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
)
from elo.sales.forms.quotes import (
    BaseQuoteLineFormSet,
    QuoteFilterForm,
    QuoteForm,
    QuoteLineForm,
    QuoteLineFormSet,
    QuoteSendForm,
    QuoteStatusForm,
    add_quote_errors,
    line_forms,
)

__all__ = [
    "CONDITION_LABELS",
    "DATE",
    "PEOPLE_CHOICES",
    "PLAYBOOK_LINE",
    "BaseConditionFormSet",
    "BasePriceFormSet",
    "BaseQuoteLineFormSet",
    "BaseStageFormSet",
    "ConditionForm",
    "ConditionFormSet",
    "ConvertForm",
    "DealFilterForm",
    "DealForm",
    "DefaultOwnersForm",
    "DisqualifyForm",
    "ForecastFilterForm",
    "LeadFilterForm",
    "LeadForm",
    "MoveForm",
    "PipelineForm",
    "PriceForm",
    "PriceFormSet",
    "PriceListForm",
    "ProductActiveForm",
    "ProductFilterForm",
    "ProductForm",
    "QuotaForm",
    "QuoteFilterForm",
    "QuoteForm",
    "QuoteLineForm",
    "QuoteLineFormSet",
    "QuoteSendForm",
    "QuoteStatusForm",
    "RateForm",
    "RuleForm",
    "StageForm",
    "StageFormSet",
    "StaleMixin",
    "VersionForm",
    "add_quote_errors",
    "condition_initial",
    "line_forms",
    "owner_choices",
    "period_choices",
    "playbook_text",
    "price_initial",
    "set_choices",
    "split_items",
    "stage_choices",
    "stage_initial",
]
