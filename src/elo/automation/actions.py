"""The actions a workflow can take. Each validates its parameters when the workflow is saved and
runs through the owning app's service, so audit entries and events happen as for a person.

An action is a JSON object: {"type": "add_tag", "tag": "vip"}. "branch", "wait" and "stop" steer
the run and are carried out by the engine; the rest are in `REGISTRY`.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context as TemplateContext
from django.template import Engine, TemplateSyntaxError
from django.utils import timezone

from elo.automation import records
from elo.core import conditions

logger = logging.getLogger(__name__)

MAX_ACTIONS = 50
MAX_NESTING = 5
MAX_WAIT = datetime.timedelta(days=365)
FIELD_NAME = re.compile(r"^(custom\.)?[a-z][a-z0-9_]{0,49}$")
# Fields an action may not set: they belong to dedicated actions or to the record's bookkeeping.
PROTECTED_FIELDS = {"id", "tags", "version", "created_at", "updated_at", "deleted_at", "people"}
CONTROL = ("branch", "wait", "stop")

# Templates see only the context they are given: no loaders (no include/extends of files), no
# tag libraries beyond the built-ins, plain dicts rather than model instances (no method calls).
_ENGINE = Engine(loaders=[], libraries={}, autoescape=False, string_if_invalid="")


class ActionSkipped(Exception):
    """The action had nothing to do (no recipient, tag already there); the run goes on."""


@dataclass
class Context:
    """What a running action sees."""

    workflow: Any
    run: Any
    actor: Any
    record_type: str
    record: Any
    data: dict[str, Any]
    test_mode: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def refresh(self) -> dict[str, Any]:
        if self.record_type and self.record is not None:
            self.record = records.load(self.record_type, self.record.pk)
            changes = self.data.get("changes") or {}
            if self.record is not None:
                self.data = records.data_for(self.record_type, self.record, changes)
        return self.data


Errors = dict[str, list[str]]
Validator = Callable[[Mapping[str, Any], str, Errors], None]
Runner = Callable[[Context, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ActionType:
    name: str
    validate: Validator
    run: Runner
    needs_record: bool = True


REGISTRY: dict[str, ActionType] = {}


def register(action: ActionType) -> None:
    REGISTRY[action.name] = action


# --- templates ----------------------------------------------------------------------------


def _check_template(source: Any, path: str, errors: Errors, *, required: bool = False) -> None:
    if source in (None, ""):
        if required:
            errors.setdefault(path, []).append("required")
        return
    if not isinstance(source, str) or len(source) > 20000:
        errors.setdefault(path, []).append("expected text of at most 20000 characters")
        return
    try:
        _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        errors.setdefault(path, []).append(f"template error: {error}")


class Fields:
    """Read-only keys for templates: `{{record.title}}` looks up a key, while a method name
    (`{{record.clear}}`) finds nothing, since Django templates call what they find."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return _safe(self._values[key])

    def __bool__(self) -> bool:
        return bool(self._values)

    def __str__(self) -> str:
        return str(self._values.get("name") or self._values.get("id") or "")


def _safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Fields(value)
    if isinstance(value, list | tuple):
        return tuple(_safe(item) for item in value)
    return value


def merge_context(ctx: Context) -> dict[str, Any]:
    """{{record.title}}, {{owner.name}}, {{organization.name}}, {{workflow.name}}, {{today}}."""
    data = json.loads(json.dumps(ctx.data, default=str))
    return {
        "record": _safe(data),
        "owner": _safe(data.get("owner") or {}),
        "team": _safe(data.get("team") or {}),
        "organization": _safe(data.get("organization") or {}),
        "changes": _safe(data.get("changes") or {}),
        "workflow": _safe({"id": ctx.workflow.pk, "name": ctx.workflow.name}),
        "today": timezone.localdate().isoformat(),
    }


def render(source: Any, ctx: Context) -> str:
    if not source:
        return ""
    template = _ENGINE.from_string(str(source))
    return template.render(TemplateContext(merge_context(ctx), autoescape=False)).strip()


