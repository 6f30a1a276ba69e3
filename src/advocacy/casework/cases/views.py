"""Casework pages: the queue, the case, department heads' tasks, prevention, SLA and settings.

Thin: each view parses a form, calls one service or query and renders.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

import plotly
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.casework.appointments import queries as appointment_queries
from advocacy.casework.cases import queries, services
from advocacy.casework.cases.forms import (
    CadencePolicyForm,
    CaseOpenForm,
    CaseSettingsForm,
    HuddleForm,
    MessageForm,
    QueueFilterForm,
    QueueViewForm,
    ResolveForm,
    StatusForm,
    TaskDoneForm,
    TransferForm,
    VerifyForm,
)
from advocacy.casework.models import CadencePolicy, Case, HuddleTask, Prevention, Priority, QueueView
from advocacy.casework.replies import queries as replies_queries
from advocacy.casework.replies.services import reply_fill
from advocacy.core import switches
from advocacy.core.charts import MonthShare, bar_chart, share_trend_chart
from advocacy.core.csvexport import csv_response
from advocacy.core.errors import InvalidInput, NotAllowed, ServiceError
from advocacy.core.pages import days_param, form_errors, show_errors, show_form_errors
from advocacy.core.permissions import allow, roles_serving, staff_user, viewer_role
from advocacy.core.roles import CASE_READERS, CASE_WORKERS, INSIGHT_READERS, PROGRAM_TEAM, Role
from advocacy.customers.models import Customer


def back_to(case: Case) -> HttpResponse:
    return redirect("casework:case_detail", case_id=case.pk)


QUEUE_PAGE_SIZE = 50
QUEUE_CSV_LIMIT = 10_000


def queue_filters(request: HttpRequest) -> QueueFilterForm:
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        raise BadRequest("; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items()))
    return form


def queue_cases(request: HttpRequest, data: dict[str, Any], narrow: queries.CaseFilters | None = None) -> Any:
    user = staff_user(request)
    # An advocate's queue starts with their own cases; a report's drill-down shows everyone's.
    default_scope = "mine" if user.role == Role.CUSTOMER_ADVOCATE and narrow is None else "all"
    scope = data["scope"] or default_scope
    data["scope"] = scope
    return queries.queue(
        owner=user if scope == "mine" else None,
        state=data["state"] or "open",
        status=data["status"],
        priority=data["priority"],
        overdue_only=data["overdue"],
        text=data["q"].strip(),
        narrow=narrow,
    )


@allow(*CASE_READERS)  # analysts read the queue (a report's drill-down); changing a case needs a case worker
def queue(request: HttpRequest) -> HttpResponse:
    form = queue_filters(request)
    data = dict(form.cleaned_data)
    page = Paginator(queue_cases(request, data, form.narrowing()), QUEUE_PAGE_SIZE).get_page(data["page"] or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/queue.html",
        {
            "page": page,
            "cases": page.object_list,
            "scope": data["scope"],
            "state": data["state"] or "open",
            "counts": queries.open_counts_by_status(),
            "now": timezone.now(),
            "form": form,
            "filters": data,
            "narrowed": form.narrowing_said(),
            "query": query.urlencode(),
            "saved_views": queries.queue_views_for(staff_user(request)),
            "save_form": QueueViewForm(initial={"query": query.urlencode()}),
        },
    )


@allow(*CASE_READERS)
def queue_csv(request: HttpRequest) -> HttpResponseBase:
    form = queue_filters(request)
    data = dict(form.cleaned_data)
    cases = queue_cases(request, data, form.narrowing())[:QUEUE_CSV_LIMIT]
    return csv_response(
        "cases.csv",
        [
            "case",
            "subject",
            "customer",
            "email",
            "priority",
            "status",
            "owner",
            "opened",
            "next promise due",
            "resolved",
        ],
        (
            [
                c.pk,
                c.subject,
                c.customer.full_name,
                c.customer.email,
                c.get_priority_display(),
                c.get_status_display(),
                c.owner.display_name,
                c.created_at.isoformat(),
                c.next_due.isoformat() if c.next_due else "",
                c.resolved_at.isoformat() if c.resolved_at else "",
            ]
            for c in cases
        ),
    )


@allow(*CASE_WORKERS)
@require_POST
def queue_view_save(request: HttpRequest) -> HttpResponse:
    form = QueueViewForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect(f"{reverse('casework:queue')}?{request.POST.get('query', '')[:500]}")
    try:
        view = services.queue_view_save(owner=staff_user(request), **form.cleaned_data)
    except InvalidInput as exc:
        show_errors(request, exc)
        return redirect(f"{reverse('casework:queue')}?{form.cleaned_data['query']}")
    messages.success(request, f"Saved as “{view.name}”; it is listed beside the queue.")
    return redirect(f"{reverse('casework:queue')}?{view.query}")


@allow(*CASE_WORKERS)
@require_POST
def queue_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = get_object_or_404(QueueView, pk=view_id, owner=staff_user(request))
    services.queue_view_delete(view=view)
    messages.success(request, f"Saved view “{view.name}” removed.")
    return redirect("casework:queue")


def case_for(request: HttpRequest, case_id: int) -> Case:
    """The case, if this member of staff may see it (department heads: only cases they have a task on)."""
    return get_object_or_404(
        queries.visible_cases_for(staff_user(request)).select_related("customer", "owner"), pk=case_id
    )


def reply_start(request: HttpRequest, case: Case) -> str:
    """The update box's starting text: a reply template filled for this case, when one was chosen."""
    chosen = request.GET.get("template", "")
    if not chosen.isdigit():
        return ""
    template = replies_queries.templates_offered().filter(pk=int(chosen)).first()
    return reply_fill(template, case) if template is not None else ""


