"""Every write of casework: opening, updating, pausing, transferring and resolving cases, huddles and
their tasks, prevention, and the cadence sweep.

The promise to the customer is kept in business hours of the priority's calendar: a first response
within X, an update at least every Y, a resolution target. Waiting on the customer pauses the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from advocacy.casework.cases import business_hours, mail
from advocacy.casework.models import (
    OPEN_STATUSES,
    Breach,
    BusinessCalendar,
    CadencePolicy,
    Case,
    CaseEvent,
    CaseSettings,
    Category,
    DeadlineKind,
    Department,
    EventKind,
    Huddle,
    HuddleTask,
    Prevention,
    Priority,
    Problem,
    QueueView,
    RootCause,
    Source,
    Status,
    TaskStatus,
    Transfer,
)
from advocacy.core import events
from advocacy.core.errors import InvalidInput, NotAllowed, ServiceError
from advocacy.core.models import User
from advocacy.core.roles import PROGRAM_TEAM, Role
from advocacy.core.run_reads import read_once
from advocacy.customers.models import Customer
from advocacy.outreach.webhooks.services import webhook_emit, webhook_emit_many

DEFAULT_CADENCE = {  # business minutes: first response, update every, resolution
    Priority.URGENT: (60, 240, 960),
    Priority.HIGH: (240, 480, 2400),
    Priority.NORMAL: (480, 960, 4800),
    Priority.LOW: (960, 2400, 9600),
}
SWEEP_BATCH = 5000  # rows per statement: well under SQLite's limit on bound parameters
DEADLINE_FIELDS = {
    DeadlineKind.FIRST_RESPONSE: "first_response_due",
    DeadlineKind.UPDATE: "next_update_due",
    DeadlineKind.RESOLUTION: "resolution_due",
}


# Settings and calendars


def case_settings() -> CaseSettings:
    """The case settings, to read (once per run within ``reads_once_per_run``)."""
    return read_once("case settings", stored_case_settings)


def stored_case_settings() -> CaseSettings:
    found, _ = CaseSettings.objects.get_or_create(id=1)
    return found


def default_calendar() -> BusinessCalendar:
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Office hours",
        defaults={"time_zone": settings.TIME_ZONE, "workdays": [0, 1, 2, 3, 4], "opens": time(9), "closes": time(17)},
    )
    return calendar


def cadence_policy(priority: str) -> CadencePolicy:
    """The cadence of a priority with its calendar, to read (once per run within ``reads_once_per_run``)."""
    return read_once(("cadence policy", priority), lambda: stored_cadence_policy(priority))


def stored_cadence_policy(priority: str) -> CadencePolicy:
    policy = CadencePolicy.objects.select_related("calendar").filter(priority=priority).first()
    if policy is None:
        first, every, resolve = DEFAULT_CADENCE[Priority(priority)]
        policy, _ = CadencePolicy.objects.get_or_create(
            priority=priority,
            defaults={
                "calendar": default_calendar(),
                "first_response_minutes": first,
                "update_every_minutes": every,
                "resolution_minutes": resolve,
            },
        )
    return policy


def working_time(calendar: BusinessCalendar) -> business_hours.WorkingTime:
    return business_hours.WorkingTime(
        zone=ZoneInfo(calendar.time_zone),
        workdays=frozenset(calendar.workdays),
        opens=calendar.opens,
        closes=calendar.closes,
        holidays=read_once(("holidays", calendar.pk), lambda: holidays_of(calendar)),
    )


def holidays_of(calendar: BusinessCalendar) -> frozenset[date]:
    return frozenset(calendar.holidays.values_list("day", flat=True))


def clock_for(case: Case) -> tuple[CadencePolicy, business_hours.WorkingTime]:
    policy = cadence_policy(case.priority)
    return policy, working_time(policy.calendar)


def refresh_next_due(case: Case) -> None:
    running = [d for d in (case.first_response_due, case.next_update_due, case.resolution_due) if d is not None]
    case.next_due = min(running) if running else None


# Opening and owning


def primary_advocate_of(customer: Customer) -> User | None:
    """The customer's primary customer advocate, when that person can own a case today."""
    primary = customer.primary_advocate
    if primary is not None and primary.is_active and not primary.is_service and primary.role == Role.CUSTOMER_ADVOCATE:
        return primary
    return None


