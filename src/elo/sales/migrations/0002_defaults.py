from django.db import migrations

from elo.identity.permissions import DEFAULT_ROLES
from elo.sales.services.pipelines import DEFAULT_STAGES


def create_defaults(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="Sales", is_default=True)
        for position, (name, kind, probability, rotting) in enumerate(DEFAULT_STAGES):
            Stage.objects.create(
                pipeline=pipeline,
                name=name,
                kind=kind,
                probability=probability,
                rotting_days=rotting,
                position=position,
            )
    # Roles created before sales existed get the sales permissions their defaults now hold.
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(key__in=DEFAULT_ROLES):
        wanted = [p for p in DEFAULT_ROLES[role.key][1] if p.startswith("sales.")]
        missing = [p for p in wanted if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("identity", "0002_default_roles")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
