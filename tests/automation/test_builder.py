"""The workflow form's rows: an admin builds conditions and actions without writing JSON."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.automation.forms import action_rows, condition_rows
from elo.automation.models import Workflow

pytestmark = pytest.mark.django_db

NEW = "/settings/workflows/new/"
HEAD = {
    "name": "Big proposals",
    "enabled": "on",
    "trigger_type": "event",
    "event": "sales.deal.stage_changed",
    "field": "stage",
    "to_value": "Proposal",
    "rate_limit_per_hour": "100",
    "match": "all",
}
CONDITION_KEYS = ("kind", "depth", "mode", "field", "op", "value")
ACTION_KEYS = (
    "type", "depth", "slot", "assign_to", "if_field", "if_op", "if_value", "field", "value",
    "tag", "to", "title", "subject", "body", "due_in_days", "assignee", "amount", "pipeline",
    "stage", "owner", "url", "headers", "days", "hours", "minutes",
)  # fmt: skip


def rows(prefix: str, keys: tuple[str, ...], items: list[dict[str, Any]]) -> dict[str, str]:
    """The posted fields of builder rows, as the browser sends them."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key in keys:
            data[f"{prefix}-{index}-{key}"] = str(item.get(key, ""))
    return data


def condition(field: str, op: str, value: str = "", depth: int = 0) -> dict[str, Any]:
    return {"kind": "condition", "depth": depth, "field": field, "op": op, "value": value}


def action(kind: str, depth: int = 0, slot: str = "", **params: Any) -> dict[str, Any]:
    return {"type": kind, "depth": depth, "slot": slot, **params}


def form(conditions: list[dict[str, Any]], actions: list[dict[str, Any]], **head: Any) -> dict:
    return {
        **HEAD,
        **head,
        **rows("conditions", CONDITION_KEYS, conditions),
        **rows("actions", ACTION_KEYS, actions),
    }


def posted_rows(content: str, prefix: str) -> int:
    return int(re.search(rf'name="{prefix}-TOTAL_FORMS" value="(\d+)"', content).group(1))  # type: ignore[union-attr]


def test_the_form_offers_rows_not_json(web: Any, admin: Any) -> None:
    page = web(admin).get(NEW).content.decode()
    assert "Add a condition" in page and "Add an action" in page
    assert 'name="actions-0-type"' in page and "Create a task" in page
    assert 'name="conditions"' not in page and 'name="actions"' not in page  # no JSON boxes
    assert "automation/workflow_builder.js" in page
    # The deal's fields are offered once the trigger names a deal event.
    refreshed = web(admin).post(NEW, {**form([], []), "builder": "conditions.add"})
    content = refreshed.content.decode()
    assert '<option value="amount">Amount</option>' in content
    assert '<option value="stage.name">' in content and '<option value="tags">' in content
    assert "more than N days ago" in content and "is not empty" in content


def test_building_conditions_and_actions_saves_the_expected_json(
    web: Any, admin: Any, rep: Any, pipeline: Any
) -> None:
    proposal = pipeline.stages.get(name="Proposal")
    data = form(
        [
            condition("amount", "gte", "1000"),
            {"kind": "group", "depth": 0, "mode": "any", "op": "eq"},
            condition("organization.country", "in", "BR, PT", depth=1),
            condition("custom.segment", "is_empty", "ignored", depth=1),
            condition("", "eq", ""),  # an empty row is left out
        ],
        [
            action("add_tag", tag="proposal"),
            action("assign", assign_to=f"user:{rep.pk}"),
            action(
                "create_task", subject="Call {{ record.title }}", due_in_days="2", assignee=""
            ),
            action("wait", days="1", hours="", minutes="30"),
            action("branch", if_field="amount", if_op="gt", if_value="5000"),
            action("send_email", depth=1, slot="then", subject="Hi", body="Big one"),
            action("set_field", depth=1, slot="else", field="probability", value="20"),
            action("create_deal", title="Renewal", amount="99.90", pipeline=str(pipeline.pk),
                   stage=str(proposal.pk), owner="record"),
            action("call_webhook", url="https://example.com/hook", headers="X-Token: abc"),
            action("stop"),
            action(""),  # no type chosen: left out
        ],
    )  # fmt: skip
    response = web(admin).post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    workflow = Workflow.objects.get()
    assert workflow.conditions == {
        "all": [
            {"field": "amount", "op": "gte", "value": 1000},
            {
                "any": [
                    {"field": "organization.country", "op": "in", "value": ["BR", "PT"]},
                    {"field": "custom.segment", "op": "is_empty"},
                ]
            },
        ]
    }
    assert workflow.actions == [
        {"type": "add_tag", "tag": "proposal"},
        {"type": "assign", "user": rep.pk},
        {"type": "create_task", "subject": "Call {{ record.title }}", "due_in_days": 2},
        {"type": "wait", "days": 1, "minutes": 30},
        {
            "type": "branch",
            "if": {"field": "amount", "op": "gt", "value": 5000},
            "then": [{"type": "send_email", "subject": "Hi", "body": "Big one"}],
            "else": [{"type": "set_field", "field": "probability", "value": 20}],
        },
        {
            "type": "create_deal",
            "title": "Renewal",
            "amount": "99.90",
            "pipeline": pipeline.pk,
            "stage": proposal.pk,
            "owner": "record",
        },
        {"type": "call_webhook", "url": "https://example.com/hook", "headers": {"X-Token": "abc"}},
        {"type": "stop"},
    ]