def advocate_for(customer: Customer) -> User:
    """The customer's primary customer advocate, else the active customer advocate with the fewest open cases."""
    primary = primary_advocate_of(customer)
    if primary is not None:
        return primary
    least_busy = (
        User.objects.filter(role=Role.CUSTOMER_ADVOCATE, is_active=True, is_service=False)
        .annotate(load=Count("owned_cases", filter=Q(owned_cases__status__in=OPEN_STATUSES)))
        .order_by("load", "id")
        .first()
    )
    if least_busy is None:
        raise ServiceError("There is no active customer advocate to own this case.")
    return least_busy


def check_owner(user: User) -> None:
    if user.role != Role.CUSTOMER_ADVOCATE or not user.is_active or user.is_service:
        raise InvalidInput({"owner": f"{user.username} is not an active customer advocate"})


def check_may_work(case: Case, by: User | None) -> None:
    """Only the owner works a case (or the program team, who lead the advocates); others ask for a
    transfer. ``by=None`` is the system: the loop, the cadence sweep, the customer's own reply."""
    if by is None or by.pk == case.owner_id or by.role in PROGRAM_TEAM:
        return
    raise NotAllowed(
        f"Only the case's owner, {case.owner.display_name}, or a program manager or admin may change this "
        "case. Ask for a transfer to take it over."
    )


def recurrence_of(customer: Customer, now: datetime) -> Case | None:
    window = timedelta(days=case_settings().recurrence_days)
    return customer.cases.filter(created_at__gte=now - window).order_by("-created_at").first()


def record(
    case: Case,
    kind: str,
    *,
    body: str = "",
    by: User | None = None,
    visible: bool = False,
    by_customer: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        body=body,
        actor=by,
        visible_to_customer=visible,
        by_customer=by_customer,
        data=data or {},
        at=at or timezone.now(),
    )


def check_case_fields(*, subject: str, category: str, priority: str, source: str) -> None:
    errors = {}
    if not subject.strip():
        errors["subject"] = "say in a few words what the case is about"
    if category not in Category.values:
        errors["category"] = f"{category!r} is not one of: {', '.join(Category.values)}"
    if priority not in Priority.values:
        errors["priority"] = f"{priority!r} is not one of: {', '.join(Priority.values)}"
    if source not in Source.values:
        errors["source"] = f"{source!r} is not one of: {', '.join(Source.values)}"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def case_open(
    *,
    customer: Customer,
    subject: str,
    by: User | None,
    description: str = "",
    category: str = Category.OTHER,
    priority: str = Priority.NORMAL,
    source: str = Source.MANUAL,
    owner: User | None = None,
    needs: Iterable[str] = (),
    origin: str = "",
    now: datetime | None = None,
) -> Case:
    """Open a case owned by one customer advocate (the customer's primary one unless another is named)."""
    check_case_fields(subject=subject, category=category, priority=priority, source=source)
    now = now or timezone.now()
    owner = owner or advocate_for(customer)
    check_owner(owner)
    policy, hours = clock_for(Case(priority=priority))
    earlier = recurrence_of(customer, now)
    case = Case(
        customer=customer,
        subject=subject.strip(),
        description=description.strip(),
        category=category,
        priority=priority,
        source=source,
        owner=owner,
        needs=sorted({n.strip().lower() for n in needs if n}),
        created_at=now,
        origin=origin,
        status=Status.NEW,
        first_response_due=business_hours.add_business_minutes(now, policy.first_response_minutes, hours),
        resolution_due=business_hours.add_business_minutes(now, policy.resolution_minutes, hours),
    )
    if earlier is not None:
        case.recurrence_of = earlier
        case.recurrence_reason = (
            f"same customer: case #{earlier.pk} was opened {(now - earlier.created_at).days} days earlier"
        )
    refresh_next_due(case)
    case.save()
    record(
        case,
        EventKind.CREATED,
        body=case.description,
        by=by,
        visible=True,
        by_customer=by is None and source == Source.PORTAL,
        data={"owner": owner.pk, "source": source},
        at=now,
    )
    events.audit(actor=by, verb="case.opened", obj=case, data={"owner": owner.username})
    webhook_emit(event_type="case.opened", payload=case_payload(case), key=f"case.opened:{case.pk}")
    mail.case_acknowledged(case.pk)  # in this transaction: the outbox row commits with the case, or neither
    return case


