"""The purposes most businesses ask consent for; admins rename, add or deactivate them."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS = [
    (
        "marketing",
        "Marketing",
        "News, offers and campaigns about our products and services.",
    ),
    (
        "profiling",
        "Profiling and analytics",
        "Analysing purchases and behaviour to personalise offers and measure campaigns.",
    ),
    (
        "third_party_sharing",
        "Sharing with third parties",
        "Passing contact details to selected partners for their own offers.",
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    purpose = apps.get_model("privacy", "ConsentPurpose")
    for key, name, description in DEFAULTS:
        purpose.objects.get_or_create(key=key, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_consent_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