def test_add_buttons_show_one_more_row_and_save_nothing(web: Any, admin: Any) -> None:
    client = web(admin)
    data = form([condition("amount", "gte", "1000")], [action("add_tag", tag="vip")])
    more = client.post(NEW, {**data, "builder": "conditions.add"})
    content = more.content.decode()
    assert more.status_code == 200 and not Workflow.objects.exists()
    assert posted_rows(content, "conditions") == 2 and posted_rows(content, "actions") == 1
    assert 'value="1000"' in content and 'value="vip"' in content  # what was typed stays
    assert 'value="Big proposals"' in content
    assert "invalid-feedback" not in content  # nothing was checked yet

    more = client.post(NEW, {**data, "builder": "actions.add"})
    assert posted_rows(more.content.decode(), "actions") == 2

    group = client.post(NEW, {**data, "builder": "conditions.add_group"}).content.decode()
    assert posted_rows(group, "conditions") == 3  # the group and its first row
    assert 'name="conditions-1-kind" value="group"' in group
    assert 'name="conditions-2-depth" value="1"' in group

    branch = form([], [action("branch", if_field="amount", if_op="gt", if_value="1")])
    added = client.post(NEW, {**branch, "builder": "actions.add_else.0"}).content.decode()
    assert 'name="actions-1-slot" value="else"' in added
    assert "Add an action to “then”" in added
    assert not Workflow.objects.exists()


def test_rows_move_up_and_down_and_are_removed(web: Any, admin: Any) -> None:
    client = web(admin)
    data = form(
        [],
        [action("add_tag", tag="first"), action("add_tag", tag="second"), action("stop")],
    )
    moved = client.post(NEW, {**data, "builder": "actions.up.1"}).content.decode()
    assert moved.index('value="second"') < moved.index('value="first"')
    down = client.post(NEW, {**data, "builder": "actions.down.0"}).content.decode()
    assert down.index('value="second"') < down.index('value="first"')
    removed = client.post(NEW, {**data, "builder": "actions.remove.0"}).content.decode()
    assert 'value="first"' not in removed and posted_rows(removed, "actions") == 2

    grouped = form(
        [
            condition("amount", "gte", "1"),
            {"kind": "group", "depth": 0, "mode": "any", "op": "eq"},
            condition("title", "contains", "a", depth=1),
            condition("title", "contains", "b", depth=1),
        ],
        [action("stop")],
    )
    # Removing a group removes its rows; moving a group moves them along.
    gone = client.post(NEW, {**grouped, "builder": "conditions.remove.1"}).content.decode()
    assert posted_rows(gone, "conditions") == 1
    up = client.post(NEW, {**grouped, "builder": "conditions.up.1"}).content.decode()
    assert 'name="conditions-0-kind" value="group"' in up
    assert 'name="conditions-3-value" value="1"' in up
    inner = client.post(NEW, {**grouped, "builder": "conditions.down.2"}).content.decode()
    assert inner.index('value="b"') < inner.index('value="a"')
    assert not Workflow.objects.exists()