def case_payload(case: Case) -> dict[str, object]:
    """What a case's webhooks say about it: ids and states, not the customer's words."""
    return {
        "case_id": case.pk,
        "customer_id": case.customer_id,
        "owner": case.owner.username,
        "status": case.status,
        "category": case.category,
        "priority": case.priority,
        "source": case.source,
        "created_at": case.created_at,
        "resolved_at": case.resolved_at,
    }


@transaction.atomic
def case_transfer(*, case: Case, to: User, by: User | None, reason: str) -> Case:
    """Hand the case to another customer advocate; the owner column changes in the same statement."""
    case = Case.objects.select_for_update().select_related("owner").get(pk=case.pk)
    check_may_work(case, by)
    check_owner(to)
    if not reason.strip():
        raise InvalidInput({"reason": "say why the case changes hands"})
    if to.pk == case.owner_id:
        raise InvalidInput({"to": f"{to.username} already owns this case"})
    Transfer.objects.create(case=case, from_owner_id=case.owner_id, to_owner=to, reason=reason.strip(), by=by)
    previous = case.owner
    case.owner = to
    case.save(update_fields=["owner"])
    # The customer learns who owns it now; the reason stays internal.
    record(
        case,
        EventKind.TRANSFER,
        body=f"{to.display_name} is now your customer advocate for this.",
        by=by,
        visible=True,
        data={"from": previous.pk, "to": to.pk},
    )
    record(case, EventKind.NOTE, body=f"Transferred from {previous.display_name}: {reason.strip()}", by=by)
    events.audit(actor=by, verb="case.transferred", obj=case, data={"from": previous.username, "to": to.username})
    return case


# The clock


def pause_clock(case: Case, now: datetime) -> None:
    _, hours = clock_for(case)
    case.paused_at = now
    case.paused_remaining = {
        kind.value: business_hours.business_minutes_between(now, getattr(case, field), hours)
        if getattr(case, field) and getattr(case, field) > now
        else 0.0
        for kind, field in DEADLINE_FIELDS.items()
        if getattr(case, field) is not None
    }
    for field in DEADLINE_FIELDS.values():
        setattr(case, field, None)
    case.next_due = None


def resume_clock(case: Case, now: datetime) -> None:
    _, hours = clock_for(case)
    for kind, minutes in (case.paused_remaining or {}).items():
        setattr(case, DEADLINE_FIELDS[DeadlineKind(kind)], business_hours.add_business_minutes(now, minutes, hours))
    case.paused_at = None
    case.paused_remaining = {}
    refresh_next_due(case)


