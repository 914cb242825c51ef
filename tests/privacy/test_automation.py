"""The workflow action send_email refuses marketing email without consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from elo.automation import services as automation
from elo.automation.models import WorkflowRun
from elo.core import events
from elo.privacy import services


def _deliver() -> None:
    for _round in range(20):
        if not events.deliver_pending():
            return
    raise AssertionError("events keep coming")


def _workflow(admin: Any, *, marketing: Any) -> Any:
    action: dict[str, Any] = {"type": "send_email", "subject": "Offer", "body": "Buy now"}
    if marketing is not None:
        action["marketing"] = marketing
    return automation.workflow_create(
        actor=admin,
        data={
            "name": "Offer",
            "trigger": {"type": "event", "event": "contacts.person.updated"},
            "actions": [action],
        },
    )


def _step(person: Any) -> Any:
    run = WorkflowRun.objects.get(record_id=str(person.pk))
    return run.steps.get(action_type="send_email")


@pytest.mark.parametrize("consent", ["none", "withdrawn"])
def test_marketing_email_without_consent_is_skipped(
    admin: Any, rep: Any, make_person: Any, consent: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from elo.contacts.services import person_update

    _workflow(admin, marketing=True)
    person = make_person(emails=["maria@example.com"])
    if consent == "withdrawn":
        services.consent_record(
            actor=rep, person=person, purpose="marketing", channel="email", action="withdrawn"
        )
    person_update(actor=rep, person=person, data={"city": "Porto"})
    with django_capture_on_commit_callbacks(execute=True):
        _deliver()
    step = _step(person)
    assert (step.outcome, step.detail) == ("skipped", {"reason": "no marketing consent"})
    assert mail.outbox == []


def test_marketing_email_with_consent_goes_out(
    admin: Any, rep: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from elo.contacts.services import person_update

    _workflow(admin, marketing=True)
    person = make_person(emails=["maria@example.com"])
    services.consent_record(
        actor=rep, person=person, purpose="marketing", channel="email", action="granted", text="Y"
    )
    person_update(actor=rep, person=person, data={"city": "Porto"})
    with django_capture_on_commit_callbacks(execute=True):
        _deliver()
    assert _step(person).outcome == "ok"
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]


def test_non_marketing_email_needs_no_consent(
    admin: Any, rep: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from elo.contacts.services import person_update

    _workflow(admin, marketing=None)
    person = make_person(emails=["maria@example.com"])
    person_update(actor=rep, person=person, data={"city": "Porto"})
    with django_capture_on_commit_callbacks(execute=True):
        _deliver()
    assert _step(person).outcome == "ok"
    assert len(mail.outbox) == 1


def test_marketing_flag_must_be_a_boolean(admin: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _workflow(admin, marketing="yes")
    assert "actions.0.marketing" in str(caught.value)
