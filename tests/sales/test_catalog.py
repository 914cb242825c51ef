"""Products, services and price lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry
from elo.sales.models import PriceList, Product
from elo.sales.services import catalog

pytestmark = pytest.mark.django_db


def test_products_are_validated_and_audited(admin: Any, rep: Any) -> None:
    product = catalog.product_create(
        actor=admin,
        data={"name": " CRM  seat ", "sku": "SEAT-1", "tax_rate": "23", "unit": "month"},
    )
    assert (product.name, product.tax_rate, product.unit) == ("CRM seat", Decimal("23.00"), "month")
    with pytest.raises(ValidationError) as caught:
        catalog.product_create(actor=admin, data={"name": "", "sku": "seat-1", "tax_rate": "101"})
    assert set(caught.value.message_dict) == {"name", "sku", "tax_rate"}
    with pytest.raises(PermissionDenied):
        catalog.product_create(actor=rep, data={"name": "X", "sku": "X"})
    changed = catalog.product_update(
        actor=admin, product=product, data={"is_active": False}, expected_version=1
    )
    assert (changed.is_active, changed.version) == (False, 2)
    with pytest.raises(PreconditionFailed):
        catalog.product_update(actor=admin, product=product, data={"name": "Y"}, expected_version=1)
    assert AuditEntry.objects.filter(action__startswith="sales.product.").count() == 2
    assert Product.objects.count() == 1


def test_price_lists_hold_one_price_per_product(admin: Any) -> None:
    seat = catalog.product_create(actor=admin, data={"name": "Seat", "sku": "S"})
    setup = catalog.product_create(actor=admin, data={"name": "Setup", "sku": "U"})
    brl = catalog.price_list_save(
        actor=admin,
        data={"name": "Brasil", "currency": "brl", "is_default": True,
              "prices": [{"product": seat.pk, "unit_price": "99.9"},
                         {"product": setup.pk, "unit_price": "1500"}]},
    )  # fmt: skip
    assert brl.currency == "BRL" and brl.is_default
    assert {p.product_id: p.unit_price for p in brl.prices.all()} == {
        seat.pk: Decimal("99.90"), setup.pk: Decimal("1500.00")}  # fmt: skip
    eur = catalog.price_list_save(actor=admin, data={"name": "Europa", "currency": "EUR",
                                                     "is_default": True})  # fmt: skip
    assert not PriceList.objects.get(pk=brl.pk).is_default and eur.is_default
    with pytest.raises(ValidationError) as caught:
        catalog.price_list_save(
            actor=admin,
            price_list=brl,
            data={"name": "europa", "prices": [{"product": 999999, "unit_price": "1"},
                                               {"product": seat.pk, "unit_price": "-1"}]},
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"name", "prices"}
    assert brl.prices.count() == 2
    updated = catalog.price_list_save(
        actor=admin, price_list=brl, data={"prices": [{"product": seat.pk, "unit_price": "89"}]}
    )
    assert [(p.product_id, p.unit_price) for p in updated.prices.all()] == [
        (seat.pk, Decimal("89.00"))
    ]
    assert updated.version == 2


def test_catalog_api(api: Any, admin: Any, rep: Any, django_assert_max_num_queries: Any) -> None:
    made = api(admin).post("/api/v1/products", {"name": "Seat", "sku": "S", "tax_rate": "10"})
    assert made.status_code == 201 and made.json()["tax_rate"] == "10.00"
    assert api(rep).post("/api/v1/products", {"name": "X", "sku": "X"}).status_code == 403
    assert api(admin).post("/api/v1/products", {"name": "X", "sku": "s"}).status_code == 422
    listed = api(admin).post(
        "/api/v1/price-lists",
        {
            "name": "BR",
            "currency": "BRL",
            "prices": [{"product": made.json()["id"], "unit_price": "5"}],
        },
    )
    assert listed.status_code == 201, listed.content
    assert listed.json()["prices"] == [{"product": made.json()["id"], "unit_price": "5.00"}]
    for index in range(5):
        api(admin).post("/api/v1/price-lists", {"name": f"L{index}", "currency": "EUR"})
    client = api(rep)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/price-lists").json()) == 6
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/products").json()) == 1
    etag = client.get(f"/api/v1/price-lists/{listed.json()['id']}")["ETag"]
    stale = api(admin).patch(f"/api/v1/price-lists/{listed.json()['id']}", {"name": "BR2"},
                             **{"If-Match": etag.replace('-1"', '-9"')})  # fmt: skip
    assert stale.status_code == 412


def test_price_list_detail_does_not_grow_with_prices(
    api: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    products = [
        catalog.product_create(actor=admin, data={"name": f"P{i}", "sku": f"P{i}"})
        for i in range(6)
    ]
    one = catalog.price_list_save(actor=admin, data={"name": "One", "currency": "EUR",
                                                     "prices": [{"product": products[0].pk, "unit_price": "1"}]})  # fmt: skip
    many = catalog.price_list_save(actor=admin, data={"name": "Many", "currency": "EUR",
                                                      "prices": [{"product": p.pk, "unit_price": "1"} for p in products]})  # fmt: skip
    client = api(admin)
    with django_assert_max_num_queries(6) as captured:
        assert client.get(f"/api/v1/price-lists/{one.pk}").status_code == 200
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert len(client.get(f"/api/v1/price-lists/{many.pk}").json()["prices"]) == 6
    with django_assert_max_num_queries(4):
        assert client.get(f"/api/v1/products/{products[0].pk}").status_code == 200