ALLOWED_MOVES = {
    Status.NEW: {Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_DEPARTMENT},
    Status.OPEN: {Status.WAITING_CUSTOMER, Status.WAITING_DEPARTMENT},
    Status.WAITING_CUSTOMER: {Status.OPEN, Status.WAITING_DEPARTMENT},
    Status.WAITING_DEPARTMENT: {Status.OPEN, Status.WAITING_CUSTOMER},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def move(case: Case, status: str, now: datetime) -> None:
    if status not in ALLOWED_MOVES[Status(case.status)]:
        raise InvalidInput(
            {
                "status": f"a {Status(case.status).label.lower()} case cannot become {Status(status).label.lower()}"
                if status in Status.values
                else f"{status!r} is not a status"
            }
        )
    if status == Status.WAITING_CUSTOMER:
        pause_clock(case, now)
    elif case.status == Status.WAITING_CUSTOMER:
        resume_clock(case, now)
    elif case.status == Status.RESOLVED and status == Status.OPEN:
        # Reopened by staff or by the customer's reply alike: the case is open again, with deadlines.
        case.resolved_at = None
        reopen_clock(case, now)
    case.status = status


@transaction.atomic
def case_set_status(*, case: Case, status: str, by: User | None, note: str = "", now: datetime | None = None) -> Case:
    """Open, wait on the customer (pauses the clock) or on a department. Resolving has its own service."""
    if status in {Status.RESOLVED, Status.NEW}:
        raise InvalidInput(
            {
                "status": "resolve a case with its resolution and prevention step"
                if status == Status.RESOLVED
                else "a case cannot go back to new"
            }
        )
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("owner").get(pk=case.pk)
    check_may_work(case, by)
    before = case.status
    move(case, status, now)
    if status == Status.CLOSED:
        case.closed_at = now
    case.save()
    record(
        case,
        EventKind.STATUS,
        body=f"Status: {Status(status).label}",
        by=by,
        visible=True,
        data={"from": before, "to": status},
        at=now,
    )
    if note.strip():
        record(case, EventKind.NOTE, body=note.strip(), by=by, at=now)
    return case


@transaction.atomic
def case_post_update(*, case: Case, body: str, by: User, now: datetime | None = None) -> CaseEvent:
    """A customer-visible update: emailed, shown in the portal, and it restarts the update clock."""
    if not body.strip():
        raise InvalidInput({"body": "write the update the customer will read"})
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("owner").get(pk=case.pk)
    check_may_work(case, by)
    if not case.is_open:
        raise ServiceError("The case is resolved; reopen it to post updates.")
    policy, hours = clock_for(case)
    if case.first_response_at is None:
        case.first_response_at = now
        case.first_response_due = None
    case.last_update_at = now
    if case.status == Status.NEW:
        case.status = Status.OPEN
    if case.paused_at is None:
        case.next_update_due = business_hours.add_business_minutes(now, policy.update_every_minutes, hours)
        refresh_next_due(case)
    else:
        case.paused_remaining = {**case.paused_remaining, DeadlineKind.UPDATE.value: float(policy.update_every_minutes)}
        case.paused_remaining.pop(DeadlineKind.FIRST_RESPONSE.value, None)
    case.save()
    event = record(case, EventKind.UPDATE, body=body.strip(), by=by, visible=True, at=now)
    mail.case_update(event.pk)
    return event


@transaction.atomic
def case_add_note(*, case: Case, body: str, by: User) -> CaseEvent:
    """An internal note: never shown to the customer, and it does not count as an update."""
    if not body.strip():
        raise InvalidInput({"body": "the note is empty"})
    return record(case, EventKind.NOTE, body=body.strip(), by=by)


@transaction.atomic
def case_customer_reply(*, case: Case, body: str, now: datetime | None = None) -> CaseEvent:
    """The customer writes in the portal; a case waiting on them starts its clock again."""
    if not body.strip():
        raise InvalidInput({"body": "write your message"})
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Status.CLOSED:
        raise ServiceError("This case is closed; open a new one and we will link them.")
    if case.status in {Status.WAITING_CUSTOMER, Status.RESOLVED}:
        move(case, Status.OPEN, now)
        case.save()
    event = record(case, EventKind.CUSTOMER_REPLY, body=body.strip(), visible=True, by_customer=True, at=now)
    mail.customer_replied(event.pk)
    return event


def reopen_clock(case: Case, now: datetime) -> None:
    policy, hours = clock_for(case)
    case.next_update_due = business_hours.add_business_minutes(now, policy.first_response_minutes, hours)
    case.resolution_due = business_hours.add_business_minutes(now, policy.resolution_minutes, hours)
    refresh_next_due(case)


# Resolution and prevention


@dataclass(frozen=True)
class PreventionIn:
    root_cause_category: str
    root_cause: str
    corrective_action: str
    action_owner: User
    action_due: date
    verify_on: date


def prevention_required(case: Case) -> bool:
    current = case_settings()
    return case.category in (current.prevention_categories or []) or case.priority in (
        current.prevention_priorities or []
    )


def check_prevention(step: PreventionIn) -> None:
    errors = {}
    if step.root_cause_category not in RootCause.values:
        errors["root_cause_category"] = f"{step.root_cause_category!r} is not one of: {', '.join(RootCause.values)}"
    if not step.root_cause.strip():
        errors["root_cause"] = "describe the root cause"
    if not step.corrective_action.strip():
        errors["corrective_action"] = "describe the corrective action that stops it happening again"
    if step.verify_on < step.action_due:
        errors["verify_on"] = "verify after the action is due"
    if errors:
        raise InvalidInput(errors)


def problem_for(case: Case, category: str, now: datetime) -> Problem:
    """Group with the problem of a recent case that had the same root cause, or start a new one."""
    window = now - timedelta(days=case_settings().recurrence_days)
    recent = (
        Prevention.objects.filter(root_cause_category=category, recorded_at__gte=window, case__problem__isnull=False)
        .exclude(case=case)
        .select_related("case__problem")
        .order_by("-recorded_at")
        .first()
    )
    if recent is not None and recent.case.problem is not None:
        return recent.case.problem
    return Problem.objects.create(
        title=f"{RootCause(category).label}: {case.subject}"[:200], root_cause_category=category, created_at=now
    )


@transaction.atomic
def case_resolve(
    *, case: Case, by: User | None, summary: str, prevention: PreventionIn | None = None, now: datetime | None = None
) -> Case:
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=case.pk)
    check_may_work(case, by)
    if not case.is_open:
        raise ServiceError("The case is already resolved.")
    if not summary.strip():
        raise InvalidInput({"summary": "tell the customer how it was resolved"})
    if prevention is None and prevention_required(case):
        raise InvalidInput(
            {
                "prevention": f"{Category(case.category).label} and {Priority(case.priority).label} "
                "cases need a root cause and corrective action to be resolved"
            }
        )
    if prevention is not None:
        check_prevention(prevention)
        problem = problem_for(case, prevention.root_cause_category, now)
        if case.recurrence_of is None and problem.cases.exclude(pk=case.pk).exists():
            case.recurrence_of = problem.cases.exclude(pk=case.pk).order_by("-created_at").first()
            case.recurrence_reason = f"same root cause as problem “{problem.title}”"
        case.problem = problem
        Prevention.objects.create(case=case, recorded_at=now, **prevention.__dict__)
        record(
            case,
            EventKind.PREVENTION,
            body=prevention.corrective_action,
            by=by,
            data={"root_cause_category": prevention.root_cause_category},
        )
    case.status = Status.RESOLVED
    case.resolved_at = now
    case.paused_at = None
    case.paused_remaining = {}
    for field in DEADLINE_FIELDS.values():
        setattr(case, field, None)
    case.next_due = None
    case.save()
    record(case, EventKind.RESOLVED, body=summary.strip(), by=by, visible=True, at=now)
    events.audit(actor=by, verb="case.resolved", obj=case)
    webhook_emit(
        event_type="case.resolved", payload=case_payload(case), key=f"case.resolved:{case.pk}:{now.isoformat()}"
    )
    mail.case_resolved(case.pk)
    transaction.on_commit(lambda: loop_case_resolved(case.pk))
    return case


