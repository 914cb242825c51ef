"""The sales API: leads, pipelines, deals, board, summary and rules over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from elo.sales import services
from elo.sales.models import Deal, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Any:
    return services.pipeline_ensure_default()


def test_lead_capture_convert_and_disqualify(api: Any, rep: Any) -> None:
    client = api(rep)
    created = client.post(
        "/api/v1/leads", {"given_name": "Ana", "email": "ana@acme.pt", "company": "Acme"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["source"], body["owner"]["id"], body["status"]) == ("api", rep.pk, "new")
    lead_id = body["id"]
    bad = client.post("/api/v1/leads", {"email": "nope", "source": "pigeon"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"email", "source"}
    stale = client.post(f"/api/v1/leads/{lead_id}/convert", {}, **{"If-Match": f'"{lead_id}-9"'})
    assert stale.status_code == 412
    converted = client.post(
        f"/api/v1/leads/{lead_id}/convert", {"create_deal": True, "amount": "500"}
    )
    assert converted.status_code == 200, converted.content
    assert converted.json()["status"] == "converted" and converted.json()["deal"]
    deal = client.get(f"/api/v1/deals/{converted.json()['deal']}").json()
    assert (deal["amount"], deal["title"], deal["source_lead"]) == ("500.00", "Acme", lead_id)
    other = client.post("/api/v1/leads", {"company": "Beta"}).json()["id"]
    refused = client.post(f"/api/v1/leads/{other}/disqualify", {"reason": ""})
    assert refused.status_code == 422
    done = client.post(f"/api/v1/leads/{other}/disqualify", {"reason": "Spam"})
    assert done.json()["status"] == "disqualified"


def test_invisible_records_answer_404(api: Any, rep: Any, other_rep: Any, pipeline: Any) -> None:
    lead = services.lead_create(actor=rep, data={"company": "Mine"})
    deal = services.deal_create(actor=rep, data={"title": "Mine"})
    stranger = api(other_rep)
    for path in (f"/api/v1/leads/{lead.pk}", f"/api/v1/deals/{deal.pk}"):
        assert stranger.get(path).status_code == 404
    assert (
        stranger.post(f"/api/v1/deals/{deal.pk}/move", {"stage": deal.stage_id}).status_code == 404
    )
    assert api(None).get("/api/v1/deals").status_code == 401
    assert stranger.get("/api/v1/deals").json()["items"] == []


def test_deal_crud_move_etag_and_matrix(
    api: Any, rep: Any, manager: Any, reader: Any, admin: Any, pipeline: Any
) -> None:
    client = api(rep)
    proposal = pipeline.stages.get(name="Proposal")
    created = client.post(
        "/api/v1/deals", {"title": "Site", "amount": "1000.50", "stage": proposal.pk}
    )
    assert created.status_code == 201, created.content
    deal_id, etag = created.json()["id"], created["ETag"]
    assert created.json()["probability"] == 50 and created.json()["stage_name"] == "Proposal"
    assert api(reader).post("/api/v1/deals", {"title": "No"}).status_code == 403
    won = pipeline.stages.get(name="Closed Won")
    moved = client.post(f"/api/v1/deals/{deal_id}/move", {"stage": won.pk, "reason": "Signed"},
                        **{"If-Match": etag})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["status"] == "won"
    assert [h["name"] for h in moved.json()["stage_history"]] == ["Proposal", "Closed Won"]
    assert (
        client.post(
            f"/api/v1/deals/{deal_id}/move", {"stage": proposal.pk}, **{"If-Match": etag}
        ).status_code
        == 412
    )
    patched = client.patch(f"/api/v1/deals/{deal_id}", {"amount": "-1"})
    assert patched.status_code == 422
    assert Deal.objects.get().amount == 1000.50
    assert client.delete(f"/api/v1/deals/{deal_id}").status_code == 403
    assert api(manager).delete(f"/api/v1/deals/{deal_id}").status_code == 204
    assert client.get(f"/api/v1/deals/{deal_id}").status_code == 404
    assert api(admin).post(f"/api/v1/deals/{deal_id}/restore").status_code == 200


def test_board_and_summary(api: Any, rep: Any, pipeline: Any) -> None:
    for amount in ("10", "20"):
        services.deal_create(
            actor=rep, data={"title": "A", "amount": amount, "stage": "Negotiation"}
        )
    board = api(rep).get(f"/api/v1/pipelines/{pipeline.pk}/board").json()
    negotiation = next(c for c in board["columns"] if c["stage"]["name"] == "Negotiation")
    assert (negotiation["count"], negotiation["total"], negotiation["weighted"]) == (
        2,
        "30.00",
        "22.50",
    )
    assert len(negotiation["cards"]) == 2
    summary = api(rep).get("/api/v1/deals/summary").json()
    assert [(r["name"], r["count"], r["amount"]) for r in summary] == [("Negotiation", 2, "30.00")]


def test_pipelines_and_rules_need_configure(api: Any, rep: Any, admin: Any) -> None:
    body = {"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Won", "kind": "won"},
                                           {"name": "Lost", "kind": "lost"}]}  # fmt: skip
    assert api(rep).post("/api/v1/pipelines", body).status_code == 403
    created = api(admin).post("/api/v1/pipelines", body)
    assert created.status_code == 201
    assert [s["probability"] for s in created.json()["stages"]] == [0, 100, 0]
    rule = {"name": "PT", "entity": "lead", "strategy": "round_robin", "members": [rep.pk],
            "conditions": [{"field": "country", "op": "eq", "value": "PT"}]}  # fmt: skip
    assert api(rep).post("/api/v1/assignment-rules", rule).status_code == 403
    made = api(admin).post("/api/v1/assignment-rules", rule)
    assert made.status_code == 201, made.content
    lead = api(admin).post("/api/v1/leads", {"company": "Lisboa Lda", "country": "PT"}).json()
    assert lead["owner"]["id"] == rep.pk
    assert Lead.objects.get().owner_id == rep.pk
    off = api(admin).patch(f"/api/v1/assignment-rules/{made.json()['id']}", {"is_active": False})
    assert off.json()["is_active"] is False and off.json()["version"] == 2


def test_list_and_detail_query_counts(
    api: Any, rep: Any, pipeline: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(rep)
    person = make_person()

    def fill(count: int) -> None:
        for index in range(count):
            services.deal_create(actor=rep, data={"title": f"D{index}", "tags": ["x"],
                                                  "people": [{"person": person.pk}]})  # fmt: skip
            services.lead_create(actor=rep, data={"company": f"L{index}", "tags": ["y"]})

    fill(2)
    counts = {}
    paths = ["/api/v1/deals", "/api/v1/leads", f"/api/v1/pipelines/{pipeline.pk}/board",
             "/api/v1/pipelines", "/api/v1/deals/summary"]  # fmt: skip
    for path in paths:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(path).status_code == 200
        counts[path] = len(captured.captured_queries)
    fill(15)
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(path).status_code == 200
    deal = Deal.objects.first()
    lead = Lead.objects.first()
    assert deal is not None and lead is not None
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/deals/{deal.pk}").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/leads/{lead.pk}").status_code == 200


def test_pipeline_playbook_over_the_api(api: Any, admin: Any, rep: Any) -> None:
    body = {"name": "Onboarding", "stages": [
        {"name": "Kick-off", "playbook": [{"subject": "Send welcome pack", "due_in_days": 1}]},
        {"name": "Live", "kind": "won"}, {"name": "Dropped", "kind": "lost"}]}  # fmt: skip
    created = api(admin).post("/api/v1/pipelines", body)
    assert created.status_code == 201, created.content
    stages = created.json()["stages"]
    assert stages[0]["playbook"] == [{"subject": "Send welcome pack", "due_in_days": 1}]
    deal = api(rep).post("/api/v1/deals", {"title": "New client", "pipeline": created.json()["id"]})
    assert deal.status_code == 201, deal.content
    tasks = api(rep).get(f"/api/v1/activities?deal={deal.json()['id']}").json()["items"]
    assert [task["subject"] for task in tasks] == ["Send welcome pack"]


def test_board_is_exactly_what_the_board_schema_says(
    api: Any, rep: Any, pipeline: Any, make_organization: Any, time_machine: Any
) -> None:
    from elo.sales.schemas import BoardOut
    from elo.sales.selectors import board_for

    time_machine.move_to("2026-01-01T10:00:00Z")
    acme = make_organization(name="Acme")
    services.deal_create(actor=rep, data={"title": "Old", "amount": "10.5", "organization": acme.pk,
                                          "expected_close": "2026-03-01"})  # fmt: skip
    time_machine.move_to("2026-03-01T10:00:00Z")  # the first one now rots in Prospecting
    services.deal_create(actor=rep, data={"title": "New", "amount": "7", "probability": 33})
    body = api(rep).get(f"/api/v1/pipelines/{pipeline.pk}/board").json()
    expected = BoardOut.model_validate(
        {"pipeline": pipeline.pk, "columns": board_for(rep, pipeline)}
    ).model_dump(mode="json")
    assert body == expected
    prospecting = body["columns"][0]
    assert [(c["title"], c["rotting"], c["organization"]) for c in prospecting["cards"]] == [
        ("New", False, ""), ("Old", True, "Acme")]  # fmt: skip
