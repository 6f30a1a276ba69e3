"""Reads for the case queue, the case page, department heads' tasks, prevention and SLA reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from advocacy.casework.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Breach,
    Case,
    CaseEvent,
    DeadlineKind,
    HuddleTask,
    Prevention,
    QueueView,
    RootCause,
    Status,
    TaskStatus,
)
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.core.proportions import share_with_interval
from advocacy.core.roles import CASE_READERS, Role
from advocacy.core.timefmt import in_zone
from advocacy.customers.models import Customer

QUEUE_STATES: dict[str, list[str]] = {
    "open": [str(s) for s in OPEN_STATUSES],
    "resolved": [Status.RESOLVED.value],
    "closed": [Status.CLOSED.value],
    "all": [s.value for s in Status],
}


@dataclass(frozen=True)
class CaseFilters:
    """What a report's figure narrows the queue to (its drill-down): when the cases were opened (local
    dates, both inclusive), whether a promise was missed, the root cause, recurrences, the owner."""

    opened_from: date | None = None
    opened_to: date | None = None
    promise: str = ""  # "kept", "missed", or a DeadlineKind: that promise missed
    root_cause: str = ""
    recurrence: bool = False
    owner_id: int | None = None

    def condition(self) -> Q:
        found = Q()
        if self.opened_from:
            found &= Q(created_at__gte=local_midnight(self.opened_from))
        if self.opened_to:
            found &= Q(created_at__lt=local_midnight(self.opened_to + timedelta(days=1)))
        if self.promise:
            breaches = Breach.objects.filter(case=OuterRef("pk"))
            if self.promise in DeadlineKind.values:
                breaches = breaches.filter(kind=self.promise)
            found &= ~Q(Exists(breaches)) if self.promise == "kept" else Q(Exists(breaches))
        if self.root_cause:
            found &= Q(prevention__root_cause_category=self.root_cause)
        if self.recurrence:
            found &= Q(recurrence_of__isnull=False)
        if self.owner_id:
            found &= Q(owner_id=self.owner_id)
        return found


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def queue(
    *,
    owner: User | None = None,
    state: str = "open",
    status: str = "",
    priority: str = "",
    overdue_only: bool = False,
    text: str = "",
    narrow: CaseFilters | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The queue: open cases the next promise due first, paused cases (waiting on the customer) last;
    resolved and closed cases (``state``) the most recently finished first; ``narrow`` is a report's
    drill-down."""
    now = now or timezone.now()
    cases = (
        Case.objects.filter(status__in=QUEUE_STATES[state])
        .select_related("customer", "owner")
        .annotate(overdue=ExpressionWrapper(Q(next_due__lt=now), output_field=BooleanField()))
    )
    if owner is not None:
        cases = cases.filter(owner=owner)
    if status:
        cases = cases.filter(status=status)
    if priority:
        cases = cases.filter(priority=priority)
    if overdue_only:
        cases = cases.filter(next_due__lt=now)
    if text:
        cases = cases.filter(text_matches(text))
    if narrow is not None:
        cases = cases.filter(narrow.condition())
    if state == "open":
        return cases.order_by(F("next_due").asc(nulls_last=True), "id")
    return cases.order_by(F("resolved_at").desc(nulls_last=True), "-id")


def text_matches(text: str) -> Q:
    """A case number ("#123" or "123"), or words found in the subject or the customer's name or email."""
    number = text.strip().lstrip("#")
    if number.isdigit() and len(number) <= 12:
        return Q(pk=int(number))
    found = Q()
    for word in text.split()[:5]:
        found &= (
            Q(subject__icontains=word)
            | Q(customer__first_name__icontains=word)
            | Q(customer__last_name__icontains=word)
            | Q(customer__email__icontains=word)
        )
    return found


def queue_views_for(user: User) -> QuerySet[QueueView]:
    return QueueView.objects.filter(owner=user).order_by("name")


def case_with_customer(case_id: int) -> Case:
    """The case with its customer and owner, or 404."""
    return get_object_or_404(Case.objects.select_related("customer", "owner"), pk=case_id)


def cases_matching(
    cases: QuerySet[Case],
    *,
    owner_id: int | None = None,
    customer_id: int | None = None,
    status: str = "",
    priority: str = "",
    open: bool | None = None,
) -> QuerySet[Case]:
    """The API's case list: the caller's visible cases narrowed by filters, the next promise due first."""
    for field, value in (
        ("owner_id", owner_id),
        ("customer_id", customer_id),
        ("status", status),
        ("priority", priority),
    ):
        if value:
            cases = cases.filter(**{field: value})
    if open is not None:
        cases = cases.filter(status__in=OPEN_STATUSES) if open else cases.exclude(status__in=OPEN_STATUSES)
    return cases.order_by(F("next_due").asc(nulls_last=True), "id")  # paused cases last, on every database