def test_service_errors_are_shown_at_their_row_and_nothing_is_saved(web: Any, admin: Any) -> None:
    data = form(
        [condition("amount", "gte", "1"), condition("", "gt", "5")],
        [
            action("add_tag", tag="ok"),
            action("create_task", subject=""),
            action("branch", if_field="amount", if_op="gt", if_value=""),
            action("add_tag", depth=1, slot="then", tag=""),
            action("assign", assign_to=""),
            action("wait", days="x"),
        ],
    )
    response = web(admin).post(NEW, data)
    content = response.content.decode()
    assert response.status_code == 200 and not Workflow.objects.exists()
    assert 'data-field-error="actions-5-days"' in content  # the form's own check
    assert not re.search(r'data-field-error="conditions-', content)  # checked after it

    del data["actions-5-type"]
    data["actions-5-type"] = "stop"
    response = web(admin).post(NEW, data)
    content = response.content.decode()
    assert response.status_code == 200 and not Workflow.objects.exists()
    assert 'data-field-error="conditions-1-field"' in content  # conditions.all.1.field
    assert 'data-field-error="actions-1-subject"' in content  # actions.1.subject
    assert 'data-field-error="actions-3-tag"' in content  # actions.2.then.0.tag
    assert 'data-field-error="actions-4-assign_to"' in content  # actions.3
    assert 'data-field-error="conditions-0-field"' not in content
    assert 'data-field-error="actions-5-days"' not in content  # not a setting of "stop"
    assert 'data-field-error="actions-0-tag"' not in content
    # What was typed is still there.
    assert 'value="ok"' in content and posted_rows(content, "actions") == 6


def test_actions_of_a_branch_that_became_another_action_are_refused(web: Any, admin: Any) -> None:
    data = form(
        [],
        [
            action("add_tag", tag="was a branch"),
            action("add_tag", depth=1, slot="then", tag="inside"),
        ],
    )
    response = web(admin).post(NEW, data)
    assert response.status_code == 200 and not Workflow.objects.exists()
    assert 'data-field-error="actions-1-type"' in response.content.decode()


def test_no_actions_is_refused_above_the_rows(web: Any, admin: Any) -> None:
    response = web(admin).post(NEW, form([], [action("")]))
    assert response.status_code == 200 and not Workflow.objects.exists()
    assert 'data-field-error="actions"' in response.content.decode()


RULES = [
    (
        {"all": [{"field": "amount", "op": "gte", "value": 1000}]},
        [{"type": "add_tag", "tag": "proposal"}],
    ),
    (
        {
            "any": [
                {"field": "tags", "op": "contains", "value": "vip"},
                {"all": [{"field": "amount", "op": "lt", "value": 10.5},
                         {"field": "expected_close", "op": "days_ahead_less_than", "value": 7}]},
                {"field": "title", "op": "not_in", "value": ["A", "B"]},
            ]
        },
        [
            {"type": "assign", "rules": True},
            {"type": "create_note", "body": "Hello {{ owner.name }}", "subject": "Hi"},
            {"type": "branch", "if": {"field": "custom.tier", "op": "is_not_empty"},
             "then": [{"type": "clear_field", "field": "close_reason"}],
             "else": [{"type": "remove_tag", "tag": "x"}, {"type": "stop"}]},
            {"type": "wait", "hours": 2},
            {"type": "send_email", "subject": "S", "body": "B", "to": "a@example.com"},
        ],
    ),
    ({}, [{"type": "set_field", "field": "title", "value": "{{ record.title }} (done)"}]),
]  # fmt: skip


