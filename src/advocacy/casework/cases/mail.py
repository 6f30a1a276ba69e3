"""The mails casework sends, each queued in the outbox under a key so it goes once.

The services queue them in the transaction of the change they tell of, not after it commits: the outbox
row and its send job then commit with the change or not at all, so a process killed between the commit
and an after-commit hook cannot lose the mail (tests/feedback/test_follow_up_crash.py).

Times for the customer are written in the customer's own zone ("Tue 14:00, your time").
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.casework.cases.queries import customer_promise
from advocacy.casework.models import Case, CaseEvent, HuddleTask
from advocacy.core.links import absolute_url
from advocacy.core.timefmt import in_zone
from advocacy.outreach.mail.services import mail_customer, mail_queue


def portal_link() -> str:
    return absolute_url("portal:home")


def staff_link(case: Case) -> str:
    return absolute_url("casework:case_detail", case_id=case.pk)


def to_customer(case: Case, key: str, subject: str, template: str, **context: object) -> None:
    values = {
        "case": case,
        "promise": customer_promise(case),
        "portal": portal_link(),
        "company": settings.COMPANY_NAME,
        **context,
    }
    mail_customer(
        customer=case.customer,
        key=key,
        subject=subject,
        text=render_to_string(f"casework/email/{template}.txt", values),
    )


def case_acknowledged(case_id: int) -> None:
    case = Case.objects.select_related("customer", "owner").get(pk=case_id)
    to_customer(case, f"case-opened:{case.pk}", f"We have your request: {case.subject} [#{case.pk}]", "opened")


def case_update(event_id: int) -> None:
    event = CaseEvent.objects.select_related("case__customer", "case__owner", "actor").get(pk=event_id)
    case = event.case
    to_customer(
        case, f"case-update:{event.pk}", f"Update on your request: {case.subject} [#{case.pk}]", "update", event=event
    )


def case_resolved(case_id: int) -> None:
    case = Case.objects.select_related("customer", "owner").get(pk=case_id)
    summary = case.events.filter(kind="resolved").order_by("-at").first()
    to_customer(
        case,
        f"case-resolved:{case.pk}:{case.resolved_at.isoformat() if case.resolved_at else ''}",
        f"Resolved: {case.subject} [#{case.pk}]",
        "resolved",
        summary=summary.body if summary else "",
    )


def to_staff(key: str, to: str, subject: str, text: str) -> None:
    if to:
        mail_queue(key=key, to=to, subject=subject, text=text)


def reply_notice_key(event_id: int) -> str:
    """The key of the owner's notice of a customer's reply (erasure finds the notices by it)."""
    return f"case-reply:{event_id}"


def customer_replied(event_id: int) -> None:
    event = CaseEvent.objects.select_related("case__owner", "case__customer").get(pk=event_id)
    case = event.case
    to_staff(
        reply_notice_key(event.pk),
        case.owner.email,
        f"{case.customer} replied on #{case.pk} {case.subject}",
        f"{event.body}\n\n{staff_link(case)}\n",
    )


def deadline_warnings(owner_id: int, case_ids: list[int]) -> None:
    """One mail to the owner listing every promise of theirs that falls due soon: a busy customer
    advocate gets one mail per sweep, not one per case."""
    cases = list(
        Case.objects.filter(pk__in=case_ids, owner_id=owner_id, next_due__isnull=False)
        .select_related("owner", "customer")
        .order_by("next_due", "pk")
    )
    if not cases:
        return
    owner = cases[0].owner
    zone = owner.time_zone or "UTC"
    lines = [f"- #{c.pk} {c.subject} ({c.customer}): due {in_zone(c.next_due, zone)}\n  {staff_link(c)}" for c in cases]
    claim = ",".join(f"{c.pk}@{c.next_due.isoformat() if c.next_due else ''}" for c in cases)
    first = cases[0]
    subject = (
        f"Due soon: #{first.pk} {first.subject}"
        if len(cases) == 1
        else f"Due soon: {len(cases)} promises, the first #{first.pk} {first.subject}"
    )
    to_staff(
        f"case-warnings:{owner.pk}:{hashlib.sha256(claim.encode()).hexdigest()[:32]}",
        owner.email,
        subject,
        f"These promises to customers fall due soon (times in {zone}):\n\n" + "\n".join(lines) + "\n",
    )


def huddle_tasks_assigned(task_ids: list[int]) -> None:
    for task in HuddleTask.objects.filter(pk__in=task_ids).select_related("huddle__case", "assignee", "department"):
        case = task.huddle.case
        zone = task.assignee.time_zone or "UTC"
        to_staff(
            f"huddle-task:{task.pk}",
            task.assignee.email,
            f"{task.department}: a task on case #{case.pk} {case.subject}",
            f"Due {in_zone(task.due_at, zone)} ({zone}). Huddle at {in_zone(task.huddle.meeting_at, zone)}.\n\n"
            f"{task.notes}\n\n{absolute_url('casework:my_tasks')}\n",
        )


def task_escalated(task_id: int) -> None:
    task = HuddleTask.objects.select_related("huddle__case__owner", "assignee", "department").get(pk=task_id)
    case = task.huddle.case
    text = (
        f"The {task.department} task on case #{case.pk} ({case.subject}) is overdue since "
        f"{task.due_at:%Y-%m-%d %H:%M} UTC.\n\n{task.notes}\n\n{staff_link(case)}\n"
    )
    to_staff(
        f"task-escalated-head:{task.pk}", task.assignee.email, f"Overdue: {task.department} task on #{case.pk}", text
    )
    to_staff(
        f"task-escalated-owner:{task.pk}", case.owner.email, f"Overdue: {task.department} task on #{case.pk}", text
    )
