"""Forecasts: periods, categories by probability, currency conversion, quotas."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from elo.sales import forecast, services
from elo.sales.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Any:
    return services.pipeline_ensure_default()


def test_periods() -> None:
    quarter = forecast.parse_period("2026-q4")
    assert (quarter.key, quarter.start, quarter.end) == (
        "2026-Q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))  # fmt: skip
    assert quarter.months() == ["2026-10", "2026-11", "2026-12"]
    february = forecast.parse_period("2028-02")
    assert february.end == datetime.date(2028, 2, 29)
    for bad in ("2026", "2026-13", "2026-Q5", "Q4"):
        with pytest.raises(ValidationError):
            forecast.parse_period(bad)
    assert forecast.current_quarter(datetime.date(2026, 12, 2)) == "2026-Q4"


def _deal(actor: Any, stage: str, amount: str, close: str, **data: Any) -> Deal:
    return services.deal_create(
        actor=actor,
        data={"title": "D", "amount": amount, "stage": stage, "expected_close": close, **data},
    )


def test_forecast_categories_conversion_and_quota(
    admin: Any, rep: Any, other_rep: Any, pipeline: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")
    _deal(rep, "Negotiation", "1000", "2026-12-15")  # 75 %: commit
    _deal(rep, "Proposal", "400", "2026-11-20")  # 50 %: best case
    _deal(rep, "Prospecting", "200", "2026-10-02", probability=5)  # pipeline only
    _deal(rep, "Proposal", "999", "2027-01-05")  # next quarter: out
    _deal(rep, "Proposal", "100", "2026-11-01", currency="EUR")  # converted at 6.00
    _deal(rep, "Proposal", "100", "2026-11-01", currency="JPY")  # no rate: left out
    won = _deal(rep, "Proposal", "300", "2027-03-01")
    services.deal_move(actor=rep, deal=won, stage=pipeline.stages.get(name="Closed Won"))
    lost = _deal(rep, "Proposal", "5000", "2026-11-05")
    services.deal_move(
        actor=rep, deal=lost, stage=pipeline.stages.get(name="Closed Lost"), reason="Price"
    )
    _deal(other_rep, "Negotiation", "7777", "2026-11-11")  # not the rep's to see
    services.rate_set(actor=admin, currency="eur", rate="6.00", valid_from="2026-01-01")
    services.rate_set(actor=admin, currency="EUR", rate="9.99", valid_from="2027-01-01")
    result = forecast.forecast(rep, "2026-Q4")
    assert result.currency == "BRL"
    assert result.closed_won == Decimal("300.00")
    assert result.pipeline == Decimal("2200.00")  # 1000 + 400 + 200 + 600
    assert result.commit == Decimal("1300.00")  # won + 1000
    assert result.best_case == Decimal("2300.00")  # won + 1000 + 400 + 600
    assert result.weighted == Decimal("1260.00")  # 750 + 200 + 10 + 300
    assert (result.deals, result.unconverted) == (5, ["JPY"])
    assert result.quota is None and result.attainment is None
    for month, amount in (("2026-10", "100"), ("2026-11", "200"), ("2026-12", "300")):
        services.quota_set(actor=admin, period=month, amount=amount, user=rep)
    with_months = forecast.forecast(rep, "2026-Q4", owner=rep.pk)
    assert (with_months.quota, with_months.attainment) == (Decimal("600.00"), Decimal("50.0"))
    services.quota_set(actor=admin, period="2026-Q4", amount="1200", user=rep)
    assert forecast.forecast(rep, "2026-Q4", owner=rep.pk).attainment == Decimal("25.0")
    services.quota_set(actor=admin, period="2026-Q4", amount="", user=rep)
    assert forecast.forecast(rep, "2026-Q4", owner=rep.pk).quota == Decimal("600.00")
    rows = forecast.forecast_by_owner(admin, "2026-Q4")
    assert {row["owner"]["id"]: row["pipeline"] for row in rows} == {
        rep.pk: Decimal("2200.00"), other_rep.pk: Decimal("7777.00")}  # fmt: skip


def test_quotas_and_rates_are_validated_and_need_configure(
    admin: Any, rep: Any, teams: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=rep, period="2026-11", amount="1", user=rep)
    with pytest.raises(ValidationError):
        services.quota_set(actor=admin, period="2026-11", amount="1", user=rep, team=teams["north"])
    with pytest.raises(ValidationError):
        services.quota_set(actor=admin, period="2026-11", amount="-1", team=teams["north"])
    with pytest.raises(ValidationError) as caught:
        services.rate_set(actor=admin, currency="BRL", rate="0", valid_from="yesterday")
    assert set(caught.value.message_dict) == {"currency", "rate", "valid_from"}


def test_lost_needs_a_reason(rep: Any, pipeline: Any) -> None:
    deal = _deal(rep, "Proposal", "10", "2026-12-01")
    with pytest.raises(ValidationError) as caught:
        services.deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Closed Lost"))
    assert "reason" in caught.value.message_dict
    assert Deal.objects.get().status == "open"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["open", "won"]),
            st.decimals(min_value=0, max_value=10**9, places=2),
            st.integers(min_value=0, max_value=100),
        ),
        max_size=30,
    )
)
def test_categories_nest(rows: list[tuple[str, Decimal, int]]) -> None:
    """Whatever the deals: closed won <= commit <= best case <= closed won + pipeline, and
    the weighted pipeline never exceeds the pipeline."""
    result = forecast.Forecast(period=forecast.parse_period("2026-Q1"), currency="BRL")
    for status, amount, probability in rows:
        forecast._add(result, {"BRL": Decimal(1)}, (status, amount, "BRL", probability, 0))
    forecast._finish(result)
    assert result.closed_won <= result.commit <= result.best_case
    assert result.best_case <= result.closed_won + result.pipeline
    assert 0 <= result.weighted <= result.pipeline
    assert result.deals == len(rows)


def test_forecast_api(api: Any, admin: Any, rep: Any, pipeline: Any, teams: Any) -> None:
    _deal(rep, "Negotiation", "1000", "2026-12-15")
    body = api(rep).get("/api/v1/forecast?period=2026-Q4").json()
    assert (body["commit"], body["pipeline"], body["quota"]) == ("1000.00", "1000.00", None)
    assert api(rep).get("/api/v1/forecast?period=nope").status_code == 422
    assert (
        api(rep)
        .put("/api/v1/quotas", {"period": "2026-Q4", "user": rep.pk, "amount": "10"})
        .status_code
        == 403
    )
    made = api(admin).put("/api/v1/quotas", {"period": "2026-Q4", "user": rep.pk, "amount": "2000"})
    assert made.status_code == 200 and made.json()["amount"] == "2000.00"
    mine = api(rep).get(f"/api/v1/forecast?period=2026-Q4&owner={rep.pk}").json()
    assert (mine["quota"], mine["attainment"]) == ("2000.00", "0.0")
    rate = api(admin).post(
        "/api/v1/exchange-rates", {"currency": "EUR", "rate": "6.1", "valid_from": "2026-01-01"}
    )
    assert rate.status_code == 201
    assert api(rep).get("/api/v1/exchange-rates").json()[0]["currency"] == "EUR"
    owners = api(admin).get("/api/v1/forecast/owners?period=2026-Q4").json()
    assert [row["owner"]["id"] for row in owners] == [rep.pk]


def test_rates_import_all_or_nothing(api: Any, admin: Any, rep: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from elo.sales.models import ExchangeRate

    client = api(admin)

    def upload(text: str, who: Any = None) -> Any:
        caller = api(who) if who is not None else client
        return caller.client.post(
            "/api/v1/exchange-rates/import",
            {"file": SimpleUploadedFile("rates.csv", text.encode())},
            headers=caller.headers,
        )

    bad = upload(
        "currency,rate,valid_from\nEUR,6.10,2026-01-01\nUSD,-1,2026-01-01\nBRL,1,2026-01-01\n"
    )
    assert bad.status_code == 422
    messages = [error["message"] for error in bad.json()["errors"]]
    assert [message.split(":")[0] for message in messages] == ["Line 3", "Line 4"]
    assert not ExchangeRate.objects.exists()
    assert upload("moeda,taxa\nEUR,6\n").status_code == 422
    assert upload("currency,rate,valid_from\nEUR,6,2026-01-01\n", rep).status_code == 403
    good = upload("\ufeffcurrency,rate,valid_from\neur,6.10,2026-01-01\nUSD,5.3,2026-02-01\n")
    assert good.status_code == 201 and good.json() == {"loaded": 2}
    assert forecast.rates_on(datetime.date(2026, 3, 1))["EUR"] == Decimal("6.10000000")
