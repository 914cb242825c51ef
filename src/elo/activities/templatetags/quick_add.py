"""The quick-add forms (note, task, call, meeting) a timeline shows above its entries."""

from __future__ import annotations

from typing import Any

from django import template

from elo.activities.forms import QUICK_KINDS, QuickAddForm

register = template.Library()


@register.inclusion_tag("activities/quick_add.html", takes_context=True)
def quick_add_forms(
    context: template.Context,
    person: Any = None,
    organization: Any = None,
    lead: Any = None,
    deal: Any = None,
) -> dict[str, Any]:
    """`{% quick_add_forms person=person %}`, or `organization=`, `lead=` or `deal=`."""
    request = context["request"]
    user = request.user
    forms: list[QuickAddForm] = []
    if user.has_elo_perm("activities.add"):
        initial = {
            "person": getattr(person, "pk", None),
            "organization": getattr(organization, "pk", None),
            "lead": getattr(lead, "pk", None),
            "deal": getattr(deal, "pk", None),
            "next": request.get_full_path(),
        }
        forms = [QuickAddForm(kind=kind, user=user, initial=initial) for kind in QUICK_KINDS]
    return {"forms": forms, "request": request, "csrf_token": context.get("csrf_token")}