def loop_case_resolved(case_id: int) -> None:
    from advocacy import loop

    loop.case_resolved(case_id)


@transaction.atomic
def prevention_verify(*, prevention: Prevention, by: User, outcome: str, action_done: bool = True) -> Prevention:
    if not outcome.strip():
        raise InvalidInput({"outcome": "say what the check found"})
    now = timezone.now()
    if action_done and prevention.action_done_at is None:
        prevention.action_done_at = now
    prevention.verified_at = now
    prevention.verification = outcome.strip()
    prevention.save(update_fields=["action_done_at", "verified_at", "verification"])
    record(prevention.case, EventKind.PREVENTION, body=f"Verified: {outcome.strip()}", by=by)
    return prevention


# Huddles


@dataclass(frozen=True)
class TaskIn:
    department: Department
    due_at: datetime
    notes: str = ""


@transaction.atomic
def huddle_create(*, case: Case, meeting_at: datetime, by: User, tasks: list[TaskIn], agenda: str = "") -> Huddle:
    """Bring the heads of the departments the case needs together; each head gets a task."""
    check_may_work(case, by)
    if not tasks:
        raise InvalidInput({"tasks": "choose at least one department"})
    if len({t.department.pk for t in tasks}) != len(tasks):
        raise InvalidInput({"tasks": "each department once per huddle"})
    if not case.is_open:
        raise ServiceError("The case is resolved.")
    huddle = Huddle.objects.create(case=case, meeting_at=meeting_at, agenda=agenda.strip(), created_by=by)
    created = HuddleTask.objects.bulk_create(
        HuddleTask(
            huddle=huddle, department=t.department, assignee=t.department.head, due_at=t.due_at, notes=t.notes.strip()
        )
        for t in tasks
    )
    record(
        case,
        EventKind.HUDDLE,
        body=agenda.strip(),
        by=by,
        data={"meeting_at": meeting_at.isoformat(), "departments": [t.department.name for t in tasks]},
    )
    record(
        case,
        EventKind.HUDDLE,
        by=by,
        visible=True,
        body=f"We brought {', '.join(t.department.name for t in tasks)} together to resolve this.",
    )
    task_ids = [t.pk for t in created]
    mail.huddle_tasks_assigned(task_ids)
    return huddle


