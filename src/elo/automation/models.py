"""Workflow rules and the record of every run: its trigger, conditions and each action's step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.automation.choices import RunStatus, StepOutcome, TriggerType


class Workflow(models.Model):
    """A rule: a trigger, conditions over the record, and an ordered list of actions."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    trigger = models.JSONField(_("trigger"), default=dict)
    # Copied from `trigger` on save, so the event dispatcher finds rules with one indexed query.
    trigger_type = models.CharField(max_length=10, choices=TriggerType.choices)
    trigger_event = models.CharField(max_length=100, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    rate_limit_per_hour = models.PositiveIntegerField(_("runs per hour at most"), default=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("runs as"),
    )
    version = models.PositiveIntegerField(default=1)
    failure_count = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(
                fields=["trigger_event"], name="workflow_event", condition=models.Q(enabled=True)
            ),
            models.Index(
                fields=["trigger_type"], name="workflow_timed", condition=models.Q(enabled=True)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class WorkflowRun(models.Model):
    """One run of a workflow for one trigger (an event, a date occurrence, a schedule tick)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    trigger = models.JSONField(default=dict)
    event_id = models.BigIntegerField(null=True, blank=True)
    record_type = models.CharField(max_length=20, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    matched = models.BooleanField(null=True)
    checks = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    depth = models.PositiveSmallIntegerField(default=1)
    test_mode = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Where a waiting run goes on (a wait's next action, or a failed action's retry).
    resume_at = models.DateTimeField(null=True, blank=True)
    resume_path = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["workflow", "-id"], name="run_workflow"),
            models.Index(fields=["record_type", "record_id", "-id"], name="run_record"),
            models.Index(fields=["workflow", "started_at"], name="run_rate"),
            models.Index(
                fields=["resume_at"],
                name="run_due",
                condition=models.Q(status="waiting"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "event_id"],
                name="run_once_per_event",
                condition=models.Q(event_id__isnull=False, test_mode=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id}#{self.pk} {self.status}"


class RunStep(models.Model):
    """One action of a run: its place in the action tree, outcome, detail and timing."""

    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=100)
    action_type = models.CharField(max_length=30)
    outcome = models.CharField(max_length=10, choices=StepOutcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "path"], name="step_once_per_path")]

    def __str__(self) -> str:
        return f"{self.path} {self.action_type} {self.outcome}"


class Occurrence(models.Model):
    """A date or schedule occurrence a workflow has fired for: each fires once, even with
    several workers sweeping at the same minute."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=20, blank=True)
    record_id = models.BigIntegerField(default=0)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "record_type", "record_id", "key"], name="occurrence_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id} {self.record_type}:{self.record_id} {self.key}"
