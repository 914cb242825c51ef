"""Order, invoice and receivables pages, as a signed-in user sees them."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest

from elo.billing import services
from elo.billing.models import CreditNote, Invoice, Order, Payment
from elo.core.models import AuditEntry
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db


def _accepted_quote(actor: Any, title: str = "Rollout", **data: Any) -> Any:
    data.setdefault(
        "lines",
        [{"description": "Seats", "quantity": "10", "unit_price": "30", "tax_rate": "23"},
         {"description": "Setup", "unit_price": "500"}],
    )  # fmt: skip
    quote = quotes.quote_create(actor=actor, data={"title": title, "currency": "EUR", **data})
    quotes.quote_set_status(actor=actor, quote=quote, status="sent")
    return quotes.quote_set_status(actor=actor, quote=quote, status="accepted")


def _order(rep: Any, title: str = "Rollout", **data: Any) -> Order:
    return services.order_from_quote(actor=rep, quote=_accepted_quote(rep, title, **data))


def _issued(manager: Any, rep: Any, title: str = "Rollout", **data: Any) -> Invoice:
    order = _order(rep, title, **data)
    draft = services.invoice_draft(actor=manager, order=order)
    return services.invoice_issue(actor=manager, invoice=draft)


def _text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _rows(response: Any) -> list[str]:
    """The first column of the results table, in order."""
    html = response.content.decode()
    table = html[html.index('id="record-results"') :]
    return [
        " ".join(unescape(name).split())
        for name in re.findall(r'<tr data-record="\d+">\s*<td><a [^>]*>([^<]+)', table)
    ]


def _field_error(response: Any, field: str) -> str:
    match = re.search(rf'data-field-error="{field}">([^<]+)<', response.content.decode())
    return unescape(match.group(1)) if match else ""


# --- orders -------------------------------------------------------------------------------


def test_order_list_filters_by_status_and_pages_with_a_cursor(
    web: Any, manager: Any, rep: Any, monkeypatch: Any
) -> None:
    first, second = _order(rep, "First"), _order(rep, "Second")
    services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=first)
    )
    _order(rep, "Third")
    client = web(manager)
    assert _rows(client.get("/orders/")) == ["Third", "Second", "First"]
    assert _rows(client.get("/orders/?status=invoiced")) == ["First"]
    assert _rows(client.get("/orders/?status=open")) == ["Third", "Second"]
    assert "Select a valid choice" in _text(client.get("/orders/?status=nonsense"))
    monkeypatch.setattr("elo.sales.views.pages.PAGE_SIZE", 2)
    page = client.get("/orders/")
    assert _rows(page) == ["Third", "Second"] and "3 orders" in _text(page)
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', page.content.decode())
    assert cursor is not None
    assert _rows(client.get(f"/orders/?cursor={cursor.group(1)}")) == ["First"]
    fragment = client.get("/orders/?status=open", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and _rows(fragment) == ["Third", "Second"]
    assert second.pk


def test_order_detail_shows_customer_lines_invoiced_quantities_and_invoices(
    web: Any, manager: Any, rep: Any, other_rep: Any, make_person: Any, make_organization: Any
) -> None:
    acme = make_organization(name="Acme Lda")
    ana = make_person(given_name="Ana", family_name="Lima")
    order = _order(rep, "Rollout", organization=acme.pk, person=ana.pk)
    seats = order.lines.get(description="Seats")
    draft = services.invoice_draft(actor=manager, order=order, quantities={seats.pk: "4"})
    services.invoice_issue(actor=manager, invoice=draft)
    services.invoice_draft(actor=manager, order=order, quantities={seats.pk: "1"})
    page = web(manager).get(f"/orders/{order.pk}/")
    assert page.status_code == 200
    text = _text(page)
    assert "Acme Lda" in text and "Ana Lima" in text and "Rollout" in text
    assert "Seats 10 4 6" in text  # ordered, invoiced, left to invoice
    assert "Setup 1 0 1" in text
    assert "869,00" in text.replace("869.00", "869,00")
    invoices = page.content.decode()[page.content.decode().index('id="order-invoices"') :]
    assert "INV/1" in invoices and "Draft" in invoices
    assert f'href="/orders/{order.pk}/invoice/"' in page.content.decode()
    assert f'href="/quotes/{order.quote_id}/"' in page.content.decode()
    assert (
        f'href="/orders/{order.pk}/invoice/"'
        not in web(rep).get(f"/orders/{order.pk}/").content.decode()
    )
    assert web(other_rep).get(f"/orders/{order.pk}/").status_code == 404


def test_an_accepted_quote_becomes_an_order_from_its_page(
    web: Any, rep: Any, reader: Any, other_rep: Any
) -> None:
    quote = _accepted_quote(rep)
    url = f"/orders/from-quote/{quote.pk}/"
    assert web(rep).get(url).status_code == 405
    assert web(other_rep).post(url).status_code == 404
    assert web(reader).post(url).status_code == 403
    assert not Order.objects.exists()
    client = web(rep)
    response = client.post(url)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert (order.quote_id, order.total) == (quote.pk, Decimal("869.00"))
    again = client.post(url, {"next": "/deals/"}, follow=True)
    assert "This quote already has an order." in _text(again)
    assert again.redirect_chain[-1][0] == "/deals/"
    assert Order.objects.count() == 1
    elsewhere = client.post(url, {"next": "https://evil.example/"})
    assert elsewhere.status_code == 302 and "evil" not in elsewhere["Location"]


# --- drafting an invoice ------------------------------------------------------------------


def test_the_invoice_form_offers_what_is_left_and_drafts_part_of_the_order(
    web: Any, manager: Any, rep: Any
) -> None:
    order = _order(rep)
    seats, setup = order.lines.all()
    url = f"/orders/{order.pk}/invoice/"
    assert web(rep).get(url).status_code == 403
    assert web(rep).post(url, {f"line_{seats.pk}": "1"}).status_code == 403
    client = web(manager)
    form = client.get(url).content.decode()
    assert f'name="line_{seats.pk}" value="10"' in form
    assert f'name="line_{setup.pk}" value="1"' in form
    response = client.post(
        url,
        {f"line_{seats.pk}": "4", f"line_{setup.pk}": "0", "series": "INV", "due_in_days": "15"},
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert (invoice.status, invoice.total, invoice.lines.count()) == (
        "draft", Decimal("147.60"), 1)  # fmt: skip
    assert (invoice.due_date - invoice.created_at.date()).days == 15
    other = client.post(
        url,
        {f"line_{seats.pk}": "1", f"line_{setup.pk}": "1", "series": " FT ", "due_in_days": "0"},
    )
    assert Invoice.objects.get(pk=other["Location"].split("/")[2]).series.code == "FT"
    form = client.get(url).content.decode()
    assert '<option value="FT"><option value="INV">' in form


@pytest.mark.parametrize(
    ("quantity", "due", "field", "message"),
    [
        ("-1", "30", "line", "greater than or equal to 0"),
        ("abc", "30", "line", "Enter a number."),
        ("4", "400", "due_in_days", "less than or equal to 365"),
        ("4", "30", "series", "This series numbers credit notes."),
        ("4", "30", "series", "This field is required."),
    ],
    ids=["negative-quantity", "not-a-number", "due-too-late", "credit-series", "no-series"],
)
def test_bad_invoice_input_shows_on_its_field_and_drafts_nothing(
    web: Any,
    manager: Any,
    rep: Any,
    request: Any,
    quantity: str,
    due: str,
    field: str,
    message: str,
) -> None:
    order = _order(rep)
    seats, setup = order.lines.all()
    series = {"credit-series": "CN", "no-series": " "}.get(request.node.callspec.id, "INV")
    response = web(manager).post(
        f"/orders/{order.pk}/invoice/",
        {f"line_{seats.pk}": quantity, f"line_{setup.pk}": "0", "series": series,
         "due_in_days": due},
    )  # fmt: skip
    name = f"line_{seats.pk}" if field == "line" else field
    assert response.status_code == 200
    assert message in _field_error(response, name)
    assert not Invoice.objects.exists()


def test_invoicing_more_than_is_left_is_refused_with_the_line_named(
    web: Any, manager: Any, rep: Any
) -> None:
    order = _order(rep)
    seats, setup = order.lines.all()
    response = web(manager).post(
        f"/orders/{order.pk}/invoice/",
        {f"line_{seats.pk}": "11", f"line_{setup.pk}": "1", "series": "INV", "due_in_days": "30"},
    )
    assert response.status_code == 200
    assert "Seats: at most 10 left to invoice." in _text(response)
    assert not Invoice.objects.exists()


def test_the_api_drafts_into_a_named_series_but_not_a_credit_note_one(
    api: Any, manager: Any, rep: Any
) -> None:
    order = _order(rep)
    client = api(manager)
    refused = client.post("/api/v1/invoices", {"order": order.pk, "series": "CN"})
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in refused.json()["errors"]] == ["series"]
    assert not Invoice.objects.exists()
    made = client.post("/api/v1/invoices", {"order": order.pk, "series": "FT"})
    assert made.status_code == 201, made.content
    issued = client.post(f"/api/v1/invoices/{made.json()['id']}/issue", {})
    assert issued.json()["reference"] == "FT/1"


# --- invoices -----------------------------------------------------------------------------


def test_invoice_list_filters_by_status_overdue_and_customer(
    web: Any,
    manager: Any,
    rep: Any,
    make_organization: Any,
    make_person: Any,
    time_machine: Any,
    monkeypatch: Any,
) -> None:
    time_machine.move_to("2026-03-01T10:00:00Z")
    acme = make_organization(name="Acme Lda")
    bruno = make_person(given_name="Bruno", family_name="Costa")
    late = services.invoice_draft(
        actor=manager, order=_order(rep, organization=acme.pk), due_in_days=5
    )
    late = services.invoice_issue(actor=manager, invoice=late)
    paid = _issued(manager, rep, person=bruno.pk)
    services.payment_record(actor=manager, invoice=paid, data={"amount": "869"})
    services.invoice_draft(actor=manager, order=_order(rep, person=bruno.pk))
    time_machine.move_to("2026-04-01T10:00:00Z")
    client = web(manager)
    everything = client.get("/invoices/")
    assert _rows(everything) == ["Draft", "INV/2", "INV/1"]
    assert "3 invoices" in _text(everything)
    assert _rows(client.get("/invoices/?status=overdue")) == ["INV/1"]
    assert _rows(client.get("/invoices/?status=paid")) == ["INV/2"]
    assert _rows(client.get("/invoices/?status=draft")) == ["Draft"]
    assert _rows(client.get("/invoices/?customer=acme")) == ["INV/1"]
    assert _rows(client.get("/invoices/?customer=bruno+costa")) == ["Draft", "INV/2"]
    assert _rows(client.get("/invoices/?customer=bruno&status=paid")) == ["INV/2"]
    assert "Overdue" in _text(client.get("/invoices/?status=overdue"))
    monkeypatch.setattr("elo.sales.views.pages.PAGE_SIZE", 2)
    page = client.get("/invoices/")
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', page.content.decode())
    assert _rows(page) == ["Draft", "INV/2"] and cursor is not None
    assert _rows(client.get(f"/invoices/?cursor={cursor.group(1)}")) == ["INV/1"]
    assert "not valid" in _text(client.get("/invoices/?cursor=garbage"))
    assert late.pk


def test_invoice_detail_shows_everything_the_customer_owes(
    web: Any, manager: Any, rep: Any, other_rep: Any, make_organization: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-06-01T10:00:00Z")
    invoice = _issued(manager, rep, organization=make_organization(name="Acme Lda").pk)
    services.payment_record(
        actor=manager,
        invoice=invoice,
        data={"amount": "100", "method": "pix", "paid_on": "2026-06-03", "reference": "E2E-9"},
    )
    services.credit_note_issue(actor=manager, invoice=invoice, amount="69", reason="Goodwill")
    page = web(manager).get(f"/invoices/{invoice.pk}/")
    text = _text(page).replace(".", ",")
    assert "Invoice INV/1" in text and "Acme Lda" in text
    assert "Partially paid" in text
    assert "Tax 23% on € 300,00" in text and "69,00" in text
    assert "Seats" in text and "Setup" in text
    assert "Pix" in text and "E2E-9" in text and "CN/1" in text and "Goodwill" in text
    assert "700,00" in text  # balance: 869 - 100 - 69
    html = page.content.decode()
    assert f'href="/invoices/{invoice.pk}/pdf/"' in html
    assert 'id="payment-form"' in html and 'id="credit-form"' in html
    assert 'id="issue-form"' not in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every label points at one field"
    assert 'id="payment-form"' not in web(rep).get(f"/invoices/{invoice.pk}/").content.decode()
    assert web(other_rep).get(f"/invoices/{invoice.pk}/").status_code == 404


def test_a_draft_shows_draft_and_is_issued_from_its_page(
    web: Any, manager: Any, rep: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-06-01T10:00:00Z")
    draft = services.invoice_draft(actor=manager, order=_order(rep))
    url = f"/invoices/{draft.pk}/issue/"
    client = web(manager)
    page = client.get(f"/invoices/{draft.pk}/")
    assert "Draft invoice" in _text(page) and 'id="issue-form"' in page.content.decode()
    assert web(rep).post(url, {"version": draft.version}).status_code == 403
    client = web(manager)
    bad = client.post(url, {"version": draft.version, "issue_date": "not-a-date"})
    assert bad.status_code == 200 and _field_error(bad, "issue_date") == "Enter a valid date."
    stale = client.post(url, {"version": draft.version + 1}, follow=True)
    assert "Someone changed this record" in _text(stale)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)
    done = client.post(url, {"version": draft.version, "issue_date": "2026-06-02"}, follow=True)
    assert "Issued invoice INV/1." in _text(done)
    draft.refresh_from_db()
    assert (draft.reference, str(draft.issue_date)) == ("INV/1", "2026-06-02")
    assert AuditEntry.objects.filter(action="billing.invoice.issued").count() == 1
    again = client.post(url, {"version": draft.version})
    assert "Only a draft invoice can be issued." in _text(again)


def test_recording_a_payment_from_the_invoice_page(web: Any, manager: Any, rep: Any) -> None:
    invoice = _issued(manager, rep)
    url = f"/invoices/{invoice.pk}/payments/"
    data = {"amount": "100", "method": "mb_way", "paid_on": "2026-06-03", "reference": "X-1"}
    assert web(rep).post(url, data).status_code == 403
    client = web(manager)
    too_much = client.post(url, {**data, "amount": "900"})
    assert too_much.status_code == 200
    assert _field_error(too_much, "amount") == "At most 869.00 is due."
    not_money = client.post(url, {**data, "amount": "abc"})
    assert _field_error(not_money, "amount") == "Enter a number."
    zero = client.post(url, {**data, "amount": "0"})
    assert "greater than or equal to 0.01" in _field_error(zero, "amount")
    wrong_method = client.post(url, {**data, "method": "cheque"})
    assert "Select a valid choice" in _field_error(wrong_method, "method")
    assert not Payment.objects.exists()
    done = client.post(url, data, follow=True)
    assert "Payment recorded." in _text(done)
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, str(payment.paid_on), payment.reference) == (
        Decimal("100.00"), "mb_way", "2026-06-03", "X-1")  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("769.00"))


def test_issuing_a_credit_note_from_the_invoice_page(web: Any, manager: Any, rep: Any) -> None:
    invoice = _issued(manager, rep)
    url = f"/invoices/{invoice.pk}/credit-notes/"
    assert web(rep).post(url, {"amount": "10", "reason": "Late"}).status_code == 403
    client = web(manager)
    no_reason = client.post(url, {"amount": "10", "reason": "  "})
    assert _field_error(no_reason, "reason") == "This field is required."
    too_much = client.post(url, {"amount": "870", "reason": "Late"})
    assert _field_error(too_much, "amount") == "At most 869.00 can be credited."
    assert not CreditNote.objects.exists()
    done = client.post(url, {"amount": "69", "reason": "Late delivery"}, follow=True)
    assert "Issued credit note CN/1." in _text(done)
    invoice.refresh_from_db()
    assert (invoice.credited, invoice.balance) == (Decimal("69.00"), Decimal("800.00"))


def test_a_draft_takes_no_payment_from_the_page(web: Any, manager: Any, rep: Any) -> None:
    draft = services.invoice_draft(actor=manager, order=_order(rep))
    response = web(manager).post(
        f"/invoices/{draft.pk}/payments/",
        {"amount": "1", "method": "cash", "paid_on": "2026-06-01"},
    )
    assert "Only an issued, unpaid invoice takes payments." in _text(response)
    assert not Payment.objects.exists()


# --- receivables and exports --------------------------------------------------------------


def test_receivables_aging_page(
    web: Any, manager: Any, rep: Any, other_rep: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-01-01T10:00:00Z")
    draft = services.invoice_draft(actor=manager, order=_order(rep), due_in_days=10)
    invoice = services.invoice_issue(actor=manager, invoice=draft)
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "69"})
    _issued(manager, rep)  # due in 30 days: 15 days late on the day of the report
    time_machine.move_to("2026-02-15T10:00:00Z")
    page = web(manager).get("/invoices/aging/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('data-currency="EUR"') :]
    row = row[: row.index("</tr>")]
    cells = [" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]  # fmt: skip
    assert cells == ["€ 0.00", "€ 869.00", "€ 800.00", "€ 0.00", "€ 0.00", "€ 1,669.00"]
    assert "Receivables aging" in _text(page)
    assert "Nothing is due." in _text(web(other_rep).get("/invoices/aging/"))


def test_accountant_downloads_from_the_session(
    web: Any, manager: Any, rep: Any, other_rep: Any
) -> None:
    invoice = _issued(manager, rep)
    services.invoice_draft(actor=manager, order=_order(rep))
    services.payment_record(
        actor=manager,
        invoice=invoice,
        data={"amount": "100", "method": "pix", "reference": "E2E-1"},
    )
    client = web(manager)
    response = client.get("/invoices/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "elo-invoices.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["reference", "status", "issue_date"]
    assert [(row[0], row[1], row[-1]) for row in rows[1:]] == [
        ("INV/1", "partially_paid", "769.00")
    ]
    payments = client.get("/payments/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(payments.streaming_content).decode())))
    assert rows[1][0] == "INV/1" and rows[1][2:] == ["pix", "100.00", "EUR", "E2E-1"]
    # Exporting takes exports.run, which sales reps don't hold: no buttons, and 403.
    assert "Invoices (CSV)" in _text(client.get("/invoices/"))
    assert "Invoices (CSV)" not in _text(web(rep).get("/invoices/"))
    assert web(other_rep).get("/invoices/export.csv").status_code == 403
    assert web(rep).get("/payments/export.csv").status_code == 403
    client.logout()
    assert client.get("/invoices/export.csv").status_code == 302


def test_billing_pages_link_to_each_other(web: Any, manager: Any) -> None:
    html = web(manager).get("/invoices/").content.decode()
    nav = html[html.index('id="billing-nav"') :]
    nav = nav[: nav.index("</ul>")]
    assert 'href="/orders/"' in nav and 'href="/invoices/aging/"' in nav
    assert 'aria-current="page" href="/invoices/"' in nav


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, manager: Any, rep: Any) -> None:
    invoice = _issued(manager, rep)
    for path in ("/orders/", f"/orders/{invoice.order_id}/", "/invoices/",
                 f"/invoices/{invoice.pk}/", "/invoices/aging/", "/payments/export.csv",
                 f"/invoices/{invoice.pk}/pdf/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"], path
    response = client.post(f"/invoices/{invoice.pk}/payments/", {"amount": "1"})
    assert response.status_code == 302
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("outsider", 404), ("rep", 403)],
    ids=["anonymous", "outsider", "without-billing-manage"],
)
def test_actions_permission_matrix(
    request: Any, client: Any, manager: Any, rep: Any, persona: str, status: int, smtp: Any
) -> None:
    draft = services.invoice_draft(actor=manager, order=_order(rep, "One"))
    invoice = _issued(manager, rep, "Two")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    posts = {
        f"/orders/{draft.order_id}/invoice/": {"series": "INV", "due_in_days": "30"},
        f"/invoices/{draft.pk}/issue/": {"version": draft.version},
        f"/invoices/{invoice.pk}/payments/": {"amount": "1", "method": "cash",
                                               "paid_on": "2026-01-01"},
        f"/invoices/{invoice.pk}/credit-notes/": {"amount": "1", "reason": "x"},
        f"/invoices/{invoice.pk}/send/": {"to": "a@example.com"},
    }  # fmt: skip
    for path, data in posts.items():
        assert client.post(path, data).status_code == status, path
    invoice.refresh_from_db()
    draft.refresh_from_db()
    assert (draft.status, invoice.paid, invoice.credited, invoice.sent_at) == (
        "draft", Decimal("0.00"), Decimal("0.00"), None)  # fmt: skip
    assert Invoice.objects.count() == 2 and smtp.messages == []
    assert client.get(f"/orders/{draft.order_id}/invoice/").status_code == status


# --- queries ------------------------------------------------------------------------------


def _count(client: Any, url: str, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(30) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_pages_do_not_grow_with_rows(
    web: Any,
    manager: Any,
    rep: Any,
    make_organization: Any,
    make_person: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def add() -> None:
        organization = make_organization(name="Acme")
        person = make_person(given_name="Ana")
        invoice = _issued(manager, rep, organization=organization.pk, person=person.pk)
        services.payment_record(actor=manager, invoice=invoice, data={"amount": "1"})
        services.invoice_draft(actor=manager, order=_order(rep, person=person.pk))

    add()
    client = web(manager)
    urls = ["/orders/", "/invoices/", "/invoices/?status=overdue&customer=ana",
            "/invoices/aging/"]  # fmt: skip
    expected = {url: _count(client, url, django_assert_max_num_queries) for url in urls}
    for _ in range(4):
        add()
    for url in urls:
        with django_assert_max_num_queries(expected[url]):
            assert client.get(url).status_code == 200


def test_detail_pages_do_not_grow_with_lines_payments_and_invoices(
    web: Any, manager: Any, rep: Any, make_organization: Any, django_assert_max_num_queries: Any
) -> None:
    def make(lines: int, payments: int) -> tuple[int, int]:
        order = _order(
            rep,
            organization=make_organization(name="Acme").pk,
            lines=[{"description": f"L{i}", "unit_price": "10", "quantity": "2",
                    "tax_rate": str(i)} for i in range(lines)],
        )  # fmt: skip
        first = order.lines.first()
        assert first is not None
        for _ in range(payments):
            services.invoice_draft(actor=manager, order=order, quantities={first.pk: "0.1"})
        invoice = services.invoice_issue(
            actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
        )
        for _ in range(payments):
            services.payment_record(actor=manager, invoice=invoice, data={"amount": "1"})
            services.credit_note_issue(actor=manager, invoice=invoice, amount="1", reason="x")
        return order.pk, invoice.pk

    small, big = make(1, 1), make(6, 4)
    client = web(manager)
    for path in ("/orders/{}/", "/orders/{}/invoice/", "/invoices/{}/"):
        index = 1 if path.startswith("/invoices") else 0
        few = _count(client, path.format(small[index]), django_assert_max_num_queries)
        with django_assert_max_num_queries(few):
            assert client.get(path.format(big[index])).status_code == 200


# --- PDF ----------------------------------------------------------------------------------


def _pdf_text(body: bytes) -> str:
    import pypdf

    assert body.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_invoice_and_credit_note_pdfs_download_with_their_numbers(
    web: Any, manager: Any, rep: Any, other_rep: Any, make_organization: Any
) -> None:
    invoice = _issued(manager, rep, organization=make_organization(name="Acme Lda").pk)
    note = services.credit_note_issue(actor=manager, invoice=invoice, amount="69", reason="Late")
    client = web(rep)
    response = client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="invoice-INV-1.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "INV/1" in text and "Acme Lda" in text
    credit = client.get(f"/invoices/{invoice.pk}/credit-notes/{note.pk}/pdf/")
    assert credit.status_code == 200 and credit["Content-Type"] == "application/pdf"
    assert 'filename="credit-note-CN-1.pdf"' in credit["Content-Disposition"]
    text = _pdf_text(credit.content)
    assert "CN/1" in text and "INV/1" in text and "Acme Lda" in text
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f'href="/invoices/{invoice.pk}/credit-notes/{note.pk}/pdf/"' in page
    other = web(other_rep)
    assert other.get(f"/invoices/{invoice.pk}/pdf/").status_code == 404
    assert other.get(f"/invoices/{invoice.pk}/credit-notes/{note.pk}/pdf/").status_code == 404
    draft = services.invoice_draft(actor=manager, order=_order(rep, "Second"))
    assert (
        'filename="invoice-draft-'
        in web(rep).get(f"/invoices/{draft.pk}/pdf/")["Content-Disposition"]
    )
    assert web(rep).get(f"/invoices/{draft.pk}/credit-notes/{note.pk}/pdf/").status_code == 404
