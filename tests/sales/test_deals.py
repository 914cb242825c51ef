"""Deals: create, move through stages with history, win and lose, edit, visibility."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales import selectors, services
from elo.sales.choices import DealStatus
from elo.sales.models import Deal, DealStageChange, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return services.pipeline_ensure_default()


def _stage(pipeline: Pipeline, name: str) -> Any:
    return pipeline.stages.get(name=name)


def test_create_defaults_to_first_open_stage_and_records_history(rep: Any, pipeline: Any) -> None:
    deal = services.deal_create(actor=rep, data={"title": " Big   deal ", "amount": "1234.565"})
    assert deal.title == "Big deal"
    assert deal.amount == Decimal("1234.56")  # banker's rounding of the half cent
    assert deal.currency == "BRL"
    assert (deal.stage.name, deal.status, deal.owner_id) == ("Prospecting", "open", rep.pk)
    assert deal.team_id == rep.team_id
    assert [(h.stage.name, h.left_at) for h in deal.stage_history.all()] == [("Prospecting", None)]
    assert AuditEntry.objects.filter(action="sales.deal.created", object_id=str(deal.pk)).exists()
    assert OutboxEvent.objects.filter(name="sales.deal.created", payload__id=deal.pk).exists()


def test_bad_fields_are_reported_together_and_nothing_is_written(rep: Any, pipeline: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.deal_create(
            actor=rep,
            data={"title": "", "amount": "-5", "currency": "EURO", "probability": 120,
                  "expected_close": "31/12/2026", "stage": 999999, "organization": 424242},
        )  # fmt: skip
    assert set(caught.value.message_dict) == {
        "title", "amount", "currency", "probability", "expected_close", "stage", "organization"
    }  # fmt: skip
    assert not Deal.objects.exists()


def test_move_closes_history_and_emits_stage_won_and_lost_events(rep: Any, pipeline: Any) -> None:
    deal = services.deal_create(actor=rep, data={"title": "Deal", "amount": "10"})
    proposal = _stage(pipeline, "Proposal")
    deal = services.deal_move(actor=rep, deal=deal, stage=proposal, expected_version=deal.version)
    assert (deal.stage_id, deal.status, deal.version) == (proposal.pk, "open", 2)
    won = _stage(pipeline, "Closed Won")
    deal = services.deal_move(actor=rep, deal=deal, stage=won, reason="Signed")
    assert (deal.status, deal.close_reason) == (DealStatus.WON, "Signed")
    assert deal.closed_at is not None
    history = list(DealStageChange.objects.filter(deal=deal).order_by("id"))
    assert [h.stage.name for h in history] == ["Prospecting", "Proposal", "Closed Won"]
    assert all(h.left_at is not None for h in history[:2]) and history[2].left_at is None
    names = list(
        OutboxEvent.objects.filter(payload__id=deal.pk, name__startswith="sales.deal.")
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["sales.deal.created", "sales.deal.assigned", "sales.deal.stage_changed",
                     "sales.deal.stage_changed", "sales.deal.won"]  # fmt: skip
    entry = AuditEntry.objects.filter(action="sales.deal.stage_changed").first()
    assert entry is not None and entry.changes["status"] == ["open", "won"]
    reopened = services.deal_move(actor=rep, deal=deal, stage=proposal)
    assert (reopened.status, reopened.closed_at, reopened.close_reason) == ("open", None, "")
    lost = services.deal_move(
        actor=rep, deal=reopened, stage=_stage(pipeline, "Closed Lost"), reason="Price"
    )
    assert lost.status == DealStatus.LOST
    assert OutboxEvent.objects.filter(name="sales.deal.lost", payload__id=deal.pk).exists()


def test_move_refuses_stale_versions_and_foreign_stages(
    rep: Any, admin: Any, pipeline: Any
) -> None:
    deal = services.deal_create(actor=rep, data={"title": "Deal"})
    other = services.pipeline_create(
        actor=admin,
        data={"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Renewed", "kind": "won"},
                                             {"name": "Churned", "kind": "lost"}]},
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.deal_move(actor=rep, deal=deal, stage=other.stages.first())
    with pytest.raises(PreconditionFailed):
        services.deal_move(
            actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"), expected_version=7
        )
    assert Deal.objects.get(pk=deal.pk).stage.name == "Prospecting"


def test_update_changes_fields_people_and_stage_with_one_audit_entry(
    rep: Any, pipeline: Any, make_person: Any, make_organization: Any
) -> None:
    person, acme = make_person(given_name="Ana"), make_organization(name="Acme")
    deal = services.deal_create(actor=rep, data={"title": "Deal"})
    deal = services.deal_update(
        actor=rep,
        deal=deal,
        data={"amount": "99.90", "organization": acme.pk, "stage": "negotiation",
              "people": [{"person": person.pk, "role": "Decision maker"}], "tags": ["hot"]},
        expected_version=1,
    )  # fmt: skip
    assert (deal.amount, deal.organization_id, deal.stage.name) == (
        Decimal("99.90"),
        acme.pk,
        "Negotiation",
    )
    assert [(p.person_id, p.role) for p in deal.contacts.all()] == [(person.pk, "Decision maker")]
    entry = AuditEntry.objects.get(action="sales.deal.updated")
    assert {"amount", "organization", "stage", "people", "tags"} <= set(entry.changes)
    assert deal.stage_history.count() == 2
    unchanged = services.deal_update(actor=rep, deal=deal, data={"amount": "99.9"})
    assert unchanged.version == deal.version


def test_visibility_and_permissions(
    rep: Any, teammate: Any, manager: Any, other_rep: Any, reader: Any, pipeline: Any
) -> None:
    deal = services.deal_create(actor=rep, data={"title": "Mine"})
    assert selectors.deal_get_for(manager, deal.pk) == deal
    for stranger in (teammate, other_rep):
        with pytest.raises(Exception) as caught:
            selectors.deal_get_for(stranger, deal.pk)
        assert caught.typename == "Http404"
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=reader, data={"title": "No"})
    with pytest.raises(PermissionDenied):
        services.deal_delete(actor=rep, deal=deal)
    services.deal_delete(actor=manager, deal=deal)
    assert not selectors.deals_for(rep).exists()
    services.deal_restore(actor=manager, deal=deal)
    assert selectors.deals_for(rep).get() == deal


def test_board_totals_weighted_sum_and_summary(rep: Any, manager: Any, pipeline: Any) -> None:
    proposal = _stage(pipeline, "Proposal")
    for amount, probability in (("100.00", None), ("300.00", 10)):
        services.deal_create(actor=rep, data={"title": "P", "amount": amount, "stage": proposal.pk,
                                              "probability": probability})  # fmt: skip
    services.deal_create(
        actor=manager, data={"title": "Q", "amount": "50", "stage": "Qualification"}
    )
    columns = {c.stage.name: c for c in selectors.board_for(rep, pipeline)}
    assert (columns["Proposal"].count, columns["Proposal"].total) == (2, Decimal("400.00"))
    # 100 at the stage's 50 % and 300 at its own 10 %.
    assert columns["Proposal"].weighted == Decimal("80.00")
    assert columns["Qualification"].count == 0  # the manager's deal is not the rep's to see
    assert [card.title for card in columns["Proposal"].cards] == ["P", "P"]
    summary = {row["name"]: row for row in selectors.pipeline_summary(manager)}
    assert (summary["Proposal"]["count"], summary["Proposal"]["amount"]) == (2, Decimal("400.00"))
    assert summary["Qualification"]["amount"] == Decimal("50.00")


def test_rotting_deals_are_flagged(rep: Any, pipeline: Any, time_machine: Any) -> None:
    time_machine.move_to("2026-01-01T10:00:00Z")
    deal = services.deal_create(actor=rep, data={"title": "Slow"})  # Prospecting rots in 30 days
    time_machine.move_to("2026-01-20T10:00:00Z")
    assert not Deal.objects.select_related("stage").get(pk=deal.pk).is_rotting()
    time_machine.move_to("2026-02-01T10:00:00Z")
    assert Deal.objects.select_related("stage").get(pk=deal.pk).is_rotting()


def test_pipeline_needs_open_won_and_lost_stages_and_keeps_busy_stages(
    admin: Any, rep: Any, pipeline: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.pipeline_create(actor=admin, data={"name": "Bad", "stages": [{"name": "Only"}]})
    assert "stages" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.pipeline_create(actor=rep, data={"name": "X", "stages": []})
    services.deal_create(actor=rep, data={"title": "Busy", "stage": "Proposal"})
    keep = [
        {"id": s.pk, "name": s.name, "kind": s.kind}
        for s in pipeline.stages.exclude(name="Proposal")
    ]
    with pytest.raises(ValidationError) as caught:
        services.pipeline_update(actor=admin, pipeline=pipeline, data={"stages": keep})
    assert "Proposal" in caught.value.message_dict["stages"][0]
    renamed = services.pipeline_update(
        actor=admin,
        pipeline=pipeline,
        data={"stages": [{"id": s.pk, "name": s.name.upper(), "kind": s.kind,
                          "probability": s.probability} for s in pipeline.stages.all()]},
    )  # fmt: skip
    assert renamed.version == 2
    assert Deal.objects.get().stage.name == "PROPOSAL"


def test_entering_a_stage_runs_its_playbook(
    admin: Any, rep: Any, pipeline: Any, time_machine: Any
) -> None:
    from elo.activities.models import Activity

    time_machine.move_to("2026-05-04T12:00:00Z")
    stages = [
        {"id": s.pk, "name": s.name, "kind": s.kind, "probability": s.probability}
        for s in pipeline.stages.all()
    ]
    stages[0]["playbook"] = [{"subject": "Research the company", "due_in_days": 0}]
    stages[2]["playbook"] = [
        {"subject": "Send proposal", "due_in_days": 2},
        {"subject": "Book a review call", "due_in_days": 5},
    ]
    services.pipeline_update(actor=admin, pipeline=pipeline, data={"stages": stages})
    with pytest.raises(ValidationError):
        bad = [dict(stages[0], playbook=[{"subject": "", "due_in_days": 1}]), *stages[1:]]
        services.pipeline_update(actor=admin, pipeline=pipeline, data={"stages": bad})
    deal = services.deal_create(actor=rep, data={"title": "New"})
    deal = services.deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
    tasks = Activity.objects.filter(deal=deal, kind="task").order_by("due_at")
    assert [(t.subject, t.assignee_id, t.due_at.date().isoformat()) for t in tasks] == [
        ("Research the company", rep.pk, "2026-05-04"),
        ("Send proposal", rep.pk, "2026-05-06"),
        ("Book a review call", rep.pk, "2026-05-09"),
    ]
    # Keeping the playbook out of an update leaves it as it is.
    services.pipeline_update(actor=admin, pipeline=pipeline, data={"name": "Sales"})
    assert _stage(pipeline, "Proposal").playbook.count() == 2


def test_stages_can_swap_names_in_one_edit(admin: Any, pipeline: Any) -> None:
    stages = [
        {"id": s.pk, "name": s.name, "kind": s.kind, "probability": s.probability}
        for s in pipeline.stages.all()
    ]
    stages[0]["name"], stages[1]["name"] = stages[1]["name"], stages[0]["name"]
    stages[2], stages[3] = stages[3], stages[2]
    updated = services.pipeline_update(actor=admin, pipeline=pipeline, data={"stages": stages})
    assert [s.name for s in updated.stages.order_by("position")] == [
        "Qualification", "Prospecting", "Negotiation", "Proposal", "Closed Won", "Closed Lost"]  # fmt: skip