def workspace(request: HttpRequest, case: Case, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The case workspace; ``bound`` holds a refused form with its errors and what was typed."""
    can_work = staff_user(request).role in CASE_WORKERS
    forms = {
        "update_form": MessageForm(initial={"body": reply_start(request, case)}),
        "note_form": MessageForm(),
        "status_form": StatusForm(),
        "transfer_form": TransferForm(),
        "huddle_form": HuddleForm(),
        "resolve_form": ResolveForm(initial={"action_owner": case.owner_id, "with_prevention": True}),
    }
    forms.update(bound)
    return render(
        request,
        "casework/case_detail.html",
        {
            "case": case,
            "deadlines": queries.deadlines(case),
            "timeline": queries.timeline(case),
            "can_work": can_work,
            **forms,
            "refused": next(iter(bound), ""),
            "reply_templates": replies_queries.templates_offered() if can_work else [],
            "prevention_required": services.prevention_required(case),
            "huddles": case.huddles.prefetch_related("tasks__department", "tasks__assignee"),
            "transfers": case.transfers.select_related("from_owner", "to_owner"),
            "appointments": appointment_queries.appointments_matching(customer_id=case.customer_id, case_id=case.pk),
            "recommendations": case.recommendations.select_related("product"),
        },
        status=status,
    )


@allow(*INSIGHT_READERS)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return workspace(request, case_for(request, case_id))


@allow(*CASE_WORKERS)
@require_POST
def case_open(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    form = CaseOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the case a subject.")
        return redirect("customers:detail", customer_id=customer.pk)
    data = form.cleaned_data
    try:
        case = services.case_open(
            customer=customer,
            by=staff_user(request),
            subject=data["subject"],
            description=data["description"],
            category=data["category"],
            priority=data["priority"],
            source=data["source"],
            needs=[n for n in data["needs"].split(",") if n.strip()],
        )
    except (InvalidInput, ServiceError) as exc:
        show_errors(request, exc)
        return redirect("customers:detail", customer_id=customer.pk)
    return back_to(case)


def post_action(
    request: HttpRequest, case_id: int, form_class: type[Any], act: Any, *, form_name: str, done: Any
) -> HttpResponse:
    """Run one action on the case. Refused: the page again, the errors beside their fields and what was
    typed kept. Done: back to the case with a message saying what happened (``done`` writes it)."""
    case = case_for(request, case_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(case, form.cleaned_data, staff_user(request))
        except InvalidInput as exc:
            form_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            case.refresh_from_db()
            messages.success(request, done(case, form.cleaned_data))
            return back_to(case)
    return workspace(request, case, status=422, **{form_name: form})


@allow(*CASE_WORKERS)
@require_POST
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    return post_action(
        request,
        case_id,
        MessageForm,
        lambda case, data, user: services.case_post_update(case=case, body=data["body"], by=user),
        form_name="update_form",
        done=lambda case, data: (
            f"Update sent to {case.customer.full_name or case.customer.email} by email and shown in their portal."
        ),
    )


@allow(*CASE_WORKERS)
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    return post_action(
        request,
        case_id,
        MessageForm,
        lambda case, data, user: services.case_add_note(case=case, body=data["body"], by=user),
        form_name="note_form",
        done=lambda case, data: "Internal note added; the customer does not see it.",
    )


@allow(*CASE_WORKERS)
@require_POST
def case_status(request: HttpRequest, case_id: int) -> HttpResponse:
    return post_action(
        request,
        case_id,
        StatusForm,
        lambda case, data, user: services.case_set_status(case=case, status=data["status"], note=data["note"], by=user),
        form_name="status_form",
        done=lambda case, data: f"Status is now “{case.get_status_display()}”.",
    )


@allow(*CASE_WORKERS)
@require_POST
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    return post_action(
        request,
        case_id,
        TransferForm,
        lambda case, data, user: services.case_transfer(case=case, to=data["to"], reason=data["reason"], by=user),
        form_name="transfer_form",
        done=lambda case, data: f"Case #{case.pk} is now owned by {case.owner.display_name}.",
    )


def aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@allow(*CASE_WORKERS)
@require_POST
def case_huddle(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(case: Case, data: dict[str, Any], user: Any) -> None:
        tasks = [
            services.TaskIn(department=d, due_at=aware(data["tasks_due"]), notes=data["task_notes"])
            for d in data["departments"]
        ]
        services.huddle_create(
            case=case, meeting_at=aware(data["meeting_at"]), agenda=data["agenda"], tasks=tasks, by=user
        )

    return post_action(
        request,
        case_id,
        HuddleForm,
        act,
        form_name="huddle_form",
        done=lambda case, data: f"Huddle set up; {len(data['departments'])} department head(s) each have a task.",
    )


def prevention_from(data: dict[str, Any]) -> services.PreventionIn | None:
    if not data["with_prevention"]:
        return None
    missing = [
        f
        for f in ("root_cause_category", "root_cause", "corrective_action", "action_owner", "action_due", "verify_on")
        if not data.get(f)
    ]
    if missing:
        raise InvalidInput({f: f"{f.replace('_', ' ')} is needed for the prevention step" for f in missing})
    return services.PreventionIn(
        root_cause_category=data["root_cause_category"],
        root_cause=data["root_cause"],
        corrective_action=data["corrective_action"],
        action_owner=data["action_owner"],
        action_due=data["action_due"],
        verify_on=data["verify_on"],
    )


@allow(*CASE_WORKERS)
@require_POST
def case_resolve(request: HttpRequest, case_id: int) -> HttpResponse:
    return post_action(
        request,
        case_id,
        ResolveForm,
        lambda case, data, user: services.case_resolve(
            case=case, by=user, summary=data["summary"], prevention=prevention_from(data)
        ),
        form_name="resolve_form",
        done=lambda case, data: (
            "Case resolved; the customer is told how by email and in their portal"
            + ("; the prevention step is recorded." if data["with_prevention"] else ".")
        ),
    )


@allow(Role.DEPARTMENT_HEAD, Role.ADMIN)
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request,
        "casework/my_tasks.html",
        {"tasks": queries.tasks_for(user), "form": TaskDoneForm(), "now": timezone.now()},
    )


@allow(Role.DEPARTMENT_HEAD, Role.ADMIN)
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponseBase:
    task = get_object_or_404(
        HuddleTask.objects.select_related("huddle__case"),
        pk=task_id,
        **({} if staff_user(request).role == Role.ADMIN else {"assignee": staff_user(request)}),
    )
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.task_complete(task=task, by=staff_user(request), outcome=form.cleaned_data["outcome"])
        except NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Task done; the case owner sees it on the case.")
    return redirect("casework:my_tasks")


@allow(*INSIGHT_READERS)
def prevention(request: HttpRequest) -> HttpResponse:
    since, _ = period(request, 90)
    first_day = timezone.localtime(since).date()
    user = staff_user(request)
    root_causes = [
        r | {"url": queue_link(request, root_cause=r["root_cause_category"], opened_from=first_day.isoformat())}
        for r in queries.top_root_causes(since=since)
    ]
    recurrence = queries.recurrence_by_month()
    months = [
        MonthShare(
            m["month"],
            m["recurring"],
            m["n"],
            queue_link(request, opened_from=m["month"], opened_to=month_end(m["month"]), recurrence="1"),
        )
        for m in recurrence
    ]
    return render(
        request,
        "casework/prevention.html",
        {
            "days": (timezone.localdate() - first_day).days + 1,
            "root_causes": root_causes,
            "actions": queries.corrective_actions(),
            "recurrence": recurrence,
            "verify_form": VerifyForm(),
            "can_verify": user.role in CASE_WORKERS,
            # A department head opens only the cases they have a task on; the others are listed unlinked.
            "openable": queries.openable_case_ids(user),
            "charts": {
                "recurrence": share_trend_chart(months, measure="recurrences"),
                "root_causes": bar_chart(
                    [(r["label"], r["n"], r["url"]) for r in root_causes],
                    unit="resolved cases",
                ),
            },
            "plotly_version": plotly.__version__,
        },
    )


@allow(*CASE_WORKERS)
@require_POST
def prevention_verify(request: HttpRequest, prevention_id: int) -> HttpResponse:
    step = get_object_or_404(Prevention.objects.select_related("case"), pk=prevention_id)
    form = VerifyForm(request.POST)
    if form.is_valid():
        services.prevention_verify(prevention=step, by=staff_user(request), outcome=form.cleaned_data["outcome"])
        messages.success(request, f"Prevention for case #{step.case_id} verified.")
    return redirect("casework:prevention")


def period(request: HttpRequest, default_days: int = 30) -> tuple[datetime, datetime]:
    """The last ``?days=`` local days, today included, from local midnight: the same cases a drill-down
    into the queue (opened from that date) lists."""
    days = days_param(request, default_days)
    first_day = timezone.localdate() - timedelta(days=days - 1)
    return queries.local_midnight(first_day), timezone.now()


def queue_link(request: HttpRequest, **narrow: Any) -> str:
    """The queue showing the cases behind a figure, for viewers who may open the queue; else ""."""
    if viewer_role(request) not in roles_serving("casework:queue"):
        return ""
    query = {"state": "all", "scope": "all"} | {k: v for k, v in narrow.items() if v}
    return f"{reverse('casework:queue')}?{urlencode(query)}"


@allow(*INSIGHT_READERS)
def sla(request: HttpRequest) -> HttpResponse:
    since, until = period(request)
    first_day = timezone.localtime(since).date()
    opened = partial(queue_link, request, opened_from=first_day.isoformat())
    rows = queries.sla_by_owner(since=since, until=until)
    months = [
        MonthShare(month, kept, n, queue_link(request, opened_from=month, opened_to=month_end(month)))
        for month, kept, n in queries.promises_kept_by_month()
    ]
    return render(
        request,
        "casework/sla.html",
        {
            "rows": [row | {"url": opened(owner=row["owner_id"])} for row in rows],
            "team": queries.sla_team(rows),
            "team_url": opened(),
            "missed_url": opened(promise="missed"),
            "breaches": [
                (label, n, opened(promise=kind))
                for kind, label, n in queries.breach_kind_labels(queries.breaches_by_kind(since=since, until=until))
            ],
            "days": (timezone.localdate() - first_day).days + 1,
            "first_day": first_day,
            "chart": share_trend_chart(months, measure="kept every promise"),
            "plotly_version": plotly.__version__,
        },
    )


def month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@allow(*INSIGHT_READERS)
def sla_csv(request: HttpRequest) -> HttpResponseBase:
    since, until = period(request)
    rows = queries.sla_by_owner(since=since, until=until)
    return csv_response(
        "sla.csv",
        ["customer advocate", "cases", "met", "met %"],
        ([r["owner__username"], r["n"], r["met"], r["met_pct"]] for r in rows),
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    current = services.case_settings()
    policies = [services.cadence_policy(p) for p in (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)]
    settings_form = CaseSettingsForm(request.POST if "settings" in request.POST else None, instance=current)
    if request.method == "POST":
        if "settings" in request.POST and settings_form.is_valid():
            services.case_settings_update(by=user, **settings_form.cleaned_data)
            messages.success(request, "Case settings saved.")
        elif "policy" in request.POST:
            policy = get_object_or_404(CadencePolicy, pk=request.POST["policy"])
            form = CadencePolicyForm(request.POST, instance=CadencePolicy.objects.get(pk=policy.pk))
            if form.is_valid():
                services.cadence_policy_update(policy=policy, by=user, **form.cleaned_data)
                messages.success(request, f"{policy} saved.")
        elif "rule" in request.POST:
            rule = switches.rule_by_key(request.POST["rule"])
            if rule is not None:
                switches.rule_switch(rule=rule, on=request.POST.get("on") == "1", by=user)
                messages.success(request, "Loop rule switched.")
        return redirect("casework:settings")
    return render(
        request,
        "casework/settings.html",
        {
            "settings_form": settings_form,
            "policies": [(p, CadencePolicyForm(instance=p)) for p in policies],
            "rules": switches.rules_with_state(),
            "calendar": services.default_calendar(),
        },
    )