def visible_cases_for(user: User, *, role: str = "") -> QuerySet[Case]:
    """Department heads see only the cases whose huddles gave them a task; sales see none.

    `role` is the role the caller acts in (an API key's role), which defaults to the user's own.
    """
    role = role or user.role
    if role == Role.DEPARTMENT_HEAD:
        return Case.objects.filter(Exists(HuddleTask.objects.filter(huddle__case=OuterRef("pk"), assignee=user)))
    if role in CASE_READERS:
        return Case.objects.all()
    return Case.objects.none()


def openable_case_ids(user: User) -> set[int] | None:
    """The cases this member of staff may open, where that is not all of them (None: all)."""
    if user.role in CASE_READERS:
        return None
    return set(visible_cases_for(user).values_list("pk", flat=True))


@dataclass
class Deadline:
    label: str
    due: datetime | None
    met_at: datetime | None
    breached: bool


def deadlines(case: Case) -> list[Deadline]:
    """Every promise of the case, not only the next."""
    breaches = set(case.breaches.values_list("kind", "due_at"))
    breached = {kind for kind, _ in breaches}
    paused = case.paused_at is not None

    def missed(kind: str, due: datetime | None, met_at: datetime | None) -> bool:
        # This promise, not an earlier one of the same kind: an update promise is renewed by every
        # update, so a breach of the last one says nothing of the one now due.
        if due is None:  # met and cleared (a first response): missed if it was breached before
            return met_at is not None and kind in breached
        return (kind, due) in breaches or (met_at is not None and met_at > due)

    return (
        [
            Deadline(
                "First response",
                case.first_response_due,
                case.first_response_at,
                missed("first_response", case.first_response_due, case.first_response_at),
            ),
            Deadline(
                "Next update to the customer", case.next_update_due, None, missed("update", case.next_update_due, None)
            ),
            Deadline(
                "Resolution",
                case.resolution_due,
                case.resolved_at,
                missed("resolution", case.resolution_due, case.resolved_at),
            ),
        ]
        if not paused
        else [
            Deadline(f"{label} (paused: waiting on the customer)", None, None, kind in breached)
            for label, kind in (
                ("First response", "first_response"),
                ("Next update", "update"),
                ("Resolution", "resolution"),
            )
        ]
    )


def timeline(case: Case, *, customer_view: bool = False) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor").order_by("at", "id")
    return events.filter(visible_to_customer=True) if customer_view else events


def cases_of_customer(customer_id: int, *, limit: int = 20) -> list[Case]:
    return list(Case.objects.filter(customer_id=customer_id).select_related("owner").order_by("-created_at")[:limit])


def tasks_for(user: User, *, include_done: bool = False) -> QuerySet[HuddleTask]:
    tasks = HuddleTask.objects.filter(assignee=user).select_related("huddle__case__customer", "department")
    if not include_done:
        tasks = tasks.filter(status=TaskStatus.OPEN)
    return tasks.order_by("due_at")


