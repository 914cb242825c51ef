from django.db import migrations

from elo.identity.permissions import DEFAULT_ROLES


def create_roles(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for key, (name, permissions) in DEFAULT_ROLES.items():
        Role.objects.get_or_create(key=key, defaults={"name": name, "permissions": permissions})


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
