"""Quotes: Decimal line arithmetic, totals from rounded lines, revisions, statuses, API."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from elo.sales import money
from elo.sales.models import Quote
from elo.sales.services import catalog, quotes

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=0, max_value=10**7, places=2)
rates = st.decimals(min_value=0, max_value=100, places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=10**4, places=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(quantities, amounts, rates, rates), min_size=1, max_size=20))
def test_document_total_is_the_sum_of_its_rounded_lines(lines: list[Any]) -> None:
    computed = [
        money.line_amounts(quantity=q, unit_price=p, discount=d, tax_rate=t) for q, p, d, t in lines
    ]
    totals = money.document_totals(computed)
    assert totals.net == sum(line.net for line in computed)
    assert totals.tax == sum(line.tax for line in computed)
    assert totals.total == totals.net + totals.tax == sum(line.total for line in computed)
    for line in computed:
        assert line.net == line.net.quantize(Decimal("0.01")) >= 0
        assert line.tax == line.tax.quantize(Decimal("0.01")) >= 0


def test_line_rounding_is_half_even_on_each_line() -> None:
    line = money.line_amounts(
        quantity=Decimal("3"), unit_price=Decimal("0.35"), discount=Decimal("50"),
        tax_rate=Decimal("23"))  # fmt: skip
    # 3 x 0.35 = 1.05, half is 0.525 -> 0.52 (to even); tax 0.52 x 23 % = 0.1196 -> 0.12.
    assert (line.net, line.tax, line.total) == (Decimal("0.52"), Decimal("0.12"), Decimal("0.64"))


@pytest.fixture
def catalogue(admin: Any) -> dict[str, Any]:
    seat = catalog.product_create(actor=admin, data={"name": "Seat", "sku": "S", "tax_rate": "17"})
    setup = catalog.product_create(actor=admin, data={"name": "Setup", "sku": "U"})
    prices = catalog.price_list_save(
        actor=admin,
        data={"name": "Brasil", "currency": "BRL", "is_default": True,
              "prices": [{"product": seat.pk, "unit_price": "89.90"}]},
    )  # fmt: skip
    return {"seat": seat, "setup": setup, "prices": prices}


def test_quote_prices_from_the_price_list_and_sums_its_lines(rep: Any, catalogue: Any) -> None:
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Proposal", "valid_until": "2030-01-31",
              "lines": [{"product": catalogue["seat"].pk, "quantity": "12", "discount": "10"},
                        {"description": "Training day", "unit_price": "1500", "tax_rate": "5"}]},
    )  # fmt: skip
    lines = list(quote.lines.all())
    assert (quote.currency, quote.price_list_id) == ("BRL", catalogue["prices"].pk)
    assert [(line.description, line.unit_price, line.net, line.tax) for line in lines] == [
        ("Seat", Decimal("89.90"), Decimal("970.92"), Decimal("165.06")),
        ("Training day", Decimal("1500.00"), Decimal("1500.00"), Decimal("75.00")),
    ]  # fmt: skip
    assert (quote.net_total, quote.tax_total, quote.total) == (
        Decimal("2470.92"), Decimal("240.06"), Decimal("2710.98"))  # fmt: skip


def test_bad_lines_are_reported_and_nothing_is_written(rep: Any, catalogue: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        quotes.quote_create(
            actor=rep,
            data={"title": "", "currency": "EUR",
                  "lines": [{"product": catalogue["setup"].pk},  # no price on the list
                            {"description": "x", "quantity": "0", "unit_price": "1"},
                            {"description": "y", "unit_price": "1", "discount": "120"}]},
        )  # fmt: skip
    errors = caught.value.message_dict
    assert set(errors) == {"title", "currency", "lines"}
    assert [message[:6] for message in errors["lines"]] == ["Line 1", "Line 2", "Line 3"]
    with pytest.raises(ValidationError) as caught:
        quotes.quote_create(actor=rep, data={"title": "Empty", "lines": []})
    assert "lines" in caught.value.message_dict
    assert not Quote.objects.exists()


def test_statuses_and_revisions(rep: Any, catalogue: Any) -> None:
    quote = quotes.quote_create(
        actor=rep, data={"title": "Q", "lines": [{"description": "x", "unit_price": "10"}]}
    )
    with pytest.raises(ValidationError):
        quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    quote = quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    assert quote.sent_at is not None
    changed = quotes.quote_update(
        actor=rep, quote=quote, data={"lines": [{"description": "x", "unit_price": "9"}]}
    )
    assert (changed.status, changed.revision, changed.total) == ("draft", 2, Decimal("9.00"))
    quotes.quote_set_status(actor=rep, quote=changed, status="sent")
    accepted = quotes.quote_set_status(actor=rep, quote=changed, status="accepted")
    assert accepted.decided_at is not None
    with pytest.raises(ValidationError):
        quotes.quote_update(actor=rep, quote=accepted, data={"title": "Late"})


def test_quote_api(
    api: Any, rep: Any, other_rep: Any, catalogue: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(rep)
    body = {"title": "API", "lines": [{"product": catalogue["seat"].pk, "quantity": "2"}]}
    made = client.post("/api/v1/quotes", body)
    assert made.status_code == 201, made.content
    assert (made.json()["total"], made.json()["lines"][0]["tax"]) == ("210.37", "30.57")
    quote_id = made.json()["id"]
    assert api(other_rep).get(f"/api/v1/quotes/{quote_id}").status_code == 404
    assert client.post("/api/v1/quotes", {"title": "x", "lines": []}).status_code == 422
    sent = client.post(f"/api/v1/quotes/{quote_id}/status", {"status": "sent"},
                       **{"If-Match": made["ETag"]})  # fmt: skip
    assert sent.json()["status"] == "sent"
    stale = client.patch(f"/api/v1/quotes/{quote_id}", {"title": "x"}, **{"If-Match": made["ETag"]})
    assert stale.status_code == 412
    for _ in range(3):
        client.post("/api/v1/quotes", body)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/quotes").json()["items"]) == 4
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v1/quotes/{quote_id}").status_code == 200


def test_send_by_email_and_the_customer_accepts_through_the_link(
    api: Any,
    rep: Any,
    make_person: Any,
    client: Any,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from elo.core.models import AuditEntry

    ana = make_person(given_name="Ana", emails=["ana@cliente.com.br"], preferred_language="pt-br")
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Site novo", "person": ana.pk, "currency": "BRL",
              "lines": [{"description": "Projeto", "unit_price": "1234.5"}]},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sent = api(rep).post(f"/api/v1/quotes/{quote.pk}/send", {"to": "ana@cliente.com.br"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent"
    [message] = smtp.messages
    assert message["To"] == "ana@cliente.com.br" and message["Reply-To"] == rep.email
    assert message["Subject"] == "Orçamento: Site novo"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "R$ 1.234,50" in body
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"orçamento-Q-{quote.pk}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    link = next(line for line in body.splitlines() if "/q/" in line).strip()
    path = link[link.index("/q/") :]
    assert path == sent.json()["public_link"]
    page = client.get(path)
    assert page.status_code == 200 and "Aceitar o orçamento" in page.content.decode()
    assert client.get(path[:-3] + "xx/").status_code == 404  # a forged link
    accepted = client.post(path, {"decision": "accept", "name": "Ana Lima"})
    assert accepted.status_code == 302
    quote.refresh_from_db()
    assert quote.status == "accepted"
    entry = AuditEntry.objects.get(action="sales.quote.accepted")
    assert (entry.actor_kind, entry.actor_label) == ("customer", "Ana Lima")
    again = client.post(path, {"decision": "decline"}, follow=True)
    assert "já não pode ser respondido" in again.content.decode()
    assert Quote.objects.get().status == "accepted"


def test_a_new_revision_invalidates_the_old_link(rep: Any, client: Any) -> None:
    quote = quotes.quote_create(
        actor=rep, data={"title": "Q", "lines": [{"description": "x", "unit_price": "1"}]}
    )
    quote = quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    old = quotes.public_token(quote)
    quotes.quote_update(actor=rep, quote=quote, data={"title": "Q2"})
    assert client.get(f"/q/{old}/").status_code == 404
    with pytest.raises(ValidationError):
        quotes.quote_send(actor=rep, quote=quote, to="not-an-email", base_url="http://x")


def test_a_closed_quote_is_changed_through_a_copy(api: Any, rep: Any, catalogue: Any) -> None:
    quote = quotes.quote_create(
        actor=rep,
        data={
            "title": "Q",
            "lines": [{"product": catalogue["seat"].pk, "quantity": "3", "discount": "5"}],
        },
    )
    quotes.quote_set_status(actor=rep, quote=quote, status="expired")
    copied = api(rep).post(f"/api/v1/quotes/{quote.pk}/copy")
    assert copied.status_code == 201, copied.content
    body = copied.json()
    assert (body["status"], body["revision"], body["total"]) == ("draft", 1, str(quote.total))
    assert [(line["quantity"], line["discount"]) for line in body["lines"]] == [("3.000", "5.00")]
    assert Quote.objects.get(pk=quote.pk).status == "expired"


def test_public_quote_page_does_not_grow_with_lines(
    rep: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    def sent(lines: int) -> str:
        quote = quotes.quote_create(
            actor=rep,
            data={
                "title": "Q",
                "lines": [{"description": f"L{i}", "unit_price": "2"} for i in range(lines)],
            },
        )
        return quotes.public_token(quotes.quote_set_status(actor=rep, quote=quote, status="sent"))

    small, big = sent(1), sent(8)
    with django_assert_max_num_queries(8) as captured:
        assert client.get(f"/q/{small}/").status_code == 200
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get(f"/q/{big}/").status_code == 200


def test_a_sent_quote_can_be_sent_again_but_not_once_answered(
    rep: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quote = quotes.quote_create(
        actor=rep, data={"title": "Q", "lines": [{"description": "x", "unit_price": "1"}]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = quotes.quote_send(actor=rep, quote=quote, to="a@example.com", base_url="http://x/")
        again = quotes.quote_send(actor=rep, quote=first, to="b@example.com", base_url="http://x/")
    assert [message["To"] for message in smtp.messages] == ["a@example.com", "b@example.com"]
    assert again.status == "sent"
    # The link in the first message still opens the quote after the second send.
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    [token] = re.findall(r"http://x/q/([^/\s]+)/", body)
    assert quotes.quote_for_token(token) == again
    accepted = quotes.quote_set_status(actor=rep, quote=again, status="accepted")
    with pytest.raises(ValidationError):
        quotes.quote_send(actor=rep, quote=accepted, to="c@example.com", base_url="http://x/")
    assert len(smtp.messages) == 2
