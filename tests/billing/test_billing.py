"""Orders, invoices numbered without gaps, payments, credit notes, aging."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elo.billing import selectors, services
from elo.billing.models import Invoice, Series
from elo.core.models import OutboxEvent
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db


def _accepted_quote(actor: Any) -> Any:
    quote = quotes.quote_create(
        actor=actor,
        data={"title": "Rollout", "currency": "EUR",
              "lines": [{"description": "Seats", "quantity": "10", "unit_price": "30", "tax_rate": "23"},
                        {"description": "Setup", "unit_price": "500"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=actor, quote=quote, status="sent")
    return quotes.quote_set_status(actor=actor, quote=quote, status="accepted")


def test_quote_to_order_to_partial_invoices(manager: Any, rep: Any, time_machine: Any) -> None:
    time_machine.move_to("2026-06-01T10:00:00Z")
    quote = _accepted_quote(rep)
    order = services.order_from_quote(actor=rep, quote=quote)
    assert (order.total, order.currency, order.lines.count()) == (Decimal("869.00"), "EUR", 2)
    with pytest.raises(ValidationError):
        services.order_from_quote(actor=rep, quote=quote)
    with pytest.raises(PermissionDenied):
        services.invoice_draft(actor=rep, order=order)
    seats, _setup = order.lines.all()
    first = services.invoice_draft(actor=manager, order=order, quantities={seats.pk: "4"})
    assert (first.status, first.number, first.total) == ("draft", None, Decimal("147.60"))
    with pytest.raises(ValidationError):
        services.invoice_draft(actor=manager, order=order, quantities={seats.pk: "11"})
    first = services.invoice_issue(actor=manager, invoice=first)
    assert (first.reference, first.issue_date.isoformat()) == ("INV/1", "2026-06-01")
    rest = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    assert rest.reference == "INV/2"
    assert rest.total == Decimal("869.00") - first.total
    order.refresh_from_db()
    assert order.status == "invoiced"
    with pytest.raises(ValidationError):
        services.invoice_draft(actor=manager, order=order)
    with pytest.raises(ValidationError):
        services.invoice_issue(actor=manager, invoice=rest)
    assert OutboxEvent.objects.filter(name="billing.invoice.issued").count() == 2


def test_a_stale_draft_cannot_invoice_twice(manager: Any, rep: Any) -> None:
    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    one = services.invoice_draft(actor=manager, order=order)
    two = services.invoice_draft(actor=manager, order=order)
    services.invoice_issue(actor=manager, invoice=one)
    with pytest.raises(ValidationError):
        services.invoice_issue(actor=manager, invoice=two)
    assert Series.objects.get(code="INV").next_number == 2  # the refused issue took no number


def test_payments_and_credit_notes_never_make_the_balance_negative(manager: Any, rep: Any) -> None:
    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    invoice = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    with pytest.raises(ValidationError):
        services.payment_record(actor=manager, invoice=invoice, data={"amount": "0"})
    with pytest.raises(ValidationError):
        services.payment_record(actor=manager, invoice=invoice, data={"amount": "869.01"})
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "400", "method": "pix"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("469.00"))
    with pytest.raises(ValidationError):
        services.credit_note_issue(actor=manager, invoice=invoice, amount="500", reason="Discount")
    with pytest.raises(ValidationError):
        services.credit_note_issue(actor=manager, invoice=invoice, amount="10", reason=" ")
    note = services.credit_note_issue(
        actor=manager, invoice=invoice, amount="69", reason="Goodwill"
    )
    assert str(note) == "CN/1"
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "400"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance, invoice.paid, invoice.credited) == (
        "paid", Decimal("0.00"), Decimal("800.00"), Decimal("69.00"))  # fmt: skip
    with pytest.raises(ValidationError):
        services.payment_record(actor=manager, invoice=invoice, data={"amount": "1"})


def test_crediting_an_unpaid_invoice_in_full_voids_it(manager: Any, rep: Any) -> None:
    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    invoice = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    services.credit_note_issue(actor=manager, invoice=invoice, amount="869", reason="Cancelled")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("void", Decimal("0.00"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(["pay", "credit"]), st.integers(1, 100_000)), max_size=12)
)
def test_any_sequence_keeps_the_balance_between_zero_and_the_total(
    manager: Any, rep: Any, steps: list[tuple[str, int]]
) -> None:
    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    invoice = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    for kind, cents in steps:
        amount = Decimal(cents) / 100
        try:
            if kind == "pay":
                services.payment_record(actor=manager, invoice=invoice, data={"amount": amount})
            else:
                services.credit_note_issue(
                    actor=manager, invoice=invoice, amount=amount, reason="x"
                )
        except ValidationError:
            pass
        invoice.refresh_from_db()
        assert Decimal(0) <= invoice.balance <= invoice.total
        assert invoice.paid + invoice.credited + invoice.balance == invoice.total


def test_aging_buckets_by_days_past_due(manager: Any, rep: Any, time_machine: Any) -> None:
    time_machine.move_to("2026-01-01T10:00:00Z")
    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    draft = services.invoice_draft(actor=manager, order=order, due_in_days=10)
    invoice = services.invoice_issue(actor=manager, invoice=draft)
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "69"})
    time_machine.move_to("2026-02-15T10:00:00Z")  # 35 days past the due date
    [row] = selectors.receivables_aging(manager)
    assert (row["currency"], row["31-60"], row["total"]) == (
        "EUR",
        Decimal("800.00"),
        Decimal("800.00"),
    )
    assert Invoice.objects.get().is_overdue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_distinct_numbers_without_gaps(manager: Any, rep: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    drafts = []
    for _ in range(8):
        order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
        drafts.append(services.invoice_draft(actor=manager, order=order))
    start = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def issue(draft: Any) -> None:
        try:
            start.wait()
            services.invoice_issue(actor=manager, invoice=draft)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))


def test_billing_api(
    api: Any, manager: Any, rep: Any, other_rep: Any, django_assert_max_num_queries: Any
) -> None:
    quote = _accepted_quote(rep)
    made = api(rep).post("/api/v1/orders", {"quote": quote.pk})
    assert made.status_code == 201, made.content
    order_id = made.json()["id"]
    assert api(other_rep).get(f"/api/v1/orders/{order_id}").status_code == 404
    assert api(rep).post("/api/v1/invoices", {"order": order_id}).status_code == 403
    client = api(manager)
    draft = client.post(
        "/api/v1/invoices",
        {"order": order_id, "quantities": {str(made.json()["lines"][0]["id"]): "2"}},
    )
    assert draft.status_code == 201, draft.content
    invoice_id = draft.json()["id"]
    issued = client.post(f"/api/v1/invoices/{invoice_id}/issue", {})
    assert (issued.json()["reference"], issued.json()["total"]) == ("INV/1", "73.80")
    paid = client.post(
        f"/api/v1/invoices/{invoice_id}/payments", {"amount": "73.80", "method": "mb_way"}
    )
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    over = client.post(
        f"/api/v1/invoices/{invoice_id}/credit-notes", {"amount": "1", "reason": "x"}
    )
    assert over.status_code == 422
    for _ in range(3):
        other = api(rep).post("/api/v1/orders", {"quote": _accepted_quote(rep).pk}).json()["id"]
        client.post("/api/v1/invoices", {"order": other})
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/invoices").json()["items"]) == 4
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/orders").json()["items"]) == 4
    assert client.get("/api/v1/invoices/aging").status_code == 200


def test_accountant_exports(api: Any, manager: Any, rep: Any, make_organization: Any) -> None:
    import csv
    import io

    order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    invoice = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    services.invoice_draft(
        actor=manager, order=services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
    )
    services.payment_record(
        actor=manager,
        invoice=invoice,
        data={"amount": "100", "method": "pix", "reference": "E2E-1"},
    )
    client = api(manager)
    response = client.get("/api/v1/invoices/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["reference", "status", "issue_date"]
    assert [(row[0], row[1], row[-1]) for row in rows[1:]] == [
        ("INV/1", "partially_paid", "769.00")
    ]
    payments = client.get("/api/v1/payments/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(payments.streaming_content).decode())))
    assert rows[1][0] == "INV/1" and rows[1][2:] == ["pix", "100.00", "EUR", "E2E-1"]
    refused = api(rep).get("/api/v1/invoices/export.csv")  # reps don't hold exports.run
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"


def _accepted_for(actor: Any, person: Any, organization: Any) -> Any:
    quote = quotes.quote_create(
        actor=actor,
        data={"title": "More", "currency": "EUR", "person": person.pk,
              "organization": organization.pk, "lines": [{"description": "y", "unit_price": "5"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=actor, quote=quote, status="sent")
    return quotes.quote_set_status(actor=actor, quote=quote, status="accepted")


def test_purchase_history_on_person_and_organization_pages(
    web: Any,
    manager: Any,
    rep: Any,
    other_rep: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_max_num_queries: Any,
) -> None:
    acme = make_organization(name="Acme")
    ana = make_person(given_name="Ana", organizations=[{"organization": acme.pk}])
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Deal", "currency": "EUR", "person": ana.pk, "organization": acme.pk,
              "lines": [{"description": "x", "unit_price": "100"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = services.order_from_quote(actor=rep, quote=quote)
    invoice = services.invoice_issue(
        actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
    )
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "40"})
    client = web(rep)
    page = client.get(f"/people/{ana.pk}/")
    assert f'hx-get="/people/{ana.pk}/purchases/"' in page.content.decode()
    paths = (f"/people/{ana.pk}/purchases/", f"/organizations/{acme.pk}/purchases/")
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(12) as captured:
            body = client.get(path).content.decode()
        counts[path] = len(captured.captured_queries)
        assert "INV/1" in body and "100,00" in body.replace("100.00", "100,00")
        assert "60" in body  # still due
    for _ in range(3):
        services.invoice_issue(
            actor=manager,
            invoice=services.invoice_draft(
                actor=manager,
                order=services.order_from_quote(actor=rep, quote=_accepted_for(rep, ana, acme)),
            ),
        )
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert "INV/4" in client.get(path).content.decode()
    assert web(other_rep).get(f"/people/{ana.pk}/purchases/").status_code == 404


def test_order_and_invoice_details_do_not_grow_with_lines_and_payments(
    api: Any, manager: Any, rep: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(manager)

    def make(lines: int, payments: int) -> tuple[int, int]:
        quote = quotes.quote_create(
            actor=rep,
            data={"title": "Q", "currency": "EUR",
                  "lines": [{"description": f"L{i}", "unit_price": "10"} for i in range(lines)]},
        )  # fmt: skip
        quotes.quote_set_status(actor=rep, quote=quote, status="sent")
        quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
        order = services.order_from_quote(actor=rep, quote=quote)
        invoice = services.invoice_issue(
            actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
        )
        for _ in range(payments):
            services.payment_record(actor=manager, invoice=invoice, data={"amount": "1"})
        services.credit_note_issue(actor=manager, invoice=invoice, amount="1", reason="x")
        return order.pk, invoice.pk

    small = make(1, 1)
    big = make(6, 4)
    for index, path in enumerate(("/api/v1/orders/{}", "/api/v1/invoices/{}")):
        with django_assert_max_num_queries(12) as captured:
            assert client.get(path.format(small[index])).status_code == 200
        with django_assert_max_num_queries(len(captured.captured_queries)):
            assert client.get(path.format(big[index])).status_code == 200


def test_payments_list_and_detail_follow_invoice_visibility(
    api: Any, manager: Any, rep: Any, outsider: Any, django_assert_max_num_queries: Any
) -> None:
    invoices = []
    for _number in range(3):
        order = services.order_from_quote(actor=rep, quote=_accepted_quote(rep))
        invoices.append(
            services.invoice_issue(
                actor=manager, invoice=services.invoice_draft(actor=manager, order=order)
            )
        )
    for invoice, method in zip(invoices, ("pix", "card", "pix"), strict=True):
        services.payment_record(
            actor=manager, invoice=invoice, data={"amount": "100", "method": method}
        )
    client = api(manager)
    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/payments?limit=2")
    assert listed.status_code == 200
    body = listed.json()
    assert len(body["items"]) == 2 and body["next"]
    rest = client.get(body["next"]).json()
    seen = [item["invoice_reference"] for item in body["items"] + rest["items"]]
    assert sorted(seen) == ["INV/1", "INV/2", "INV/3"]
    pix = client.get("/api/v1/payments?method=pix").json()["items"]
    assert {item["method"] for item in pix} == {"pix"} and len(pix) == 2
    one = pix[0]
    with django_assert_max_num_queries(3):
        detail = client.get(f"/api/v1/payments/{one['id']}")
    assert detail.status_code == 200 and detail.json()["amount"] == "100.00"
    assert detail.json()["currency"] == "EUR"
    assert api(outsider).get("/api/v1/payments").json()["items"] == []
    assert api(outsider).get(f"/api/v1/payments/{one['id']}").status_code == 404
