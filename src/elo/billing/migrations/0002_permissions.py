from django.db import migrations

from elo.identity.permissions import DEFAULT_ROLES


def grant(apps, schema_editor):
    """Roles created before billing existed get the billing permissions their defaults hold."""
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key__in=DEFAULT_ROLES):
        missing = [
            p
            for p in DEFAULT_ROLES[role.key][1]
            if p.startswith("billing.") and p not in role.permissions
        ]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("identity", "0002_default_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
