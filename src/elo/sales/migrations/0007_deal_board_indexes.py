from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0006_quotes")]

    operations = [
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["pipeline", "stage", "stage_entered_at", "id"],
                name="deal_board_cards",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["pipeline", "stage", "probability", "amount"],
                name="deal_stage_totals",
            ),
        ),
    ]