def sla_by_owner(*, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
    """SLA met % per customer advocate: cases opened in the period without any breach, with n and the
    95% Wilson interval of the share."""
    until = until or timezone.now()
    rows = (
        Case.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(n=Count("id", distinct=True), breached=Count("id", filter=Q(breaches__isnull=False), distinct=True))
        .order_by("owner__username")
    )
    return [_with_share({**row, "met": row["n"] - row["breached"]}) for row in rows]


def _with_share(row: dict[str, Any]) -> dict[str, Any]:
    share, low, high = share_with_interval(row["met"], row["n"])
    return row | {"met_pct": round(share, 1) if share is not None else None, "low": low, "high": high}


def sla_team(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return _with_share({"n": sum(r["n"] for r in rows), "met": sum(r["met"] for r in rows)})


def breaches_by_kind(*, since: datetime, until: datetime | None = None) -> dict[str, int]:
    """Cases opened in the period that missed each kind of promise (a case counts once per kind)."""
    opened = Q(case__created_at__gte=since) & (Q(case__created_at__lt=until) if until else Q())
    return dict(
        Breach.objects.filter(opened)
        .values_list("kind")
        .annotate(n=Count("case", distinct=True))
        .values_list("kind", "n")
    )


def top_root_causes(*, since: datetime) -> list[dict[str, Any]]:
    """Root causes recorded for the cases opened since ``since``, the most frequent first."""
    rows = (
        Prevention.objects.filter(case__created_at__gte=since)
        .values("root_cause_category")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [{**r, "label": RootCause(r["root_cause_category"]).label} for r in rows]


def corrective_actions(*, now: datetime | None = None) -> dict[str, QuerySet[Prevention]]:
    now = now or timezone.now()
    pending = Prevention.objects.filter(verified_at__isnull=True).select_related("case", "action_owner")
    return {
        "overdue": pending.filter(action_due__lt=now.date(), action_done_at__isnull=True).order_by("action_due"),
        "open": pending.filter(Q(action_due__gte=now.date()) | Q(action_done_at__isnull=False)).order_by("verify_on"),
    }


def last_months(months: int, now: datetime | None = None) -> list[date]:
    """The first day of each of the last ``months`` months in the company's time zone, oldest first."""
    today = timezone.localtime(now or timezone.now()).date()
    starts = [today.replace(day=1)]
    while len(starts) < months:
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return starts[::-1]


def _cases_by_month(counted: Q, *, months: int, now: datetime | None) -> list[tuple[date, int, int]]:
    """(month, cases matching ``counted``, cases) for cases opened in each local month, empty months too."""
    starts = last_months(months, now)
    rows = (
        Case.objects.filter(created_at__gte=local_midnight(starts[0]))
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("id", distinct=True), hits=Count("id", filter=counted, distinct=True))
        .order_by("month")
    )
    found = {_as_local_date(r["month"]): (r["hits"], r["n"]) for r in rows}
    return [(start, *found.get(start, (0, 0))) for start in starts]


def _as_local_date(moment: date | datetime) -> date:
    return timezone.localtime(moment).date() if isinstance(moment, datetime) else moment


def promises_kept_by_month(*, months: int = 12, now: datetime | None = None) -> list[tuple[date, int, int]]:
    """Per local month: cases opened that kept every promise, and cases opened."""
    return _cases_by_month(Q(breaches__isnull=True), months=months, now=now)


def recurrence_by_month(*, months: int = 12, now: datetime | None = None) -> list[dict[str, Any]]:
    """Share of new cases flagged as a recurrence, per local month (empty months too), with n."""
    return [
        {"month": month, "n": n, "recurring": hits, "rate": round(100 * hits / n, 1) if n else None}
        for month, hits, n in _cases_by_month(Q(recurrence_of__isnull=False), months=months, now=now)
    ]


def breach_kind_labels(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, label as people read it, count), in the order promises are made."""
    return [(kind.value, str(kind.label), counts[kind.value]) for kind in DeadlineKind if counts.get(kind.value)]


def open_counts_by_status() -> dict[str, int]:
    """Open cases per status, keyed by the status as people read it ("Waiting on the customer")."""
    counts = dict(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {str(Status(status).label): counts[status] for status in OPEN_STATUSES if status in counts}


def customer_advocates() -> QuerySet[User]:
    return User.objects.filter(role=Role.CUSTOMER_ADVOCATE, is_active=True, is_service=False).order_by(
        "first_name", "username"
    )


STATUS_LABELS = dict(Status.choices)


def customer_of(data: dict[str, Any]) -> Customer:
    """The case's customer, else the one named."""
    case: Case | None = data.get("case")
    customer: Customer | None = case.customer if case is not None else data.get("customer")
    if customer is None:
        raise InvalidInput({"customer_id": "give a case_id or a customer_id"})
    return customer


def customer_promise(case: Case) -> str:
    """'by Tue 14 Jan 14:00, your time' — or why there is no date."""
    if case.paused_at is not None:
        return "as soon as you reply (we are waiting on you)"
    due = case.next_update_due or case.first_response_due
    return f"by {in_zone(due, case.customer.time_zone)}, your time" if due else ""


@dataclass
class AdvocateDay:
    due_today: list[Case]
    overdue: int
    open_cases: int
    appointments: list[Any]


def advocate_day(user: User, *, now: datetime | None = None) -> AdvocateDay:
    """A customer advocate's morning: their promises due by the end of today (in their own zone, the
    overdue first), how many are overdue, and their appointments in the next seven days."""
    now = now or timezone.now()
    zone = ZoneInfo(user.time_zone or "UTC")
    end_of_day = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time.min, tzinfo=zone)
    mine = queue(owner=user, now=now)
    counts = mine.aggregate(open_cases=Count("id"), overdue=Count("id", filter=Q(next_due__lt=now)))
    return AdvocateDay(
        due_today=list(mine.filter(next_due__lt=end_of_day)[:15]),
        overdue=counts["overdue"],
        open_cases=counts["open_cases"],
        appointments=list(
            Appointment.objects.filter(
                staff=user, status=AppointmentStatus.BOOKED, starts_at__gte=now, starts_at__lt=now + timedelta(days=7)
            )
            .select_related("customer")
            .order_by("starts_at")[:10]
        ),
    )
