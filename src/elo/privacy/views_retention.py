"""Settings pages of retention policies: the list with each policy's last run, create and
edit, a dry run that shows what would be anonymized, "Run now" behind a confirmation, and
the history of runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from elo.core.errors import PreconditionFailed
from elo.core.forms import service_errors
from elo.core.views import permission_required, posted
from elo.privacy import retention
from elo.privacy.forms_retention import RetentionPolicyForm, RetentionRunConfirmForm

RECORDS_SHOWN = 50


@permission_required("settings.manage")
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    page = retention.policy_list_for(
        request.user, cursor=request.GET.get("cursor") or None, size=50
    )
    return render(request, "privacy/retention_list.html", {"page": page})


@permission_required("settings.manage")
def policy_create(request: HttpRequest) -> HttpResponse:
    form = RetentionPolicyForm(posted(request), initial={"inactive_months": 24})
    if form.is_valid():
        with service_errors(form) as submission:
            policy = retention.policy_create(actor=request.user, data=form.data_for_service())
        if submission.ok:
            messages.success(request, _("Policy “%(name)s” added.") % {"name": policy.name})
            return redirect("privacy_retention:policy_detail", pk=policy.pk)
    return render(request, "privacy/retention_form.html", {"form": form, "policy": None})


@permission_required("settings.manage")
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The policy's form, its recent runs and its actions."""
    policy = retention.policy_get_for(request.user, pk)
    initial = {name: getattr(policy, name) for name in retention.POLICY_FIELDS}
    form = RetentionPolicyForm(posted(request), initial={**initial, "version": policy.version})
    if form.is_valid():
        with service_errors(form) as submission:
            retention.policy_update(
                actor=request.user,
                policy=policy,
                data=form.data_for_service(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Policy “%(name)s” saved.") % {"name": policy.name})
            return redirect("privacy_retention:policy_detail", pk=policy.pk)
    runs = retention.run_list_for(request.user, policy, size=5)
    context = {"form": form, "policy": policy, "runs": runs.items}
    return render(request, "privacy/retention_form.html", context)


@permission_required("settings.manage")
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = retention.policy_get_for(request.user, pk)
    version = request.POST.get("version", "")
    try:
        retention.policy_delete(
            actor=request.user,
            policy=policy,
            expected_version=int(version) if version.isdigit() else None,
        )
    except PreconditionFailed as error:
        messages.error(request, str(error))
        return redirect("privacy_retention:policy_detail", pk=pk)
    messages.success(request, _("Policy “%(name)s” deleted.") % {"name": policy.name})
    return redirect("privacy_retention:policy_list")


@permission_required("settings.manage")
@require_POST
def policy_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    policy = retention.policy_get_for(request.user, pk)
    run = retention.policy_dry_run(actor=request.user, policy=policy)
    return redirect("privacy_retention:run_detail", pk=pk, run_pk=run.pk)


@permission_required("settings.manage")
def policy_run(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, showing how many records the run would anonymize now;
    the confirmed POST runs the policy and shows the result."""
    policy = retention.policy_get_for(request.user, pk)
    form = RetentionRunConfirmForm(posted(request))
    if form.is_valid():
        try:
            run = retention.policy_run_start(actor=request.user, policy=policy)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if run.finished_at is None:
                messages.info(
                    request,
                    _("The run has started: the worker anonymizes the records in the background."),
                )
            elif run.error:
                messages.error(request, _("The run did not finish cleanly; see below."))
            else:
                messages.success(
                    request,
                    _("%(count)s records anonymized.") % {"count": run.anonymized},
                )
            return redirect("privacy_retention:run_detail", pk=pk, run_pk=run.pk)
    context = {"policy": policy, "form": form, "count": retention.candidates_count(policy)}
    return render(request, "privacy/retention_run_confirm.html", context)


@permission_required("settings.manage")
@require_GET
def run_list(request: HttpRequest, pk: int) -> HttpResponse:
    policy = retention.policy_get_for(request.user, pk)
    page = retention.run_list_for(
        request.user, policy, cursor=request.GET.get("cursor") or None, size=50
    )
    return render(request, "privacy/retention_runs.html", {"policy": policy, "page": page})


@permission_required("settings.manage")
@require_GET
def run_detail(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """A run or dry run: the counts, any error, and the first records, linked."""
    policy = retention.policy_get_for(request.user, pk)
    run = retention.run_get_for(request.user, policy, run_pk)
    records = retention.run_records(run, user=request.user, limit=RECORDS_SHOWN)
    context = {
        "policy": policy,
        "run": run,
        "records": records,
        "stored": len(run.record_ids),
        "count": run.matched if run.dry_run else run.anonymized,
        "is_leads": policy.entity == "leads",
    }
    return render(request, "privacy/retention_run.html", context)