# --- validation helpers -------------------------------------------------------------------


def _allowed(action: Mapping[str, Any], path: str, keys: set[str], errors: Errors) -> None:
    extra = set(action) - keys - {"type"}
    if extra:
        errors.setdefault(path, []).append(f"unexpected keys {sorted(extra)}")


def _user_id(value: Any, path: str, errors: Errors) -> None:
    from elo.identity.models import User

    if not isinstance(value, int) or not User.objects.filter(pk=value, is_active=True).exists():
        errors.setdefault(path, []).append("pick an active user")


def _field_name(value: Any, path: str, errors: Errors) -> None:
    if not isinstance(value, str) or not FIELD_NAME.match(value) or value in PROTECTED_FIELDS:
        errors.setdefault(path, []).append("name a field of the record, or custom.<key>")


def _int_in(value: Any, low: int, high: int, path: str, errors: Errors) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.setdefault(path, []).append(f"a whole number from {low} to {high}")


def _update(ctx: Context, data: Mapping[str, Any]) -> Any:
    entity = records.ENTITIES.get(ctx.record_type)
    if entity is None or entity.update is None or ctx.record is None:
        raise ActionSkipped(f"a {ctx.record_type or 'run without a record'} cannot be changed")
    return entity.update(ctx.actor, ctx.record, data)


def _field_data(ctx: Context, name: str, value: Any) -> dict[str, Any]:
    if name.startswith("custom."):
        return {"custom": {name.removeprefix("custom."): value}}
    return {name: value}


# --- assign ---------------------------------------------------------------------------------


def _validate_assign(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"user", "team", "rules"}, errors)
    chosen = [key for key in ("user", "team", "rules") if action.get(key) not in (None, False)]
    if len(chosen) != 1:
        errors.setdefault(path, []).append("give exactly one of user, team or rules")
        return
    if chosen[0] == "user":
        _user_id(action["user"], f"{path}.user", errors)
    elif chosen[0] == "team":
        from elo.identity.models import Team

        if (
            not isinstance(action["team"], int)
            or not Team.objects.filter(pk=action["team"]).exists()
        ):
            errors.setdefault(f"{path}.team", []).append("pick an existing team")
    elif action["rules"] is not True:
        errors.setdefault(f"{path}.rules", []).append("true to use the assignment rules")


def _run_assign(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    if action.get("user"):
        _update(ctx, {"owner": action["user"]})
        return {"owner": action["user"]}
    if action.get("team"):
        _update(ctx, {"team": action["team"]})
        return {"team": action["team"]}
    if ctx.record_type not in ("lead", "deal"):
        raise ActionSkipped("assignment rules choose owners of leads and deals only")
    from elo.sales.services import decide

    attributes = {
        key: value.get("id") if isinstance(value, dict) and key != "custom" else value
        for key, value in ctx.data.items()
    }
    decision = decide(entity=ctx.record_type, attributes=attributes, creator=ctx.actor)
    _update(ctx, {"owner": decision.user.pk})
    return {
        "owner": decision.user.pk,
        "reason": decision.reason,
        "rule": decision.rule.pk if decision.rule else None,
    }


# --- fields and tags ------------------------------------------------------------------------


def _validate_set_field(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"field", "value"}, errors)
    _field_name(action.get("field"), f"{path}.field", errors)
    if "value" not in action:
        errors.setdefault(f"{path}.value", []).append("required")
    elif isinstance(action["value"], str):
        _check_template(action["value"], f"{path}.value", errors)


def _run_set_field(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    value = action["value"]
    if isinstance(value, str):
        value = render(value, ctx)
    _update(ctx, _field_data(ctx, action["field"], value))
    return {"field": action["field"], "value": value}


def _validate_clear_field(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"field"}, errors)
    _field_name(action.get("field"), f"{path}.field", errors)


