"""Each action through the owning app's service: assign, fields, tags, notes, deals, email, and
templates that see only what they are given."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from elo.activities.models import Activity
from elo.automation.models import WorkflowRun
from elo.contacts.services import person_update
from elo.core.models import AuditEntry
from elo.sales.models import Deal
from elo.sales.services import deal_move, rule_create

pytestmark = pytest.mark.django_db


def _moved(rep: Any, pipeline: Any, deal: Any, deliver: Any) -> WorkflowRun:
    deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    return WorkflowRun.objects.get(record_id=deal.pk)


def test_assign_to_a_user_a_team_or_by_the_assignment_rules(
    rep: Any, teammate: Any, admin: Any, teams: Any, pipeline: Any, make_deal: Any,
    make_workflow: Any, deliver: Any,
) -> None:  # fmt: skip
    rule_create(
        actor=admin,
        data={"name": "Big deals", "entity": "deal", "strategy": "round_robin",
              "conditions": [{"field": "amount", "op": "gte", "value": "1000"}],
              "members": [teammate.pk]},
    )  # fmt: skip
    make_workflow(
        actions=[
            {"type": "assign", "team": teams["south"].pk},
            {"type": "assign", "user": admin.pk},
            {"type": "assign", "rules": True},
        ]
    )
    deal = make_deal(owner=rep.pk)
    run = _moved(rep, pipeline, deal, deliver)
    assert run.status == "succeeded", list(run.steps.values_list("detail", flat=True))
    details = list(run.steps.values_list("detail", flat=True))
    assert details[:2] == [{"team": teams["south"].pk}, {"owner": admin.pk}]
    assert details[2] == {"owner": teammate.pk, "reason": "rule", "rule": details[2]["rule"]}
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.owner_id == teammate.pk and deal.team_id == teams["north"].pk


def test_set_clear_fields_custom_fields_and_remove_tag(
    rep: Any, admin: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    from elo.core.services import custom_field_create

    custom_field_create(
        actor=admin, entity="deal", key="segment", label="Segment", field_type="text"
    )
    make_workflow(
        actions=[
            {"type": "set_field", "field": "custom.segment", "value": "{{record.currency}}-big"},
            {"type": "set_field", "field": "probability", "value": 75},
            {"type": "clear_field", "field": "expected_close"},
            {"type": "remove_tag", "tag": "NEW"},
            {"type": "remove_tag", "tag": "absent"},
        ]
    )
    deal = make_deal(expected_close="2026-12-31", tags=["new", "keep"])
    run = _moved(rep, pipeline, deal, deliver)
    outcomes = list(run.steps.values_list("outcome", flat=True))
    assert outcomes == ["ok", "ok", "ok", "ok", "skipped"]
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.custom == {"segment": "BRL-big"}
    assert (deal.probability, deal.expected_close) == (75, None)
    assert [tag.name for tag in deal.tags.all()] == ["keep"]
    assert (
        AuditEntry.objects.filter(action="sales.deal.updated", actor_kind="automation").count() == 4
    )


def test_note_and_deal_from_a_person_update_with_custom_field_conditions(
    rep: Any, admin: Any, make_person: Any, make_workflow: Any, deliver: Any, pipeline: Any
) -> None:
    from elo.core.services import custom_field_create

    custom_field_create(actor=admin, entity="person", key="tier", label="Tier", field_type="text")
    make_workflow(
        trigger={
            "type": "event",
            "event": "contacts.person.updated",
            "field": "lifecycle_stage",
            "to": "customer",
        },
        conditions={"field": "custom.tier", "op": "eq", "value": "gold"},
        actions=[
            {"type": "create_note", "body": "{{record.name}} became a customer ({{changes.lifecycle_stage.from}})."},
            {"type": "create_deal", "title": "Onboarding {{record.name}}", "owner": "record"},
            {"type": "send_email", "subject": "Welcome {{record.given_name}}", "body": "Hello!"},
        ],
    )  # fmt: skip
    person = make_person(emails=["maria@example.com"], custom={"tier": "gold"})
    person_update(actor=rep, person=person, data={"lifecycle_stage": "customer"})
    deliver()
    run = WorkflowRun.objects.get()
    assert (run.record_type, run.status) == ("person", "succeeded")
    note = Activity.objects.get(kind="note", person=person)
    assert note.body == "Maria Silva became a customer (lead)."
    deal = Deal.objects.get(title="Onboarding Maria Silva")
    assert deal.owner_id == rep.pk
    assert list(deal.contacts.values_list("person_id", flat=True)) == [person.pk]
    assert run.steps.get(action_type="send_email").detail["to"] == "maria@example.com"


def test_email_goes_out_after_commit(
    rep: Any, make_person: Any, make_workflow: Any, deliver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    make_workflow(
        trigger={"type": "event", "event": "contacts.person.created"},
        actions=[{"type": "send_email", "subject": "Hi {{record.given_name}}", "body": "{{owner.name}}"}],
    )  # fmt: skip
    make_person(emails=["ana@example.com"], given_name="Ana")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [
        ("Hi Ana", ["ana@example.com"], "Rita Rep")
    ]
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_templates_see_only_their_context(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    make_workflow(
        actions=[
            {"type": "create_task", "subject": "{{ record.clear }}{{ record.title }}{{ record.items }}{{ settings.SECRET_KEY }}{{ record.owner.email }}"},
            {"type": "create_note", "body": "{% include 'web/base.html' %}"},
        ]
    )  # fmt: skip
    deal = make_deal(title="Safe")
    run = _moved(rep, pipeline, deal, deliver)
    assert (
        Activity.objects.get(kind="task", deal=deal, subject__startswith="Safe").subject
        == "Safe" + rep.email
    )
    step = run.steps.get(action_type="create_note")
    assert step.outcome == "failed" and "TemplateDoesNotExist" in step.detail["error"]


def test_load_tag_is_refused_when_saving(admin: Any) -> None:
    from django.core.exceptions import ValidationError

    from elo.automation.services import workflow_create

    with pytest.raises(ValidationError) as caught:
        workflow_create(
            actor=admin,
            data={
                "name": "x",
                "trigger": {"type": "event", "event": "sales.deal.created"},
                "actions": [{"type": "create_note", "body": "{% load static %}{% static 'x' %}"}],
            },
        )
    assert list(caught.value.message_dict) == ["actions.0.body"]