@transaction.atomic
def task_complete(*, task: HuddleTask, by: User, outcome: str) -> HuddleTask:
    if by.pk != task.assignee_id and by.role != Role.ADMIN:
        raise NotAllowed("Only the department head it is assigned to can complete this task.")
    if task.status == TaskStatus.DONE:
        return task
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.outcome = outcome.strip()
    task.save(update_fields=["status", "done_at", "outcome"])
    record(task.huddle.case, EventKind.TASK, body=outcome.strip(), by=by, data={"department": task.department.name})
    return task


# The sweep


@dataclass(frozen=True)
class SweepResult:
    warned: int
    breached: int
    escalated: int


def record_breaches(now: datetime) -> int:
    """One Breach row per missed deadline, written set-based: deadlines already recorded are left out
    by the query, and the unique constraint catches a sweep running alongside, so a second sweep adds
    nothing."""
    running = Case.objects.filter(status__in=OPEN_STATUSES, paused_at__isnull=True)
    for kind, field in DEADLINE_FIELDS.items():
        recorded = Breach.objects.filter(case=OuterRef("pk"), kind=kind, due_at=OuterRef(field))
        missed = running.filter(**{f"{field}__lt": now}).exclude(Exists(recorded)).values_list("pk", field, "owner_id")
        Breach.objects.bulk_create(
            [Breach(case_id=pk, kind=kind, due_at=due, owner_id=owner, recorded_at=now) for pk, due, owner in missed],
            batch_size=SWEEP_BATCH,
            ignore_conflicts=True,
        )
    new = list(Breach.objects.filter(recorded_at=now).values("pk", "case_id", "kind", "due_at", "owner__username"))
    webhook_emit_many(
        event_type="case.breached",
        payloads=[
            {"case_id": b["case_id"], "deadline": b["kind"], "due_at": b["due_at"], "owner": b["owner__username"]}
            for b in new
        ],
        keys=[f"case.breached:{b['pk']}" for b in new],
    )
    return len(new)


def send_warnings(now: datetime) -> int:
    """Warn each owner once per deadline, shortly before it falls due: one locked read of the cases to
    warn, one UPDATE, one INSERT of timeline rows, and one mail per owner, queued in the same transaction."""
    horizon = now + timedelta(minutes=case_settings().warn_before_minutes)
    due_soon = Case.objects.filter(
        status__in=OPEN_STATUSES, paused_at__isnull=True, next_due__gte=now, next_due__lte=horizon
    ).exclude(warned_for=F("next_due"))
    # The row locks are the claim: a sweep running alongside waits for them, then finds the cases
    # warned (PostgreSQL re-checks the condition on rows it waited for; SQLite runs one writing
    # transaction at a time), so two sweeps warn once.
    claimed = list(due_soon.select_for_update().values_list("pk", "next_due", "owner_id"))
    ids = [pk for pk, _, _ in claimed]
    for start in range(0, len(ids), SWEEP_BATCH):
        Case.objects.filter(pk__in=ids[start : start + SWEEP_BATCH]).update(warned_for=F("next_due"))
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case_id=pk, kind=EventKind.WARNING, at=now, data={"due": due.isoformat() if due else None})
            for pk, due, _ in claimed
        ],
        batch_size=SWEEP_BATCH,
    )
    by_owner: dict[int, list[int]] = {}
    for pk, _, owner in claimed:
        by_owner.setdefault(owner, []).append(pk)
    for owner, cases in by_owner.items():
        mail.deadline_warnings(owner, cases)
    return len(claimed)


