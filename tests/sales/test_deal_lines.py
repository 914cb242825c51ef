"""A deal's products: priced lines, the amount they make, the API, the page, quotes from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry
from elo.sales import services
from elo.sales.models import Deal, DealLine
from elo.sales.services import catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(admin: Any) -> dict[str, Any]:
    services.pipeline_ensure_default()
    seat = catalog.product_create(actor=admin, data={"name": "Seat", "sku": "S", "tax_rate": "10"})
    setup = catalog.product_create(actor=admin, data={"name": "Setup", "sku": "U"})
    catalog.price_list_save(
        actor=admin,
        data={"name": "Brasil", "currency": "BRL", "is_default": True,
              "prices": [{"product": seat.pk, "unit_price": "89.90"}]},
    )  # fmt: skip
    catalog.price_list_save(
        actor=admin,
        data={"name": "Europa", "currency": "EUR",
              "prices": [{"product": seat.pk, "unit_price": "20.00"}]},
    )  # fmt: skip
    return {"seat": seat, "setup": setup}


def _deal(owner: Any, currency: str = "BRL") -> Deal:
    return services.deal_create(
        actor=owner, data={"title": "Rollout", "amount": "1000", "currency": currency}
    )


def test_lines_price_from_the_deals_currency_and_set_the_amount(rep: Any, catalogue: Any) -> None:
    deal = _deal(rep, "EUR")
    deal = services.deal_lines_set(
        actor=rep,
        deal=deal,
        lines=[{"product": catalogue["seat"].pk, "quantity": "12", "discount": "10"},
               {"description": "Training", "unit_price": "500"}],
    )  # fmt: skip
    lines = list(DealLine.objects.filter(deal=deal))
    assert [(line.description, line.unit_price, line.net, line.tax) for line in lines] == [
        ("Seat", Decimal("20.00"), Decimal("216.00"), Decimal("21.60")),
        ("Training", Decimal("500.00"), Decimal("500.00"), Decimal("0.00")),
    ]
    deal.refresh_from_db()
    assert (deal.amount, deal.version) == (Decimal("716.00"), 2)
    entry = AuditEntry.objects.filter(action="sales.deal.updated", object_id=str(deal.pk)).get()
    assert entry.changes["amount"] == ["1000.00", "716.00"]
    # No lines: the products go, the amount stays as it was.
    deal = services.deal_lines_set(actor=rep, deal=deal, lines=[])
    deal.refresh_from_db()
    assert (deal.lines.count(), deal.amount) == (0, Decimal("716.00"))


def test_bad_lines_change_nothing(rep: Any, catalogue: Any, reader: Any) -> None:
    deal = _deal(rep)
    with pytest.raises(ValidationError) as caught:
        services.deal_lines_set(
            actor=rep,
            deal=deal,
            lines=[{"product": catalogue["setup"].pk},  # no price in the BRL list
                   {"description": "x", "unit_price": "-1"},
                   {"description": "y", "unit_price": "1", "quantity": "0"}],
        )  # fmt: skip
    assert len(caught.value.message_dict["lines"]) == 3
    with pytest.raises(PreconditionFailed):
        services.deal_lines_set(
            actor=rep, deal=deal, lines=[{"description": "z", "unit_price": "1"}],
            expected_version=7,
        )  # fmt: skip
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.deal_lines_set(actor=reader, deal=deal, lines=[])
    deal.refresh_from_db()
    assert (deal.lines.count(), deal.amount, deal.version) == (0, Decimal("1000.00"), 1)


def test_the_api_sets_lines_with_if_match_and_reports_problems(
    api: Any, rep: Any, catalogue: Any
) -> None:
    deal = _deal(rep)
    client = api(rep)
    url = f"/api/v1/deals/{deal.pk}/lines"
    stale = client.put(url, {"lines": []}, **{"If-Match": f'"{deal.pk}-7"'})
    assert stale.status_code == 412
    bad = client.put(url, {"lines": [{"description": "", "unit_price": "1"}]})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    saved = client.put(
        url,
        {"lines": [{"product": catalogue["seat"].pk, "quantity": "2"}]},
        **{"If-Match": f'"{deal.pk}-1"'},
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["amount"] == "179.80" and saved["ETag"] == f'"{deal.pk}-2"'
    assert [(line["description"], line["net"]) for line in body["lines"]] == [("Seat", "179.80")]
    assert (
        client.get(f"/api/v1/deals/{deal.pk}").json()["lines"][0]["product"] == catalogue["seat"].pk
    )


def _rows(rows: list[dict[str, str]], version: int) -> dict[str, str]:
    data = {
        "version": str(version),
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name in ("product", "description", "quantity", "unit_price", "discount", "tax_rate"):
            data[f"lines-{index}-{name}"] = row.get(name, "")
    return data


def test_the_products_page_saves_adds_rows_and_shows_errors(
    web: Any, rep: Any, reader: Any, catalogue: Any
) -> None:
    deal = _deal(rep)
    client = web(rep)
    url = f"/deals/{deal.pk}/products/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="lines-0-product"' in page.content.decode()
    more = client.post(
        url, {**_rows([{"description": "A", "unit_price": "1"}], 1), "add_line": "1"}
    )
    assert 'name="lines-1-product"' in more.content.decode() and not deal.lines.exists()
    bad = client.post(url, _rows([{"description": "A", "unit_price": "abc"}], 1))
    assert (
        bad.status_code == 200 and 'data-field-error="lines-0-unit_price"' in bad.content.decode()
    )
    refused = client.post(url, _rows([{"product": str(catalogue["setup"].pk)}], 1))
    assert 'id="line-errors"' in refused.content.decode()
    assert not deal.lines.exists()
    saved = client.post(url, _rows([{"product": str(catalogue["seat"].pk), "quantity": "3"}], 1))
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("269.70")
    detail = client.get(f"/deals/{deal.pk}/").content.decode()
    section = detail[detail.index('id="deal-lines"') :]
    assert "Seat" in section and "269.70" in section
    stale = client.post(url, _rows([{"description": "B", "unit_price": "2"}], 1))
    assert stale.status_code == 200 and 'name="version" value="2"' in stale.content.decode()
    deal.refresh_from_db()
    assert deal.amount == Decimal("269.70")  # the stale save changed nothing
    assert list(deal.lines.values_list("description", flat=True)) == ["Seat"]
    assert web(reader).get(url).status_code in (403, 404)


def test_a_new_quote_from_the_deal_starts_from_its_products(
    web: Any, rep: Any, catalogue: Any
) -> None:
    deal = _deal(rep)
    services.deal_lines_set(
        actor=rep, deal=deal, lines=[{"product": catalogue["seat"].pk, "quantity": "4"}]
    )
    html = web(rep).get(f"/quotes/new/?deal={deal.pk}").content.decode()
    assert 'name="lines-0-quantity"' in html and 'value="4.000"' in html
    assert f'<option value="{catalogue["seat"].pk}" selected' in html


def test_the_deal_page_costs_the_same_with_many_products(web: Any, rep: Any) -> None:
    services.pipeline_ensure_default()
    client = web(rep)
    counts = []
    for size in (1, 15):
        deal = _deal(rep)
        services.deal_lines_set(
            actor=rep,
            deal=deal,
            lines=[{"description": f"Item {i}", "unit_price": "10"} for i in range(size)],
        )
        client.get(f"/deals/{deal.pk}/")  # warm caches (session, permissions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/deals/{deal.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
