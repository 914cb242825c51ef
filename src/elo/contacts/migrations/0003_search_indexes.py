from django.db import migrations

from elo.core.search import index_operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_initial")]

    operations = [
        index_operation("contacts_person", "contacts_person_fts"),
        index_operation("contacts_organization", "contacts_organization_fts"),
    ]