def _run_clear_field(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    name = action["field"]
    current = ctx.data.get(name) if "." not in name else ctx.data["custom"].get(name[7:])
    value: Any = None if current is None or not isinstance(current, str) else ""
    _update(ctx, _field_data(ctx, name, value))
    return {"field": name}


def _validate_tag(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"tag"}, errors)
    tag = action.get("tag")
    if not isinstance(tag, str) or not tag.strip() or len(tag) > 60:
        errors.setdefault(f"{path}.tag", []).append("a tag name of at most 60 characters")


def _run_add_tag(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    names = list(ctx.data.get("tags") or [])
    wanted = " ".join(str(action["tag"]).split())
    if wanted.casefold() in {name.casefold() for name in names}:
        raise ActionSkipped(f"already tagged {wanted}")
    _update(ctx, {"tags": [*names, wanted]})
    return {"tag": wanted}


def _run_remove_tag(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    names = list(ctx.data.get("tags") or [])
    unwanted = " ".join(str(action["tag"]).split()).casefold()
    kept = [name for name in names if name.casefold() != unwanted]
    if kept == names:
        raise ActionSkipped(f"not tagged {action['tag']}")
    _update(ctx, {"tags": kept})
    return {"tag": action["tag"]}


# --- activities -----------------------------------------------------------------------------


def _links(ctx: Context) -> dict[str, Any]:
    if ctx.record is None or ctx.record_type not in ("person", "organization", "lead", "deal"):
        return {}
    links: dict[str, Any] = {ctx.record_type: ctx.record.pk}
    organization = getattr(ctx.record, "organization_id", None)
    if ctx.record_type in ("lead", "deal") and organization:
        links["organization"] = organization
    return links


def _assignee(ctx: Context, value: Any) -> int:
    if isinstance(value, int):
        return value
    owner = (ctx.data.get("owner") or {}).get("id")
    return int(owner or ctx.actor.pk)


def _validate_create_task(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"subject", "body", "due_in_days", "assignee"}, errors)
    _check_template(action.get("subject"), f"{path}.subject", errors, required=True)
    _check_template(action.get("body"), f"{path}.body", errors)
    _int_in(action.get("due_in_days"), 0, 3650, f"{path}.due_in_days", errors)
    assignee = action.get("assignee", "owner")
    if assignee != "owner":
        _user_id(assignee, f"{path}.assignee", errors)


def _run_create_task(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    from elo.activities.services import activity_create

    data: dict[str, Any] = {
        "kind": "task",
        "subject": render(action["subject"], ctx)[:300],
        "body": render(action.get("body"), ctx),
        "assignee": _assignee(ctx, action.get("assignee", "owner")),
        **_links(ctx),
    }
    if action.get("due_in_days") is not None:
        data["due_at"] = timezone.now() + datetime.timedelta(days=action["due_in_days"])
    task = activity_create(actor=ctx.actor, data=data)
    return {"task": task.pk, "subject": task.subject, "assignee": task.assignee_id}


def _validate_create_note(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"subject", "body"}, errors)
    _check_template(action.get("body"), f"{path}.body", errors, required=True)
    _check_template(action.get("subject"), f"{path}.subject", errors)


def _run_create_note(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    from elo.activities.services import activity_create

    note = activity_create(
        actor=ctx.actor,
        data={
            "kind": "note",
            "subject": render(action.get("subject"), ctx)[:300],
            "body": render(action["body"], ctx),
            **_links(ctx),
        },
    )
    return {"note": note.pk}


# --- email ----------------------------------------------------------------------------------


def _validate_send_email(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"subject", "body", "to", "marketing"}, errors)
    if "marketing" in action and not isinstance(action["marketing"], bool):
        errors.setdefault(f"{path}.marketing", []).append("true or false")
    _check_template(action.get("subject"), f"{path}.subject", errors, required=True)
    _check_template(action.get("body"), f"{path}.body", errors, required=True)
    _check_template(action.get("to"), f"{path}.to", errors)


def _marketing_allowed(ctx: Context) -> bool:
    """Whether the record's person has consented to marketing by email (the consent ledger
    decides; no person, or no consent recorded, is no)."""
    from elo.privacy.selectors import consent_allows

    record = ctx.record
    if ctx.record_type == "person":
        person_id = record.pk
    elif ctx.record_type == "deal":
        link = record.contacts.order_by("position", "id").first()
        person_id = link.person_id if link else None
    else:
        person_id = getattr(record, "person_id", None)
    return bool(person_id) and consent_allows(person_id, "marketing", "email")


def _run_send_email(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if action.get("marketing") and not _marketing_allowed(ctx):
        raise ActionSkipped("no marketing consent")
    to = render(action["to"], ctx) if action.get("to") else ""
    to = to or records.email_for(ctx.record_type, ctx.record)
    if not to:
        raise ActionSkipped("the record has no email address")
    try:
        validate_email(to)
    except ValidationError as error:
        raise ActionSkipped(f"not an email address: {to}") from error
    subject = " ".join(render(action["subject"], ctx).split())[:300]
    message = EmailMessage(
        subject=subject,
        body=render(action["body"], ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    detail = {"to": to, "subject": subject}
    if ctx.test_mode:
        return {**detail, "sent": False}

    def send() -> None:
        try:
            message.send()
        except Exception:
            logger.exception("workflow %s could not send its email to %s", ctx.workflow.pk, to)

    transaction.on_commit(send)
    return {**detail, "sent": "after commit"}


# --- deals ----------------------------------------------------------------------------------


def _validate_create_deal(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"title", "amount", "pipeline", "stage", "owner"}, errors)
    _check_template(action.get("title"), f"{path}.title", errors, required=True)
    if action.get("owner") not in (None, "record"):
        _user_id(action.get("owner"), f"{path}.owner", errors)
    for key in ("pipeline", "stage"):
        if action.get(key) is not None and not isinstance(action[key], int | str):
            errors.setdefault(f"{path}.{key}", []).append("an id or a name")


def _run_create_deal(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    from elo.sales.services import deal_create

    data: dict[str, Any] = {"title": render(action["title"], ctx)[:200]}
    for key in ("amount", "pipeline", "stage"):
        if action.get(key) is not None:
            data[key] = action[key]
    if isinstance(action.get("owner"), int):
        data["owner"] = action["owner"]
    elif action.get("owner") == "record" and (ctx.data.get("owner") or {}).get("id"):
        data["owner"] = ctx.data["owner"]["id"]
    if ctx.record_type == "organization":
        data["organization"] = ctx.record.pk
    elif ctx.record_type in ("lead", "deal") and getattr(ctx.record, "organization_id", None):
        data["organization"] = ctx.record.organization_id
    if ctx.record_type == "person":
        data["people"] = [{"person": ctx.record.pk}]
    elif ctx.record_type == "lead" and ctx.record.person_id:
        data["people"] = [{"person": ctx.record.person_id}]
    deal = deal_create(actor=ctx.actor, data=data)
    return {"deal": deal.pk, "title": deal.title}


# --- webhooks -------------------------------------------------------------------------------


def _validate_call_webhook(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"url", "headers"}, errors)
    url = action.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url) or len(url) > 2000:
        errors.setdefault(f"{path}.url", []).append("an http:// or https:// address")
    headers = action.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in headers.items()
    ):
        errors.setdefault(f"{path}.headers", []).append("an object of text headers")


def _run_call_webhook(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    body = json.dumps(
        {
            "workflow": {"id": ctx.workflow.pk, "name": ctx.workflow.name},
            "run": ctx.run.pk,
            "record_type": ctx.record_type,
            "record": ctx.data,
        },
        default=str,
        separators=(",", ":"),
    ).encode()
    if ctx.test_mode:
        raise ActionSkipped("test mode: the webhook is not called")
    try:
        from elo.webhooks import http  # type: ignore[attr-defined,unused-ignore]
    except ImportError as error:
        raise RuntimeError("outbound HTTP is not available (elo.webhooks.http)") from error
    headers = {
        **dict(action.get("headers") or {}),
        "Content-Type": "application/json",
        "User-Agent": "Elo-Automation",
    }
    response = http.post(action["url"], body, headers, timeout=10.0)
    detail = {
        "url": action["url"],
        "status": response.status,
        "duration_ms": response.duration_ms,
        "excerpt": str(response.excerpt)[:500],
    }
    if not 200 <= int(response.status) < 300:
        raise RuntimeError(f"the webhook answered {response.status}: {detail['excerpt'][:200]}")
    return detail


# --- control (carried out by the engine; validated here) -------------------------------------


def _validate_wait(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, {"minutes", "hours", "days"}, errors)
    for key in ("minutes", "hours", "days"):
        _int_in(action.get(key), 0, 525600, f"{path}.{key}", errors)
    try:
        delay = wait_delay(action)
    except TypeError:
        return
    if not datetime.timedelta(0) < delay <= MAX_WAIT:
        errors.setdefault(path, []).append("wait between one minute and 365 days")


def wait_delay(action: Mapping[str, Any]) -> datetime.timedelta:
    return datetime.timedelta(
        days=action.get("days") or 0,
        hours=action.get("hours") or 0,
        minutes=action.get("minutes") or 0,
    )


def _validate_stop(action: Mapping[str, Any], path: str, errors: Errors) -> None:
    _allowed(action, path, set(), errors)


def _not_run(ctx: Context, action: Mapping[str, Any]) -> dict[str, Any]:
    raise AssertionError("carried out by the engine")


for _action in (
    ActionType("assign", _validate_assign, _run_assign),
    ActionType("set_field", _validate_set_field, _run_set_field),
    ActionType("clear_field", _validate_clear_field, _run_clear_field),
    ActionType("add_tag", _validate_tag, _run_add_tag),
    ActionType("remove_tag", _validate_tag, _run_remove_tag),
    ActionType("create_task", _validate_create_task, _run_create_task),
    ActionType("create_note", _validate_create_note, _run_create_note),
    ActionType("send_email", _validate_send_email, _run_send_email),
    ActionType("create_deal", _validate_create_deal, _run_create_deal, needs_record=False),
    ActionType("call_webhook", _validate_call_webhook, _run_call_webhook, needs_record=False),
    ActionType("wait", _validate_wait, _not_run, needs_record=False),
    ActionType("stop", _validate_stop, _not_run, needs_record=False),
):
    register(_action)


def validate_actions(actions: Any, path: str = "actions", depth: int = 0) -> Errors:
    """Every problem with an action list, keyed by its path ("actions.1.then.0.subject")."""
    errors: Errors = {}
    count = [0]
    _validate_list(actions, path, depth, errors, count)
    if count[0] > MAX_ACTIONS:
        errors.setdefault(path, []).append(f"at most {MAX_ACTIONS} actions")
    return errors


def _validate_list(actions: Any, path: str, depth: int, errors: Errors, count: list[int]) -> None:
    if not isinstance(actions, list):
        errors.setdefault(path, []).append("expected a list of actions")
        return
    if depth > MAX_NESTING:
        errors.setdefault(path, []).append(f"branches nested more than {MAX_NESTING} deep")
        return
    for index, action in enumerate(actions):
        count[0] += 1
        where = f"{path}.{index}"
        if not isinstance(action, dict):
            errors.setdefault(where, []).append("expected an object")
            continue
        kind = action.get("type")
        if kind == "branch":
            _allowed(action, where, {"if", "then", "else"}, errors)
            for problem in conditions.validate(action.get("if") or {}):
                key, _sep, message = problem.partition(": ")
                errors.setdefault(where + ".if" + key.removeprefix("conditions"), []).append(
                    message
                )
            for key in ("then", "else"):
                _validate_list(action.get(key, []), f"{where}.{key}", depth + 1, errors, count)
            continue
        action_type = REGISTRY.get(str(kind))
        if action_type is None:
            errors.setdefault(f"{where}.type", []).append(f"unknown action {kind!r}")
            continue
        action_type.validate(action, where, errors)