@pytest.mark.parametrize(("conditions", "actions"), RULES, ids=["simple", "groups", "none"])
def test_editing_round_trips_the_json(
    web: Any, admin: Any, make_workflow: Any, conditions: Any, actions: Any
) -> None:
    assert condition_rows(conditions) is not None and action_rows(actions) is not None
    workflow = make_workflow(
        trigger={"type": "event", "event": "sales.deal.updated"},
        conditions=conditions,
        actions=actions,
    )
    client = web(admin)
    page = client.get(f"/settings/workflows/{workflow.pk}/edit/").content.decode()
    assert 'id="conditions-kept"' not in page and 'id="actions-kept"' not in page
    data = _form_data(page)
    response = client.post(f"/settings/workflows/{workflow.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    workflow.refresh_from_db()
    assert workflow.conditions == conditions
    assert workflow.actions == actions
    assert workflow.version == 1  # nothing changed, so no new version
    detail = client.get(f"/settings/workflows/{workflow.pk}/").content.decode()
    assert "Written as JSON" not in detail


def test_the_detail_page_says_the_rule_in_words(web: Any, admin: Any, make_workflow: Any) -> None:
    conditions, actions = RULES[1]
    workflow = make_workflow(conditions=conditions, actions=actions)
    page = web(admin).get(f"/settings/workflows/{workflow.pk}/").content.decode()
    words = re.sub(r"\s+", " ", page[page.index('id="workflow-conditions"') :])
    assert "Any of these holds" in words and "All of these" in words
    assert "<code>expected_close</code> in less than N days <strong>7</strong>" in words
    assert "<code>title</code> is none of (comma-separated) <strong>A, B</strong>" in words
    assert "If … then … else" in words and "If <code>custom.tier</code> is not empty" in words
    assert "Clear a field" in words and "Assign" in words


def test_json_the_rows_cannot_show_is_kept_as_it_is(
    web: Any, admin: Any, make_workflow: Any
) -> None:
    conditions = {"not": {"field": "amount", "op": "gte", "value": 1}}
    actions = [
        {
            "type": "branch",
            "if": {"field": "amount", "op": "gte", "value": 1},
            "then": [{"type": "branch", "if": {"field": "title", "op": "is_empty"}}],
        }
    ]
    workflow = make_workflow(conditions=conditions, actions=actions)
    client = web(admin)
    page = client.get(f"/settings/workflows/{workflow.pk}/edit/").content.decode()
    assert 'id="conditions-kept"' in page and 'id="actions-kept"' in page
    data = {**_form_data(page), "name": "Renamed"}
    saved = client.post(f"/settings/workflows/{workflow.pk}/edit/", data)
    assert saved.status_code == 302
    workflow.refresh_from_db()
    assert (workflow.name, workflow.conditions, workflow.actions) == (
        "Renamed",
        conditions,
        actions,
    )
    detail = client.get(f"/settings/workflows/{workflow.pk}/").content.decode()
    assert detail.count("Written as JSON (see below).") == 2
    # The admin may start them over with rows.
    fresh = client.post(
        f"/settings/workflows/{workflow.pk}/edit/", {**data, "builder": "conditions.rebuild"}
    ).content.decode()
    assert 'id="conditions-kept"' not in fresh and 'id="actions-kept"' in fresh


def test_a_stale_version_is_refused_and_keeps_the_rows(
    web: Any, admin: Any, make_workflow: Any
) -> None:
    workflow = make_workflow()
    client = web(admin)
    data = _form_data(client.get(f"/settings/workflows/{workflow.pk}/edit/").content.decode())
    assert client.post(f"/settings/workflows/{workflow.pk}/edit/", {**data, "name": "A"}).status_code == 302  # fmt: skip
    stale = client.post(f"/settings/workflows/{workflow.pk}/edit/", {**data, "name": "B"})
    assert stale.status_code == 200 and "Someone else saved this record" in stale.content.decode()
    assert 'value="touched"' in stale.content.decode()
    workflow.refresh_from_db()
    assert (workflow.name, workflow.version) == ("A", 2)


def test_the_form_takes_a_fixed_number_of_queries(
    web: Any, admin: Any, make_workflow: Any, pipeline: Any
) -> None:
    client = web(admin)
    small = make_workflow(actions=[{"type": "add_tag", "tag": "a"}])
    large = make_workflow(
        conditions={"all": [{"field": "amount", "op": "gt", "value": n} for n in range(8)]},
        actions=[{"type": "create_task", "subject": f"Task {n}"} for n in range(8)],
    )

    def count(pk: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/settings/workflows/{pk}/edit/").status_code == 200
        return len(queries)

    count(small.pk)
    assert count(large.pk) == count(small.pk)


def _form_data(page: str) -> dict[str, str]:
    """What a browser would post from the page's form, unchanged."""
    form_html = page[page.index('<form method="post" novalidate id="workflow-form">') :]
    form_html = form_html[: form_html.index("</form>")]
    data: dict[str, str] = {}
    for tag in re.finditer(r"<input([^>]*)>", form_html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in tag.group(1):
                data[attrs["name"]] = attrs.get("value", "on")
            continue
        data[attrs["name"]] = _unescape(attrs.get("value", ""))
    for tag in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form_html, re.S):
        data[tag.group(1)] = _unescape(tag.group(2).removeprefix("\n"))
    for tag in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form_html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', tag.group(2))
        first = re.search(r'<option value="([^"]*)"', tag.group(2))
        data[tag.group(1)] = _unescape((chosen or first).group(1)) if (chosen or first) else ""  # type: ignore[union-attr]
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
