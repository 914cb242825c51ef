"""Quote pages, as a signed-in user sees them: the list, the quote, drafting and editing
with lines, status changes, copying, sending by email, the PDF and the deal's quotes."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core.models import AuditEntry
from elo.sales import services
from elo.sales.models import Deal, Quote
from elo.sales.services import catalog, quotes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Any:
    return services.pipeline_ensure_default()


@pytest.fixture
def catalogue(admin: Any) -> dict[str, Any]:
    seat = catalog.product_create(actor=admin, data={"name": "Seat", "sku": "S", "tax_rate": "17"})
    setup = catalog.product_create(actor=admin, data={"name": "Setup", "sku": "U"})
    prices = catalog.price_list_save(
        actor=admin,
        data={"name": "Brasil", "currency": "BRL", "is_default": True,
              "prices": [{"product": seat.pk, "unit_price": "89.90"}]},
    )  # fmt: skip
    euros = catalog.price_list_save(
        actor=admin,
        data={"name": "Europa", "currency": "EUR",
              "prices": [{"product": seat.pk, "unit_price": "20.00"}]},
    )  # fmt: skip
    return {"seat": seat, "setup": setup, "prices": prices, "euros": euros}


def _quote(owner: Any, lines: int | list[dict[str, Any]] = 1, **data: Any) -> Quote:
    """A quote of `owner`: `lines` lines at 10.00 each, or the lines given."""
    data.setdefault("title", "Proposal")
    data.setdefault("currency", "BRL")
    if isinstance(lines, int):
        lines = [{"description": f"Item {i}", "unit_price": "10"} for i in range(lines)]
    data["lines"] = lines
    return quotes.quote_create(actor=owner, data=data)


def _management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }


def _form(rows: list[dict[str, Any]], initial: int = 0, **header: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(
        ["deal", "organization", "person", "price_list", "currency", "valid_until", "owner",
         "version"],
        "",
    )  # fmt: skip
    data["title"] = "Website"
    data.update(header)
    data.update(_management(len(rows), initial))
    for index, row in enumerate(rows):
        for name in ("product", "description", "quantity", "unit_price", "discount", "tax_rate"):
            data[f"lines-{index}-{name}"] = row.get(name, "")
        if row.get("DELETE"):
            data[f"lines-{index}-DELETE"] = "on"
    return data


def _rows(response: Any) -> list[str]:
    """The numbers of the quotes in the results table, in order."""
    html = response.content.decode()
    table = html[html.index('id="record-results"') :]
    return re.findall(r'<tr data-record="\d+">\s*<td[^>]*><a [^>]*>([^<]+)', table)


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/quotes/", "/quotes/new/", "/quotes/1/", "/quotes/1/edit/", "/quotes/1/pdf/"]
)
def test_anonymous_visitor_is_sent_to_sign_in(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_quotes_of_others_are_not_found(web: Any, rep: Any, other_rep: Any) -> None:
    quote = _quote(other_rep)
    client = web(rep)
    for url in [f"/quotes/{quote.pk}/", f"/quotes/{quote.pk}/edit/", f"/quotes/{quote.pk}/pdf/"]:
        assert client.get(url).status_code == 404
    for action in ["status", "copy", "send"]:
        assert client.post(f"/quotes/{quote.pk}/{action}/", {"status": "sent"}).status_code == 404
    assert Quote.objects.get().status == "draft"
    assert Quote.objects.count() == 1


def test_a_reader_sees_quotes_but_may_not_change_them(web: Any, rep: Any, reader: Any) -> None:
    quote = _quote(rep)
    client = web(reader)
    listing = client.get("/quotes/").content.decode()
    assert quote.reference in listing
    assert 'href="/quotes/new/"' not in listing
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f'href="/quotes/{quote.pk}/edit/"' not in page
    assert 'id="quote-actions"' not in page
    assert client.get("/quotes/new/").status_code == 403
    assert client.get(f"/quotes/{quote.pk}/edit/").status_code == 403
    assert (
        client.post("/quotes/new/", _form([{"description": "x", "unit_price": "1"}])).status_code
        == 403
    )
    for action, data in [("status", {"status": "sent"}), ("copy", {}), ("send", {"to": "a@b.co"})]:
        assert client.post(f"/quotes/{quote.pk}/{action}/", data).status_code == 403
    quote.refresh_from_db()
    assert (quote.status, quote.version, Quote.objects.count()) == ("draft", 1, 1)


# --- list ---------------------------------------------------------------------------------


def test_list_shows_visible_quotes_with_totals_and_links(
    web: Any, rep: Any, other_rep: Any, make_organization: Any
) -> None:
    acme = make_organization(name="Acme Ltda")
    mine = _quote(rep, title="Site", organization=acme.pk,
                  lines=[{"description": "Work", "unit_price": "1234.5", "tax_rate": "10"}])  # fmt: skip
    _quote(other_rep, title="Theirs")
    response = web(rep).get("/quotes/")
    html = response.content.decode()
    assert _rows(response) == [mine.reference]
    assert f'href="/quotes/{mine.pk}/"' in html
    assert "Acme Ltda" in html
    assert "R$ 1,234.50" in html and "R$ 1,357.95" in html
    assert "Theirs" not in html
    assert 'href="/quotes/new/"' in html
    assert "1 quote" in html
    _quote(rep, currency="EUR", lines=[{"description": "E", "unit_price": "5"}])
    _quote(rep, title="Second", lines=[{"description": "S", "unit_price": "100"}])
    sums = web(rep).get("/quotes/").content.decode()
    sums = sums[sums.index('id="quote-sums"') :]
    assert 'data-currency="BRL">R$ 1,457.95<' in sums and 'data-currency="EUR">€ 5.00<' in sums


def test_list_filters_by_status_owner_and_search(
    web: Any, manager: Any, rep: Any, teammate: Any, make_organization: Any, make_person: Any
) -> None:
    acme = make_organization(name="Padaria Central")
    ana = make_person(given_name="Ana", family_name="Lima")
    site = _quote(rep, title="Site novo", organization=acme.pk, person=ana.pk)
    app = _quote(teammate, title="App")
    sent = quotes.quote_set_status(actor=teammate, quote=_quote(teammate, title="Sent one"),
                                   status="sent")  # fmt: skip
    client = web(manager)
    assert _rows(client.get("/quotes/")) == [sent.reference, app.reference, site.reference]
    assert _rows(client.get("/quotes/?status=sent")) == [sent.reference]
    assert _rows(client.get(f"/quotes/?owner={rep.pk}")) == [site.reference]
    assert _rows(client.get("/quotes/?q=padaria")) == [site.reference]
    assert _rows(client.get("/quotes/?q=novo")) == [site.reference]
    assert _rows(client.get("/quotes/?q=Pádaria+central")) == [site.reference]
    assert _rows(client.get("/quotes/?q=ana+lima")) == [site.reference]
    assert _rows(client.get("/quotes/?q=lima+site")) == [site.reference]
    assert _rows(client.get("/quotes/?q=lima+app")) == []
    assert _rows(client.get(f"/quotes/?q={app.reference}")) == [app.reference]
    assert _rows(client.get(f"/quotes/?q={app.pk}")) == [app.reference]
    bad = client.get("/quotes/?status=nonsense")
    assert bad.status_code == 200 and _rows(bad) == []


def test_list_pages_with_a_cursor_and_answers_htmx_with_the_results(
    web: Any, rep: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("elo.sales.views.pages.PAGE_SIZE", 2)
    made = [_quote(rep, title=f"Q{index}") for index in range(3)]
    client = web(rep)
    first = client.get("/quotes/")
    assert _rows(first) == [made[2].reference, made[1].reference]
    next_url = unescape(re.search(r'href="([^"]+)" rel="next"', first.content.decode())[1])
    assert next_url.startswith("?cursor=")
    assert _rows(client.get("/quotes/" + next_url)) == [made[0].reference]
    fragment = client.get("/quotes/?q=Q1", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="record-results"')
    assert made[1].reference in fragment and made[0].reference not in fragment


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_customer_lines_totals_and_state(
    web: Any, rep: Any, catalogue: Any, make_person: Any, make_organization: Any, pipeline: Any
) -> None:
    ana = make_person(given_name="Ana", family_name="Lima", emails=["ana@cliente.com.br"])
    acme = make_organization(name="Acme Ltda")
    deal = services.deal_create(actor=rep, data={"title": "Big deal", "owner": rep.pk})
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Proposal", "valid_until": "2030-01-31", "person": ana.pk,
              "organization": acme.pk, "deal": deal.pk,
              "lines": [{"product": catalogue["seat"].pk, "quantity": "12", "discount": "10"},
                        {"description": "Training day", "unit_price": "1500", "tax_rate": "5"}]},
    )  # fmt: skip
    html = web(rep).get(f"/quotes/{quote.pk}/").content.decode()
    assert quote.reference in html and "Proposal" in html
    assert "Ana Lima" in html and "ana@cliente.com.br" in html and "Acme Ltda" in html
    assert f'href="/deals/{deal.pk}/"' in html
    assert re.search(r'data-line="1">\s*<td>Seat', html)
    assert "R$ 165.06" in html and "R$ 1,135.98" in html  # the first line's tax and total
    assert 'id="quote-net">R$ 2,470.92' in html
    assert 'id="quote-tax">R$ 240.06' in html
    assert 'id="quote-total">R$ 2,710.98' in html
    assert 'datetime="2030-01-31"' in html
    assert 'data-status="draft"' in html and "Revision 1" in html
    assert "Not sent yet" in html
    assert 'value="ana@cliente.com.br"' in html  # the email form's default recipient
    assert f'href="/quotes/{quote.pk}/pdf/"' in html
    assert 'data-action="sales.quote.created"' in html


def test_detail_of_a_sent_quote_shows_its_customer_link_and_the_answer(
    web: Any, rep: Any, client: Any
) -> None:
    quote = quotes.quote_set_status(actor=rep, quote=_quote(rep), status="sent")
    token = quotes.public_token(quote)
    html = web(rep).get(f"/quotes/{quote.pk}/").content.decode()
    assert f'value="http://testserver/q/{token}/"' in html
    assert "Mark as accepted" in html and "Mark as declined" in html
    assert 'id="quote-send"' in html  # a sent quote can be sent again
    quotes.quote_customer_decision(quote=quote, accept=True, name="Ana Lima")
    html = web(rep).get(f"/quotes/{quote.pk}/").content.decode()
    assert 'id="quote-send"' not in html  # an answered one cannot
    assert 'data-status="accepted"' in html
    assert f"/q/{token}/" not in html
    decided = html[html.index('id="quote-decided-at"') :]
    assert "Ana Lima" in decided[:400] and "through the customer's link" in decided[:600]
    assert 'data-action="sales.quote.accepted"' in html
    assert f'href="/quotes/{quote.pk}/edit/"' not in html


# --- create and edit ----------------------------------------------------------------------


def test_drafting_a_quote_with_lines_saves_the_service_totals(
    web: Any, rep: Any, catalogue: Any, make_person: Any
) -> None:
    ana = make_person(given_name="Ana", family_name="Lima")
    client = web(rep)
    page = client.get("/quotes/new/").content.decode()
    assert f'<option value="{catalogue["prices"].pk}" selected>' in page
    assert 'id="add-line"' in page
    data = _form(
        [{"product": catalogue["seat"].pk, "quantity": "12", "discount": "10"},
         {"description": "Training day", "unit_price": "1500", "tax_rate": "5"},
         {}],
        price_list=catalogue["prices"].pk, person=ana.pk, valid_until="2030-01-31",
    )  # fmt: skip
    response = client.post("/quotes/new/", data)
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.pk}/"
    assert (quote.title, quote.currency, quote.person_id, quote.owner_id) == (
        "Website", "BRL", ana.pk, rep.pk)  # fmt: skip
    assert str(quote.valid_until) == "2030-01-31"
    assert [(line.description, line.unit_price, line.net) for line in quote.lines.all()] == [
        ("Seat", Decimal("89.90"), Decimal("970.92")),
        ("Training day", Decimal("1500.00"), Decimal("1500.00")),
    ]
    assert (quote.net_total, quote.tax_total, quote.total) == (
        Decimal("2470.92"), Decimal("240.06"), Decimal("2710.98"))  # fmt: skip


def test_add_a_line_re_renders_with_an_empty_row_and_saves_nothing(
    web: Any, rep: Any, catalogue: Any
) -> None:
    data = _form([{"description": "Typed", "unit_price": "5"}], title="")
    data["add_line"] = "1"
    response = web(rep).post("/quotes/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Quote.objects.exists()
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert 'name="lines-0-description" value="Typed"' in html
    assert 'name="lines-1-description"' in html
    assert "data-field-error" not in html  # nothing was checked yet


def test_bad_input_shows_field_errors_and_saves_nothing(web: Any, rep: Any, catalogue: Any) -> None:
    client = web(rep)
    response = client.post(
        "/quotes/new/",
        _form([{"product": catalogue["setup"].pk}, {"description": "x", "unit_price": "1"}],
              title="", price_list=catalogue["prices"].pk, currency="EUR"),
    )  # fmt: skip
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert 'data-field-error="title">Give the quote a title' in html
    assert 'data-field-error="currency">The price list is in BRL.' in html
    assert "Line 1: the price list has no price for this product." in html
    shape = client.post("/quotes/new/", _form([{"description": "x", "quantity": "lots"}]))
    assert 'data-field-error="lines-0-quantity"' in shape.content.decode()
    empty = client.post("/quotes/new/", _form([{}]))
    assert "Add at least one line." in empty.content.decode()
    assert not Quote.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="sales.quote").exists()


def test_editing_changes_lines_and_removes_ticked_rows(web: Any, rep: Any) -> None:
    quote = _quote(rep, lines=2)
    client = web(rep)
    page = client.get(f"/quotes/{quote.pk}/edit/").content.decode()
    assert 'name="lines-TOTAL_FORMS" value="3"' in page
    assert 'name="lines-1-description" value="Item 1"' in page
    data = _form(
        [{"description": "Item 0", "quantity": "2", "unit_price": "10"},
         {"description": "Item 1", "unit_price": "10", "DELETE": True},
         {"description": "Extra", "unit_price": "7.5"}],
        initial=2, title="Renamed", currency="BRL", version=quote.version,
    )  # fmt: skip
    response = client.post(f"/quotes/{quote.pk}/edit/", data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.title, quote.total, quote.version, quote.revision) == (
        "Renamed", Decimal("27.50"), 2, 1)  # fmt: skip
    assert [line.description for line in quote.lines.all()] == ["Item 0", "Extra"]


def test_editing_a_sent_quote_makes_the_next_revision(web: Any, rep: Any) -> None:
    quote = quotes.quote_set_status(actor=rep, quote=_quote(rep), status="sent")
    client = web(rep)
    assert "draft of revision 2" in client.get(f"/quotes/{quote.pk}/edit/").content.decode()
    data = _form([{"description": "Item 0", "unit_price": "12"}], initial=1,
                 title="Proposal", currency="BRL", version=quote.version)  # fmt: skip
    response = client.post(f"/quotes/{quote.pk}/edit/", data, follow=True)
    quote.refresh_from_db()
    assert (quote.status, quote.revision, quote.total) == ("draft", 2, Decimal("12.00"))
    assert any("revision 2" in message for message in _messages(response))
    html = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Revision 2" in html and "now revision 2" in html
    assert html.count('data-action="sales.quote.') == 3  # drafted, sent, changed


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(web: Any, rep: Any) -> None:
    quote = _quote(rep)
    stale = quote.version
    quotes.quote_update(actor=rep, quote=quote, data={"title": "Changed meanwhile"})
    data = _form([{"description": "Mine", "unit_price": "3"}], initial=1,
                 title="My title", currency="BRL", version=stale)  # fmt: skip
    response = web(rep).post(f"/quotes/{quote.pk}/edit/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in html
    assert 'value="My title"' in html and 'name="version" value="2"' in html
    quote.refresh_from_db()
    assert (quote.title, quote.total) == ("Changed meanwhile", Decimal("10.00"))


def test_a_closed_quote_is_not_changed_by_the_form(web: Any, rep: Any) -> None:
    quote = quotes.quote_set_status(actor=rep, quote=_quote(rep), status="expired")
    assert 'id="quote-closed-note"' in web(rep).get(f"/quotes/{quote.pk}/edit/").content.decode()
    data = _form([{"description": "x", "unit_price": "1"}], initial=1, version=quote.version)
    response = web(rep).post(f"/quotes/{quote.pk}/edit/", data)
    assert "This quote is closed; copy it to change it." in unescape(response.content.decode())
    quote.refresh_from_db()
    assert (quote.title, quote.total) == ("Proposal", Decimal("10.00"))


def test_new_quote_from_a_deal_is_prefilled(
    web: Any,
    rep: Any,
    other_rep: Any,
    catalogue: Any,
    pipeline: Any,
    make_person: Any,
    make_organization: Any,
) -> None:
    ana = make_person(given_name="Ana", family_name="Lima")
    acme = make_organization(name="Acme Ltda")
    deal = services.deal_create(
        actor=rep,
        data={"title": "Big deal", "currency": "EUR", "organization": acme.pk, "owner": rep.pk,
              "people": [{"person": ana.pk, "role": "Buyer"}]},
    )  # fmt: skip
    html = web(rep).get(f"/quotes/new/?deal={deal.pk}").content.decode()
    assert f'<option value="{deal.pk}" selected>Big deal</option>' in html
    assert f'<option value="{acme.pk}" selected>Acme Ltda</option>' in html
    assert f'<option value="{ana.pk}" selected>' in html
    assert f'<option value="{catalogue["euros"].pk}" selected>' in html
    assert 'name="currency" value="EUR"' in html
    data = _form([{"product": catalogue["seat"].pk, "quantity": "2"}], deal=deal.pk,
                 organization=acme.pk, person=ana.pk, currency="EUR",
                 price_list=catalogue["euros"].pk)  # fmt: skip
    assert web(rep).post(f"/quotes/new/?deal={deal.pk}", data).status_code == 302
    theirs = services.deal_create(actor=other_rep, data={"title": "Theirs", "owner": other_rep.pk})
    assert web(rep).get(f"/quotes/new/?deal={theirs.pk}").status_code == 404
    quote = Quote.objects.get()
    assert (quote.deal_id, quote.currency, quote.net_total) == (deal.pk, "EUR", Decimal("40.00"))


# --- actions ------------------------------------------------------------------------------


def test_status_buttons_follow_the_quote(web: Any, rep: Any) -> None:
    quote = _quote(rep)
    client = web(rep)
    sent = client.post(f"/quotes/{quote.pk}/status/", {"status": "sent", "version": 1},
                       follow=True)  # fmt: skip
    quote.refresh_from_db()
    assert (quote.status, quote.version) == ("sent", 2)
    assert "The quote is now Sent." in _messages(sent)
    refused = client.post(f"/quotes/{quote.pk}/status/", {"status": "sent", "version": 2},
                          follow=True)  # fmt: skip
    assert "A Sent quote cannot become Sent." in _messages(refused)
    stale = client.post(f"/quotes/{quote.pk}/status/", {"status": "accepted", "version": 1},
                        follow=True)  # fmt: skip
    assert any("Someone changed this record" in message for message in _messages(stale))
    quote.refresh_from_db()
    assert (quote.status, quote.version) == ("sent", 2)
    client.post(f"/quotes/{quote.pk}/status/", {"status": "declined", "version": 2})
    quote.refresh_from_db()
    assert quote.status == "declined" and quote.decided_at is not None
    assert AuditEntry.objects.filter(action="sales.quote.declined").count() == 1


def test_copying_makes_a_new_draft(web: Any, rep: Any) -> None:
    quote = quotes.quote_set_status(actor=rep, quote=_quote(rep, lines=2), status="expired")
    response = web(rep).post(f"/quotes/{quote.pk}/copy/")
    copy = Quote.objects.exclude(pk=quote.pk).get()
    assert response["Location"] == f"/quotes/{copy.pk}/"
    assert (copy.status, copy.title, copy.total) == ("draft", "Proposal", Decimal("20.00"))
    assert [line.description for line in copy.lines.all()] == ["Item 0", "Item 1"]
    assert Quote.objects.get(pk=quote.pk).status == "expired"


def test_sending_by_email_delivers_a_message_with_the_customers_link(
    web: Any,
    rep: Any,
    make_person: Any,
    client: Any,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana = make_person(given_name="Ana", emails=["ana@cliente.com.br"])
    quote = _quote(rep, title="Site novo", person=ana.pk,
                   lines=[{"description": "Projeto", "unit_price": "1234.5"}])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = web(rep).post(f"/quotes/{quote.pk}/send/", {"to": "ana@cliente.com.br"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "sent" and quote.sent_at is not None
    [message] = smtp.messages
    assert message["To"] == "ana@cliente.com.br" and message["Reply-To"] == rep.email
    assert message["Subject"] == "Quote: Site novo"
    assert message["Message-ID"] and message["Date"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "R$ 1,234.50" in body
    link = next(line for line in body.splitlines() if "/q/" in line).strip()
    # The token carries a signing timestamp, so compare what it names, not its bytes.
    assert link.startswith("http://testserver/q/") and link.endswith("/")
    assert quotes.quote_for_token(link.removeprefix("http://testserver/q/")[:-1]) == quote
    html = web(rep).get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-action="sales.quote.emailed"' in html and "to ana@cliente.com.br" in html
    [shown] = re.findall(r'value="http://testserver/q/([^"/]+)/"', html)
    assert quotes.quote_for_token(shown) == quote


def test_a_bad_recipient_is_a_field_error_and_nothing_is_sent(
    web: Any, rep: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quote = _quote(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = web(rep).post(f"/quotes/{quote.pk}/send/", {"to": "not-an-email"})
    assert response.status_code == 400
    assert 'data-field-error="to"' in response.content.decode()
    assert smtp.messages == []
    quote.refresh_from_db()
    assert (quote.status, quote.version) == ("draft", 1)
    assert not AuditEntry.objects.filter(action="sales.quote.emailed").exists()


def test_an_accepted_quote_offers_an_order_then_links_to_it(web: Any, rep: Any) -> None:
    from django.urls import reverse

    quote = quotes.quote_set_status(actor=rep, quote=_quote(rep), status="sent")
    client = web(rep)
    create_url = reverse("billing:order_from_quote", kwargs={"quote_pk": quote.pk})
    assert create_url not in client.get(f"/quotes/{quote.pk}/").content.decode()
    client.post(f"/quotes/{quote.pk}/status/", {"status": "accepted", "version": quote.version})
    html = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f'action="{create_url}"' in html and "Create order" in html
    client.post(create_url)
    quote.refresh_from_db()
    order_url = reverse("billing:order_detail", kwargs={"pk": quote.order.pk})
    html = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f'href="{order_url}"' in html
    assert create_url not in html


# --- the deal's quotes --------------------------------------------------------------------


def test_deal_page_lists_its_quotes_and_offers_a_new_one(
    web: Any, rep: Any, reader: Any, pipeline: Any
) -> None:
    deal = services.deal_create(actor=rep, data={"title": "Big deal", "owner": rep.pk})
    quote = _quote(rep, title="For the deal", deal=deal.pk)
    _quote(rep, title="Unrelated")
    html = web(rep).get(f"/deals/{deal.pk}/").content.decode()
    section = html[html.index('id="deal-quotes"') : html.index('id="stage-history"')]
    assert f'href="/quotes/{quote.pk}/"' in section and "For the deal" in section
    assert "Unrelated" not in section
    assert f'href="/quotes/new/?deal={deal.pk}"' in section
    assert "R$ 10.00" in section
    assert "/quotes/new/" not in web(reader).get(f"/deals/{deal.pk}/").content.decode()


# --- query counts -------------------------------------------------------------------------


def test_list_detail_and_deal_pages_do_not_grow_with_quotes_and_lines(
    web: Any,
    rep: Any,
    pipeline: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_max_num_queries: Any,
) -> None:
    person = make_person()
    organization = make_organization()
    deal = Deal.objects.get(pk=services.deal_create(actor=rep, data={"title": "D"}).pk)
    few = _quote(rep, lines=1, person=person.pk, organization=organization.pk, deal=deal.pk)
    many = _quote(rep, lines=12, person=person.pk, organization=organization.pk, deal=deal.pk)
    for index in range(3):
        quotes.quote_update(actor=rep, quote=many, data={"title": f"T{index}"})

    def add(count: int) -> None:
        for _index in range(count):
            made = _quote(rep, lines=3, person=person.pk, organization=organization.pk,
                          deal=deal.pk)  # fmt: skip
            quotes.quote_set_status(actor=rep, quote=made, status="sent")

    client = web(rep)
    add(1)
    urls = ["/quotes/", f"/deals/{deal.pk}/", f"/quotes/{few.pk}/", f"/quotes/{few.pk}/edit/"]
    expected = {url: _count_queries(client, url) for url in urls}
    add(10)
    urls += [f"/quotes/{many.pk}/", f"/quotes/{many.pk}/edit/"]
    expected[f"/quotes/{many.pk}/"] = expected[f"/quotes/{few.pk}/"]
    expected[f"/quotes/{many.pk}/edit/"] = expected[f"/quotes/{few.pk}/edit/"]
    for url in urls:
        with django_assert_max_num_queries(expected[url]):
            assert client.get(url).status_code == 200


# --- PDF ----------------------------------------------------------------------------------


def test_the_pdf_download_holds_the_quote(
    web: Any, rep: Any, other_rep: Any, make_organization: Any
) -> None:
    import io

    from pypdf import PdfReader

    acme = make_organization(name="Acme Ltda")
    quote = _quote(rep, title="Site novo", organization=acme.pk)
    response = web(rep).get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"Q-{quote.pk}.pdf" in disposition
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert quote.reference in text
    assert "Acme Ltda" in text
    assert web(other_rep).get(f"/quotes/{quote.pk}/pdf/").status_code == 404
    assert web(other_rep).post(f"/quotes/{quote.pk}/pdf/").status_code in (404, 405)
