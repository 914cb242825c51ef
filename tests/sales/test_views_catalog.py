"""Product and price list pages, as a signed-in user sees them."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core.models import AuditEntry
from elo.sales.models import Price, PriceList, Product
from elo.sales.services import catalog

pytestmark = pytest.mark.django_db


def _product(admin: Any, name: str = "CRM seat", sku: str = "SEAT", **data: Any) -> Product:
    return catalog.product_create(actor=admin, data={"name": name, "sku": sku, **data})


def _price_list(admin: Any, name: str = "Brasil", currency: str = "BRL", **data: Any) -> PriceList:
    return catalog.price_list_save(actor=admin, data={"name": name, "currency": currency, **data})


def _product_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "sku": "SETUP-1",
        "name": "Setup service",
        "unit": "hour",
        "tax_rate": "23",
        "description": "Installation and training.",
        "is_active": "on",
        "version": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _price_rows(rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prices-TOTAL_FORMS": str(len(rows)),
        "prices-INITIAL_FORMS": str(initial),
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"prices-{index}-{key}"] = str(value)
    return data


def _rows(response: Any, table: str = "record-results") -> list[str]:
    """The linked first column of a table's rows, in order."""
    html = response.content.decode()
    html = html[html.index(f'id="{table}"') :]
    return [
        unescape(name)
        for name in re.findall(r'<tr data-record="\d+">\s*<td><a [^>]*>([^<]+)', html)
    ]


def _prices(price_list: PriceList) -> dict[str, Decimal]:
    return {
        price.product.sku: price.unit_price
        for price in Price.objects.filter(price_list=price_list).select_related("product")
    }


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- products -----------------------------------------------------------------------------