def escalate_overdue_tasks(now: datetime) -> int:
    """Escalate each overdue department task once: claimed by a locked read and one UPDATE."""
    overdue = HuddleTask.objects.filter(status=TaskStatus.OPEN, due_at__lt=now, escalated_at__isnull=True)
    ids = list(overdue.select_for_update().values_list("pk", flat=True))
    HuddleTask.objects.filter(pk__in=ids).update(escalated_at=now)
    for pk in ids:
        mail.task_escalated(pk)
    return len(ids)


@transaction.atomic
def cadence_sweep(*, now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    return SweepResult(warned=send_warnings(now), breached=record_breaches(now), escalated=escalate_overdue_tasks(now))


# The closed loop


def feedback_subject(comment: str, limit: int = 80) -> str:
    """A title the customer reads in their mail and portal: their own words, not 'NPS 3'."""
    words = " ".join(comment.split())
    if not words:
        return "Following up on your feedback"
    first = re.split(r"(?<=[.!?])\s", words, maxsplit=1)[0]
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + "…"
    return f"Your feedback: “{first}”"


@transaction.atomic
def case_from_feedback(*, response: Any, now: datetime | None = None) -> Case:
    """A detractor or unhappy answer becomes a case for the primary customer advocate — once.

    If the customer already has an open case, the answer joins it as a note instead of opening another.
    """
    origin = f"response:{response.pk}"
    existing = Case.objects.filter(origin=origin).first()
    if existing is not None:
        return existing
    customer = response.customer
    label = f"{response.kind.upper()} {response.score}"
    open_case = customer.cases.filter(status__in=OPEN_STATUSES).order_by("-created_at").first()
    if open_case is not None:
        if not open_case.events.filter(kind=EventKind.NOTE, data__response=response.pk).exists():
            record(
                open_case,
                EventKind.NOTE,
                body=f"Survey answer {label}: {response.comment or '(no comment)'}",
                data={"response": response.pk},
                at=now,
            )
        return open_case
    try:
        with transaction.atomic():  # case_origin_once says "once" should two clicks on one answer race
            return case_open(
                customer=customer,
                by=None,
                subject=feedback_subject(response.comment),
                description=response.comment,
                category=Category.OTHER,
                source=Source.SURVEY,
                origin=origin,
                priority=Priority.HIGH if response.score <= (3 if response.kind == "nps" else 1) else Priority.NORMAL,
                now=now,
            )
    except IntegrityError:
        raced = Case.objects.filter(origin=origin).first()
        if raced is None:
            raise
        return raced


@transaction.atomic
def case_add_feedback_comment(*, response: Any) -> None:
    """A comment added after the score reaches the case the score opened."""
    case = Case.objects.filter(origin=f"response:{response.pk}").first()
    if case is not None and response.comment:
        record(
            case,
            EventKind.NOTE,
            body=f"Customer's comment: {response.comment}",
            data={"response": response.pk, "comment": True},
        )


@transaction.atomic
def case_feedback_changed(*, response: Any, before: int, withdrawn: bool) -> Case | None:
    """The customer changed the answer that opened this case (or joined it as a note): say so on the case.

    ``withdrawn`` says the answer is no longer unhappy: the follow-up is withdrawn, and the note says so
    for the owner, who closes the case. It is not closed for them: the customer was already told that
    we have their request, and a person decides whether a word is owed. Recording the same change twice
    writes one note.
    """
    case = (
        Case.objects.filter(origin=f"response:{response.pk}").first()
        or Case.objects.filter(events__kind=EventKind.NOTE, events__data__response=response.pk)
        .order_by("-created_at")
        .first()
    )
    if case is None or not case.is_open:
        return None
    change = f"{response.kind.upper()} {before} → {response.score}"
    marker = {"response": response.pk, "score_change": change, "changed_at": response.updated_at.isoformat()}
    if case.events.filter(
        kind=EventKind.NOTE, data__score_change=change, data__changed_at=marker["changed_at"]
    ).exists():
        return case
    if withdrawn:
        body = (
            f"The customer changed their survey answer from {change}: the follow-up this case was opened "
            "for is withdrawn. Check with the customer if a word is owed, then close the case."
        )
    else:
        body = f"The customer changed their survey answer from {change}; the follow-up stands."
    record(case, EventKind.NOTE, body=body, data={**marker, "withdrawn": withdrawn})
    events.audit(
        actor=None,
        verb="case.feedback_withdrawn" if withdrawn else "case.feedback_changed",
        obj=case,
        data={"response": response.pk, "change": change},
        label="loop",
    )
    return case


# Settings


@transaction.atomic
def case_settings_update(*, by: User, **fields: Any) -> CaseSettings:
    current = stored_case_settings()
    for field, value in fields.items():
        setattr(current, field, value)
    current.save()
    events.audit(actor=by, verb="case_settings.updated", obj=current, data={k: str(v) for k, v in fields.items()})
    return current


@transaction.atomic
def cadence_policy_update(
    *, policy: CadencePolicy, by: User, first_response_minutes: int, update_every_minutes: int, resolution_minutes: int
) -> CadencePolicy:
    """New promises apply to deadlines set from now on; running deadlines keep the promise already made."""
    if min(first_response_minutes, update_every_minutes, resolution_minutes) <= 0:
        raise InvalidInput({"first_response_minutes": "every promise needs a positive number of minutes"})
    policy.first_response_minutes = first_response_minutes
    policy.update_every_minutes = update_every_minutes
    policy.resolution_minutes = resolution_minutes
    policy.save()
    events.audit(actor=by, verb="cadence_policy.updated", obj=policy)
    return policy


@transaction.atomic
def case_from_mention(
    *, customer: Customer, mention_id: int, text: str, url: str, where: str, now: datetime | None = None
) -> Case:
    """A known customer's negative public mention becomes a case for their customer advocate — once; with
    a case already open it joins that case as a note."""
    origin = f"mention:{mention_id}"
    existing = Case.objects.filter(origin=origin).first()
    if existing is not None:
        return existing
    body = f"Public mention on {where}: {text}" + (f"\n{url}" if url else "")
    open_case = customer.cases.filter(status__in=OPEN_STATUSES).order_by("-created_at").first()
    if open_case is not None:
        if not open_case.events.filter(kind=EventKind.NOTE, data__mention=mention_id).exists():
            record(open_case, EventKind.NOTE, body=body, data={"mention": mention_id}, at=now)
        return open_case
    return case_open(
        customer=customer,
        by=None,
        subject=f"Follow up on a negative mention on {where}"[:200],
        description=body,
        source=Source.SOCIAL,
        origin=origin,
        now=now,
    )


QUEUE_VIEWS_PER_USER = 30


def queue_view_save(*, owner: User, name: str, query: str) -> QueueView:
    """Save the queue's filters under a name (the same name again replaces them)."""
    name = name.strip()
    if not name:
        raise InvalidInput({"name": "give the view a name"})
    existing = QueueView.objects.filter(owner=owner, name=name).first()
    if existing is None and QueueView.objects.filter(owner=owner).count() >= QUEUE_VIEWS_PER_USER:
        raise InvalidInput({"name": f"you have {QUEUE_VIEWS_PER_USER} saved views; remove one first"})
    view, _ = QueueView.objects.update_or_create(owner=owner, name=name, defaults={"query": query.lstrip("?")})
    return view


def queue_view_delete(*, view: QueueView) -> None:
    view.delete()
