"""Demo back office: the company profile, a product catalogue with a price list per currency,
exchange rates, quotes on the later deals, and orders, invoices and payments for the won
ones, some paid, some partly paid, some overdue. Written through the services."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from elo.billing import services as billing
from elo.core.services import company_profile_save
from elo.identity.models import User
from elo.sales import services
from elo.sales.choices import DealStatus, StageKind
from elo.sales.models import Deal, Product
from elo.sales.services import catalog, quotes

PROFILE = {
    "name": "Elo Demo",
    "legal_name": "Elo Demonstração Ltda.",
    "tax_id": "11.222.333/0001-81",
    "address": "Avenida Paulista, 1000, 10º andar\n01310-100 São Paulo - SP\nBrasil",
    "email": "financeiro@elo-demo.example",
    "phone": "+55 11 3000-0000",
    "website": "elo-demo.example",
    "payment_instructions": "PIX: financeiro@elo-demo.example\n"
    "Banco 001, agência 1234-5, conta 67890-1\nIBAN (EUR): PT50 0002 0123 1234 5678 9015 4",
    "document_footer": "Elo Demonstração Ltda. · CNPJ 11.222.333/0001-81",
}
# sku, name, unit, tax rate, price per currency
PRODUCTS = (
    ("LIC-ESS", "Essential plan (per user, month)", "user", "0", (89, 19, 21, 17)),
    ("LIC-PRO", "Professional plan (per user, month)", "user", "0", (159, 35, 39, 31)),
    ("LIC-ENT", "Enterprise plan (per user, month)", "user", "0", (289, 59, 65, 52)),
    ("SRV-IMP", "Implementation package", "package", "5", (4_500, 950, 1_050, 850)),
    ("SRV-TRN", "Training day", "day", "5", (2_200, 480, 520, 420)),
    ("SRV-SUP", "Premium support (month)", "month", "5", (790, 170, 190, 150)),
)
CURRENCIES = ("BRL", "EUR", "USD", "GBP")
RATES = {"EUR": "6.18", "USD": "5.35", "GBP": "7.05"}  # BRL per unit
LATE_STAGES = ("Proposal", "Negotiation")


def load(*, users: dict[str, User], seed: int) -> tuple[int, int]:
    """The catalogue, quotes and invoices; returns (quotes, invoices)."""
    rng = random.Random(seed + 11)
    admin = users["admin"]
    company_profile_save(actor=admin, data=PROFILE)
    today = timezone.localdate()
    for currency, rate in RATES.items():
        services.rate_set(
            actor=admin, currency=currency, rate=rate, valid_from=today.replace(month=1, day=1)
        )
    products = [
        catalog.product_create(
            actor=admin, data={"sku": sku, "name": name, "unit": unit, "tax_rate": tax}
        )
        for sku, name, unit, tax, _prices in PRODUCTS
    ]
    price_lists = {}
    for index, currency in enumerate(CURRENCIES):
        price_lists[currency] = catalog.price_list_save(
            actor=admin,
            data={
                "name": f"List {currency}",
                "currency": currency,
                "is_default": currency == "BRL",
                "prices": [
                    {"product": product.pk, "unit_price": str(row[4][index])}
                    for product, row in zip(products, PRODUCTS, strict=True)
                ],
            },
        )
    lists = {currency: found.pk for currency, found in price_lists.items()}
    return _quotes_and_invoices(rng, users, products, lists, today)


def _lines(rng: random.Random, products: list[Product]) -> list[dict[str, object]]:
    licence = rng.choice(products[:3])
    lines: list[dict[str, object]] = [
        {
            "product": licence.pk,
            "quantity": str(rng.choice((5, 10, 12, 20, 25, 40)) * 12),
            "discount": str(rng.choice((0, 0, 5, 10))),
        },
        {"product": products[3].pk, "quantity": "1"},
    ]
    if rng.random() < 0.5:
        lines.append({"product": products[4].pk, "quantity": str(rng.randint(1, 3))})
    return lines


def _quotes_and_invoices(
    rng: random.Random,
    users: dict[str, User],
    products: list[Product],
    price_lists: dict[str, int],
    today: datetime.date,
) -> tuple[int, int]:
    manager = users["br_manager"]
    deals = list(
        Deal.objects.filter(deleted_at=None)
        .filter(status=DealStatus.WON)
        .select_related("owner", "stage")
        .order_by("pk")
    ) + list(
        Deal.objects.filter(deleted_at=None, stage__kind=StageKind.OPEN)
        .filter(stage__name__in=LATE_STAGES)
        .select_related("owner", "stage")
        .order_by("pk")[:20]
    )
    made = invoiced = 0
    for deal in deals:
        person = deal.contacts.order_by("pk").values_list("person_id", flat=True).first()
        quote = quotes.quote_create(
            actor=deal.owner,
            data={
                "title": deal.title,
                "deal": deal.pk,
                "organization": deal.organization_id,
                "person": person,
                "currency": deal.currency,
                "price_list": price_lists[deal.currency],
                "valid_until": (today + datetime.timedelta(days=30)).isoformat(),
                "lines": _lines(rng, products),
            },
        )
        quote = quotes.quote_set_status(actor=deal.owner, quote=quote, status="sent")
        made += 1
        if deal.status != DealStatus.WON:
            continue
        quote = quotes.quote_set_status(actor=deal.owner, quote=quote, status="accepted")
        order = billing.order_from_quote(actor=deal.owner, quote=quote)
        issued = today - datetime.timedelta(days=rng.randint(0, 120))
        invoice = billing.invoice_issue(
            actor=manager,
            invoice=billing.invoice_draft(actor=manager, order=order),
            issue_date=issued,
        )
        invoiced += 1
        luck = rng.random()
        if luck < 0.55:
            paid = invoice.total
        elif luck < 0.75:
            paid = (invoice.total * Decimal("0.4")).quantize(Decimal("0.01"))
        else:
            continue  # unpaid: overdue once its due date has passed
        billing.payment_record(
            actor=manager,
            invoice=invoice,
            data={
                "amount": str(paid),
                "method": rng.choice(("pix", "bank_transfer", "card", "boleto")),
                "paid_on": min(today, issued + datetime.timedelta(days=rng.randint(3, 40))),
            },
        )
    return made, invoiced
