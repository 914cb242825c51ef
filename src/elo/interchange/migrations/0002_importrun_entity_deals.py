from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interchange", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="importrun",
            name="entity",
            field=models.CharField(
                choices=[
                    ("people", "People"),
                    ("organizations", "Organizations"),
                    ("activities", "Activities"),
                    ("deals", "Deals"),
                ],
                max_length=20,
            ),
        ),
    ]