def test_product_list_searches_name_and_sku_and_filters_by_status(web: Any, admin: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    _product(admin, "Onboarding", "SRV-ONB")
    _product(admin, "Old add-on", "ADD-9", is_active=False)
    client = web(admin)
    response = client.get("/settings/products/")
    assert _rows(response) == ["CRM seat", "Old add-on", "Onboarding"]
    assert "3 products" in response.content.decode()
    assert f'href="/settings/products/{seat.pk}/"' in response.content.decode()
    assert _rows(client.get("/settings/products/?q=seat")) == ["CRM seat"]
    assert _rows(client.get("/settings/products/?q=srv-")) == ["Onboarding"]
    assert _rows(client.get("/settings/products/?status=inactive")) == ["Old add-on"]
    assert _rows(client.get("/settings/products/?status=active")) == ["CRM seat", "Onboarding"]
    fragment = client.get("/settings/products/?q=old", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="record-results"')
    assert "navbar" not in html
    assert _rows(fragment) == ["Old add-on"]


def test_product_list_pages_with_a_cursor(web: Any, admin: Any, monkeypatch: Any) -> None:
    from elo.sales.views import pages

    for index in range(3):
        _product(admin, f"P{index}", f"SKU-{index}")
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    client = web(admin)
    first = client.get("/settings/products/")
    cursor = re.search(r'href="\?cursor=([^"&]+)"', first.content.decode())
    assert cursor is not None
    second = client.get(f"/settings/products/?cursor={cursor.group(1)}")
    assert _rows(first) == ["P0", "P1"]
    assert _rows(second) == ["P2"]
    assert client.get("/settings/products/?cursor=nonsense!").status_code == 200


def test_only_users_who_configure_sales_are_offered_new_product(
    web: Any, admin: Any, rep: Any
) -> None:
    assert 'id="product-create"' in web(admin).get("/settings/products/").content.decode()
    response = web(rep).get("/settings/products/")
    assert response.status_code == 200
    assert 'id="product-create"' not in response.content.decode()


def test_product_pages_permission_matrix(client: Any, web: Any, admin: Any, rep: Any) -> None:
    product = _product(admin)
    urls = ["/settings/products/new/", f"/settings/products/{product.pk}/edit/"]
    for url in [*urls, "/settings/products/", f"/settings/products/{product.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    signed_in = web(rep)
    for url in urls:
        assert signed_in.get(url).status_code == 403, url
        assert signed_in.post(url, _product_form(sku="X", version="1")).status_code == 403, url
    active = f"/settings/products/{product.pk}/active/"
    assert signed_in.post(active, {"is_active": "false", "version": "1"}).status_code == 403
    assert signed_in.get(f"/settings/products/{product.pk}/").status_code == 200
    assert web(admin).get("/settings/products/999999/").status_code == 404
    product.refresh_from_db()
    assert (product.is_active, product.version) == (True, 1)
    assert Product.objects.count() == 1


def test_create_product_saves_every_field(web: Any, admin: Any) -> None:
    response = web(admin).post("/settings/products/new/", _product_form())
    product = Product.objects.get(sku="SETUP-1")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/products/{product.pk}/"
    assert (product.name, product.unit, product.tax_rate, product.description) == (
        "Setup service", "hour", Decimal("23.00"), "Installation and training."
    )  # fmt: skip
    assert product.is_active
    assert AuditEntry.objects.filter(action="sales.product.created").count() == 1


def test_create_product_with_bad_input_shows_field_errors_and_creates_nothing(
    web: Any, admin: Any
) -> None:
    response = web(admin).post("/settings/products/new/", _product_form(name="", tax_rate="150"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field-error="name"' in html
    assert 'data-field-error="tax_rate"' in html
    assert not Product.objects.exists()


def test_a_taken_sku_is_reported_on_the_sku_field(web: Any, admin: Any) -> None:
    _product(admin, "CRM seat", "SEAT-1")
    response = web(admin).post("/settings/products/new/", _product_form(sku="seat-1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field-error="sku"' in html
    assert "Another product has this SKU." in html
    assert Product.objects.count() == 1


def test_edit_product_saves_and_a_stale_edit_changes_nothing(web: Any, admin: Any) -> None:
    product = _product(admin, "CRM seat", "SEAT-1", tax_rate="10")
    client = web(admin)
    form = client.get(f"/settings/products/{product.pk}/edit/").content.decode()
    assert 'value="SEAT-1"' in form and 'name="version" value="1"' in form
    data = _product_form(sku="SEAT-1", name="CRM seat (yearly)", unit="year", version="1")
    data.pop("is_active")
    response = client.post(f"/settings/products/{product.pk}/edit/", data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.unit, product.tax_rate, product.is_active, product.version) == (
        "CRM seat (yearly)", "year", Decimal("23.00"), False, 2
    )  # fmt: skip
    stale = client.post(
        f"/settings/products/{product.pk}/edit/", {**data, "name": "Overwrite", "version": "1"}
    )
    assert stale.status_code == 200
    assert "Someone else saved this record while you were editing it." in stale.content.decode()
    assert 'name="version" value="2"' in stale.content.decode()
    product.refresh_from_db()
    assert (product.name, product.version) == ("CRM seat (yearly)", 2)


def test_product_page_shows_its_price_in_every_price_list(web: Any, admin: Any, rep: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    _price_list(admin, "Brasil", "BRL", prices=[{"product": seat.pk, "unit_price": "99.90"}])
    _price_list(admin, "Europa", "EUR")
    response = web(rep).get(f"/settings/products/{seat.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="product-prices"') :]
    assert re.search(r"Brasil</a>.*?BRL.*?99\.90", table, re.DOTALL)
    assert re.search(r"Europa</a>.*?EUR.*?No price", table, re.DOTALL)
    assert "SEAT-1" in html
    assert 'id="product-active"' not in html  # a rep cannot deactivate it


def test_deactivate_and_activate_a_product_from_its_page(web: Any, admin: Any) -> None:
    product = _product(admin)
    client = web(admin)
    page = client.get(f"/settings/products/{product.pk}/").content.decode()
    assert "Deactivate" in page
    url = f"/settings/products/{product.pk}/active/"
    assert client.post(url, {"is_active": "false", "version": "1"}).status_code == 302
    product.refresh_from_db()
    assert (product.is_active, product.version) == (False, 2)
    stale = client.post(url, {"is_active": "true", "version": "1"}, follow=True)
    assert "Someone changed this record after you opened it" in stale.content.decode()
    product.refresh_from_db()
    assert not product.is_active
    assert client.post(url, {"is_active": "true", "version": "2"}).status_code == 302
    product.refresh_from_db()
    assert (product.is_active, product.version) == (True, 3)
    assert client.get(url).status_code == 405


# --- price lists --------------------------------------------------------------------------


def test_price_list_list_shows_lists_with_their_price_count(web: Any, admin: Any, rep: Any) -> None:
    seat = _product(admin)
    brl = _price_list(
        admin, "Brasil", is_default=True, prices=[{"product": seat.pk, "unit_price": "99"}]
    )
    _price_list(admin, "Europa", "EUR")
    response = web(rep).get("/settings/price-lists/")
    assert response.status_code == 200
    assert _rows(response, "price-lists") == ["Brasil", "Europa"]
    html = response.content.decode()
    assert f'href="/settings/price-lists/{brl.pk}/"' in html
    assert 'id="price-list-create"' not in html
    assert 'id="price-list-create"' in web(admin).get("/settings/price-lists/").content.decode()


def test_price_list_page_shows_its_prices(web: Any, admin: Any, rep: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    setup = _product(admin, "Setup", "SETUP", is_active=False)
    brl = _price_list(admin, prices=[{"product": seat.pk, "unit_price": "99.9"},
                                     {"product": setup.pk, "unit_price": "1500"}])  # fmt: skip
    response = web(rep).get(f"/settings/price-lists/{brl.pk}/")
    assert response.status_code == 200
    assert _rows(response, "price-list-prices") == ["CRM seat", "Setup"]
    html = response.content.decode()
    assert "99.90" in html and "1,500.00" in html
    assert f'href="/settings/price-lists/{brl.pk}/edit/"' not in html


def test_price_list_pages_permission_matrix(client: Any, web: Any, admin: Any, rep: Any) -> None:
    brl = _price_list(admin)
    urls = ["/settings/price-lists/new/", f"/settings/price-lists/{brl.pk}/edit/"]
    for url in [*urls, "/settings/price-lists/", f"/settings/price-lists/{brl.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    signed_in = web(rep)
    for url in urls:
        assert signed_in.get(url).status_code == 403, url
        data = {"name": "Hacked", "currency": "USD", "version": "1", **_price_rows([])}
        assert signed_in.post(url, data).status_code == 403, url
    assert web(admin).get("/settings/price-lists/999999/edit/").status_code == 404
    assert list(PriceList.objects.values_list("name", "currency")) == [("Brasil", "BRL")]


def test_create_price_list_with_prices(web: Any, admin: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    setup = _product(admin, "Setup", "SETUP")
    rows = [
        {"product": seat.pk, "unit_price": "99.9"},
        {"product": setup.pk, "unit_price": "1500"},
        {"product": "", "unit_price": ""},
    ]
    data = {"name": "Brasil", "currency": "brl", "is_default": "on", **_price_rows(rows)}
    response = web(admin).post("/settings/price-lists/new/", data)
    created = PriceList.objects.get(name="Brasil")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/price-lists/{created.pk}/"
    assert (created.currency, created.is_default) == ("BRL", True)
    assert _prices(created) == {"SEAT-1": Decimal("99.90"), "SETUP": Decimal("1500.00")}


def test_edit_price_list_adds_changes_and_removes_prices(web: Any, admin: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    setup = _product(admin, "Setup", "SETUP")
    training = _product(admin, "Training", "TRAIN")
    brl = _price_list(admin, prices=[{"product": seat.pk, "unit_price": "99.9"},
                                     {"product": setup.pk, "unit_price": "1500"}])  # fmt: skip
    client = web(admin)
    form = client.get(f"/settings/price-lists/{brl.pk}/edit/").content.decode()
    assert 'name="prices-TOTAL_FORMS" value="5"' in form  # two prices and three empty rows
    assert 'name="prices-0-unit_price" value="99.90"' in form
    rows = [
        {"product": seat.pk, "unit_price": "120"},
        {"product": setup.pk, "unit_price": "1500", "DELETE": "on"},
        {"product": training.pk, "unit_price": "300"},
        {"product": "", "unit_price": ""},
    ]
    data = {"name": "Brasil 2027", "currency": "BRL", "version": "1", **_price_rows(rows, 2)}
    response = client.post(f"/settings/price-lists/{brl.pk}/edit/", data)
    assert response.status_code == 302
    brl.refresh_from_db()
    assert (brl.name, brl.version) == ("Brasil 2027", 2)
    assert _prices(brl) == {"SEAT-1": Decimal("120.00"), "TRAIN": Decimal("300.00")}
    assert AuditEntry.objects.filter(action="sales.price_list.updated").count() == 1


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"unit_price": "-5"}, "prices-0-unit_price"),
        ({"unit_price": "abc"}, "prices-0-unit_price"),
        ({"unit_price": ""}, "prices-0-unit_price"),
        ({"product": "", "unit_price": "10"}, "prices-0-product"),
        ({"product": "999999"}, "prices-0-product"),
    ],
    ids=["negative", "not-a-number", "missing-price", "missing-product", "unknown-product"],
)
def test_a_bad_price_row_shows_its_error_and_changes_nothing(
    web: Any, admin: Any, row: dict[str, Any], field: str
) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    brl = _price_list(admin, prices=[{"product": seat.pk, "unit_price": "99.9"}])
    rows = [{"product": seat.pk, "unit_price": "120", **row}]
    data = {"name": "Renamed", "currency": "BRL", "version": "1", **_price_rows(rows, 1)}
    response = web(admin).post(f"/settings/price-lists/{brl.pk}/edit/", data)
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in response.content.decode()
    brl.refresh_from_db()
    assert (brl.name, brl.version) == ("Brasil", 1)
    assert _prices(brl) == {"SEAT-1": Decimal("99.90")}


def test_the_same_product_twice_is_refused_on_the_second_row(web: Any, admin: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    rows = [{"product": seat.pk, "unit_price": "10"}, {"product": seat.pk, "unit_price": "20"}]
    data = {"name": "Brasil", "currency": "BRL", **_price_rows(rows)}
    response = web(admin).post("/settings/price-lists/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="prices-1-product"' in html
    assert 'data-field-error="prices-0-product"' not in html
    assert not PriceList.objects.exists()


def test_price_list_name_and_currency_errors_show_on_their_fields(web: Any, admin: Any) -> None:
    _price_list(admin, "Brasil")
    data = {"name": "brasil", "currency": "R$", **_price_rows([])}
    response = web(admin).post("/settings/price-lists/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="name"' in html and "Another price list has this name." in html
    assert 'data-field-error="currency"' in html
    assert PriceList.objects.count() == 1


def test_a_stale_price_list_edit_changes_nothing(web: Any, admin: Any) -> None:
    seat = _product(admin)
    brl = _price_list(admin, prices=[{"product": seat.pk, "unit_price": "10"}])
    catalog.price_list_save(actor=admin, price_list=brl, data={"name": "Brasil B2B"})
    rows = [{"product": seat.pk, "unit_price": "99"}]
    data = {"name": "Brasil", "currency": "BRL", "version": "1", **_price_rows(rows, 1)}
    response = web(admin).post(f"/settings/price-lists/{brl.pk}/edit/", data)
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert 'name="version" value="2"' in html
    assert 'name="prices-0-unit_price" value="99"' in html  # what was typed is kept
    brl.refresh_from_db()
    assert brl.name == "Brasil B2B"
    assert _prices(brl) == {"SEAT": Decimal("10.00")}


def test_making_a_price_list_the_default_unsets_the_previous_one(web: Any, admin: Any) -> None:
    brl = _price_list(admin, "Brasil", is_default=True)
    eur = _price_list(admin, "Europa", "EUR")
    client = web(admin)
    form = client.get(f"/settings/price-lists/{brl.pk}/edit/").content.decode()
    assert re.search(r'<input[^>]*name="is_default"[^>]*disabled', form)
    data = {"name": "Europa", "currency": "EUR", "is_default": "on", "version": "1",
            **_price_rows([])}  # fmt: skip
    assert client.post(f"/settings/price-lists/{eur.pk}/edit/", data).status_code == 302
    assert list(PriceList.objects.filter(is_default=True).values_list("name", flat=True)) == [
        "Europa"
    ]


def test_inactive_products_are_offered_only_where_already_priced(web: Any, admin: Any) -> None:
    seat = _product(admin, "CRM seat", "SEAT-1")
    old = _product(admin, "Old add-on", "OLD", is_active=False)
    retired = _product(admin, "Retired", "RET", is_active=False)
    brl = _price_list(admin, prices=[{"product": old.pk, "unit_price": "5"}])
    client = web(admin)
    new_form = client.get("/settings/price-lists/new/").content.decode()
    assert f'<option value="{seat.pk}">' in new_form
    assert f'<option value="{old.pk}"' not in new_form
    edit_form = client.get(f"/settings/price-lists/{brl.pk}/edit/").content.decode()
    assert "Old add-on (OLD) (inactive)" in edit_form
    assert f'<option value="{retired.pk}"' not in edit_form


# --- settings and query counts ------------------------------------------------------------


def test_settings_page_links_the_catalogue_for_users_who_configure_sales(
    web: Any, admin: Any, rep: Any
) -> None:
    assert 'href="/settings/products/"' in web(admin).get("/settings/").content.decode()
    assert 'href="/settings/products/"' not in web(rep).get("/settings/").content.decode()


def test_catalogue_pages_do_not_grow_with_rows(
    web: Any, admin: Any, django_assert_num_queries: Any
) -> None:
    products: list[Product] = []
    default = _price_list(admin, "Default", is_default=True)
    other = _price_list(admin, "Other", "EUR")

    def add(count: int) -> None:
        start = len(products)
        for index in range(start, start + count):
            products.append(_product(admin, f"P{index:02}", f"SKU-{index:02}"))
            _price_list(admin, f"L{index:02}", "USD")
        prices = [{"product": item.pk, "unit_price": "10"} for item in products]
        for price_list in (default, other):
            catalog.price_list_save(actor=admin, price_list=price_list, data={"prices": prices})

    add(3)
    client = web(admin)
    first = products[0]
    urls = [
        "/settings/products/",
        "/settings/products/?q=P&status=active",
        f"/settings/products/{first.pk}/",
        f"/settings/products/{first.pk}/edit/",
        "/settings/price-lists/",
        f"/settings/price-lists/{default.pk}/",
        f"/settings/price-lists/{default.pk}/edit/",
        "/settings/price-lists/new/",
    ]
    expected = {url: _count_queries(client, url) for url in urls}
    add(27)
    for url in urls:
        with django_assert_num_queries(expected[url]):
            assert client.get(url).status_code == 200
    assert len(_rows(client.get("/settings/products/"))) == 30
    assert len(_rows(client.get(f"/settings/price-lists/{default.pk}/"), "price-list-prices")) == 30
