from django.db import migrations, models


def _snapshot(person, organization):
    """The billed party of an invoice issued before snapshots existed, as it reads now."""
    data = {
        "organization": "",
        "tax_id": "",
        "tax_id_kind": "",
        "name": "",
        "street": "",
        "postal_code": "",
        "city": "",
        "region": "",
        "country": "",
        "email": "",
        "language": "",
    }
    if organization is not None:
        data.update(
            organization=organization.name,
            tax_id=organization.tax_id,
            tax_id_kind=organization.tax_id_kind,
        )
    if person is not None:
        name = " ".join(part for part in (person.given_name, person.family_name) if part)
        data.update(
            name=name or person.primary_email,
            street=person.street,
            postal_code=person.postal_code,
            city=person.city,
            region=person.region,
            country=person.country,
            email=person.primary_email,
            language=person.preferred_language,
        )
    return data


def fill_issued(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    issued = Invoice.objects.filter(number__isnull=False).select_related("person", "organization")
    for invoice in issued.iterator(chunk_size=500):
        invoice.billed_to = _snapshot(invoice.person, invoice.organization)
        invoice.save(update_fields=["billed_to"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_invoice_sent"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="billed_to",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="billed to"
            ),
        ),
        migrations.RunPython(fill_issued, migrations.RunPython.noop),
    ]
