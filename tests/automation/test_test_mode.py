"""Test mode changes nothing and sends nothing, yet records the run; real runs do send."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction

from elo.activities.models import Activity
from elo.automation import services
from elo.automation.models import WorkflowRun
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales.models import Deal
from elo.sales.services import deal_move


class Hook:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 204


@pytest.fixture
def hook(settings: Any) -> Iterator[tuple[Hook, str]]:
    """An HTTP receiver on 127.0.0.1 (allow-listed for the webhook sender)."""
    received = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(received.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    try:
        yield received, f"http://127.0.0.1:{port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _actions(url: str) -> list[dict[str, Any]]:
    return [
        {"type": "add_tag", "tag": "tested"},
        {"type": "create_task", "subject": "Call {{record.title}}"},
        {"type": "send_email", "subject": "About {{record.title}}", "body": "Hi {{owner.name}}"},
        {"type": "call_webhook", "url": url},
        {"type": "set_field", "field": "title", "value": "{{record.title}} (done)"},
    ]


@pytest.mark.django_db(transaction=True)
def test_test_mode_changes_nothing_and_sends_nothing_but_records_the_run(
    admin: Any, rep: Any, make_person: Any, make_workflow: Any, smtp: Any, hook: Any
) -> None:
    received, url = hook
    from elo.sales.services import deal_create, pipeline_ensure_default

    pipeline_ensure_default()
    person = make_person(emails=["maria@example.com"])
    deal = deal_create(actor=rep, data={"title": "Fleet", "people": [{"person": person.pk}]})
    workflow = make_workflow(enabled=False, actions=_actions(url))
    counts = (Activity.objects.count(), OutboxEvent.objects.count(), AuditEntry.objects.count())

    run = services.workflow_test(
        actor=admin, workflow=workflow, record_type="deal", record_id=deal.pk
    )

    assert (run.test_mode, run.status, run.record_id) == (True, "succeeded", deal.pk)
    steps = list(run.steps.values_list("action_type", "outcome"))
    assert steps == [
        ("add_tag", "ok"),
        ("create_task", "ok"),
        ("send_email", "ok"),
        ("call_webhook", "skipped"),
        ("set_field", "ok"),
    ]
    email = run.steps.get(action_type="send_email").detail
    assert email == {"to": "maria@example.com", "subject": "About Fleet", "sent": False}
    assert run.steps.get(action_type="set_field").detail["value"] == "Fleet (done)"
    deal.refresh_from_db()
    assert (deal.title, deal.version, list(deal.tags.all())) == ("Fleet", 1, [])
    assert (
        Activity.objects.count(),
        OutboxEvent.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert smtp.messages == [] and received.bodies == []

    # The same rule, enabled and triggered for real, does send.
    services.workflow_update(actor=admin, workflow=workflow, data={"enabled": True})
    with transaction.atomic():
        deal_move(actor=rep, deal=deal, stage=pipeline_ensure_default().stages.get(name="Proposal"))
    real = WorkflowRun.objects.get(test_mode=False)
    assert real.status == "succeeded", real.steps.values_list("detail", flat=True)
    assert [message["Subject"] for message in smtp.messages] == ["About Fleet"]
    assert smtp.messages[0]["To"] == "maria@example.com"
    assert received.bodies[0]["record"]["title"] == "Fleet"
    assert received.bodies[0]["workflow"] == {"id": workflow.pk, "name": workflow.name}
    assert Deal.objects.get(pk=deal.pk).title == "Fleet (done)"


@pytest.mark.django_db
def test_a_refusing_webhook_fails_the_step_and_is_retried(
    admin: Any, rep: Any, make_deal: Any, make_workflow: Any, deliver: Any, pipeline: Any
) -> None:
    make_workflow(actions=[{"type": "call_webhook", "url": "http://10.0.0.1/hook"}])
    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    run = WorkflowRun.objects.get()
    step = run.steps.get()
    assert (run.status, step.outcome, step.attempts) == ("waiting", "failed", 1)
    assert "DestinationRefused" in step.detail["error"]
