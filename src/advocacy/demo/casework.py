"""Casework for the demo company: four months of cases, replayed through the casework services.

A business calendar with holidays, cadence policies, departments led by the demo's department heads,
and the customer advocates' availability come first. Then a few hundred cases, drawn from the demo
seed, are replayed in the order they were opened: each is opened, answered, updated, sometimes
transferred, huddled over, paused while waiting on the customer, and resolved with a prevention
step, by the same services the pages call, with the moment of each step passed in (or, where a
service always stamps "now", moved back to it afterwards). So every invariant holds as it would in
production: one owner at every moment, deadlines in business hours, breaches recorded once, problems
grouping recurrences. Finally the loop rule runs for the latest survey wave's unhappy answers, as it
would have when they came in, and a few appointments are booked in the days ahead.

History mails nobody: what the services queue for after commit while the past is replayed is
dropped. Only the appointments, booked now, send their calendar invitations.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from advocacy import loop
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments import slots as appointments_slots
from advocacy.casework.cases import services
from advocacy.casework.models import (
    Appointment,
    BusinessCalendar,
    CadencePolicy,
    Case,
    CaseEvent,
    Category,
    Department,
    Holiday,
    Huddle,
    HuddleTask,
    Prevention,
    Priority,
    Recommendation,
    RecommendationOutcome,
    ReplyTemplate,
    RootCause,
    Source,
    Status,
    TaskStatus,
    Transfer,
)
from advocacy.casework.recommendations import services as recommending
from advocacy.casework.replies import services as replies
from advocacy.core.errors import ServiceError
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.customers.models import ContactWindow, Customer
from advocacy.feedback import scales
from advocacy.feedback.models import Response, SurveyKind
from advocacy.outreach.mail.services import mails_cancel_after
from advocacy.outreach.models import OutboundMail

if TYPE_CHECKING:
    from advocacy.demo.generator import CompanyPlan, CustomerPlan

T = TypeVar("T")

CASE_DAYS = 120  # how far back the case history goes
CUSTOMERS_PER_CASE = 28  # 5,000 customers → about 180 cases, and the loop opens more
MIN_CASES, MAX_CASES = 30, 240
MAX_UPDATES = 6  # a long-running case gets this many progress updates; after that it goes quiet
LOOP_WINDOW = timedelta(days=14)  # the latest wave's answers: those of its last two weeks
APPOINTMENTS = 8
OPEN_PER_ADVOCATE = 4  # recent cases still open for each customer advocate, beside the drawn ones
OPEN_ENDINGS: dict[str, int] = {Status.OPEN: 45, Status.WAITING_CUSTOMER: 30, Status.WAITING_DEPARTMENT: 25}

CALENDAR = "Office hours"  # the calendar casework uses by default, here set to the New York office
CADENCE = {  # business minutes: first response, update at least every, resolution
    Priority.URGENT: (30, 120, 600),
    Priority.HIGH: (60, 240, 1200),
    Priority.NORMAL: (240, 600, 3000),
    Priority.LOW: (600, 1200, 6000),
}
DEPARTMENTS = {  # name → username of its head
    "Billing": "head",
    "Engineering": "head2",
    "Product": "head2",
    "Logistics": "head3",
    "Field Service": "head3",
}
DEPARTMENT_FOR = {
    Category.BILLING: "Billing",
    Category.TECHNICAL: "Engineering",
    Category.DELIVERY: "Logistics",
    Category.ACCOUNT: "Billing",
    Category.PRODUCT: "Product",
    Category.SERVICE: "Field Service",
    Category.OTHER: "Product",
}
AVAILABILITY = (
    "Mon-Fri 09:00-17:00",
    "Mon-Thu 08:00-16:00; Fri 08:00-12:00",
    "Mon-Fri 10:00-18:00",
    "Mon-Wed 09:00-17:00; Thu-Fri 12:00-18:00",
)


@dataclass(frozen=True)
class Template:
    subject: str
    description: str
    needs: tuple[str, ...] = ()


TEMPLATES: dict[str, tuple[Template, ...]] = {
    Category.BILLING: (
        Template("Charged twice for this month's invoice", "Our card was charged twice for the same invoice."),
        Template(
            "Invoice bills seats we removed", "We went down to fewer seats last month; the invoice has the old count."
        ),
        Template("VAT number missing on invoices", "Our finance team cannot book invoices without our VAT number."),
        Template("Renewal price higher than quoted", "The renewal invoice is higher than the quote sales sent us."),
    ),
    Category.TECHNICAL: (
        Template("Dashboard export fails", "Exporting the monthly dashboard to CSV stops with 'export failed'."),
        Template(
            "Single sign-on sends users back to sign-in", "Since this morning SSO users land on the sign-in page again."
        ),
        Template("API rate limit during the nightly sync", "Our nightly integration is throttled halfway through."),
        Template("Mobile app closes on start", "The Android app closes right after the splash screen."),
        Template("Reports missing yesterday's data", "The daily report stops at midnight the day before."),
    ),
    Category.DELIVERY: (
        Template("Onboarding kit not delivered", "The hardware kit we ordered two weeks ago has not arrived."),
        Template("Parcel delivered to the wrong office", "The courier left our order at another company's reception."),
        Template("Scanner damaged in transit", "One of the barcode scanners arrived with a cracked screen."),
    ),
    Category.ACCOUNT: (
        Template("Hand the account to a new admin", "Our admin is leaving; please move the admin rights to me."),
        Template("Cannot add new users", "We get 'seat limit reached' although we bought more seats."),
        Template("Merge two duplicate accounts", "We have two accounts after the acquisition and want one."),
    ),
    Category.PRODUCT: (
        Template(
            "Looking for single sign-on", "Our security team wants every tool behind our identity provider.", ("sso",)
        ),
        Template(
            "Need deeper reporting and analytics",
            "Management wants trends and cohort analysis, not only counts.",
            ("reporting", "analytics"),
        ),
        Template(
            "Is there a cheaper plan for our small team?",
            "We only use the reports and the mobile app now.",
            ("reporting", "mobile"),
        ),
        Template(
            "API access for our data warehouse",
            "We want to load our data nightly into our warehouse.",
            ("api", "integrations"),
        ),
        Template(
            "Round-the-clock support for our operations team",
            "Our operations run at night too and need someone to call.",
            ("support_24x7",),
        ),
    ),
    Category.SERVICE: (
        Template("On-site set-up visit", "We would like help setting up the devices in our new office."),
        Template("Training for new staff", "Ten new colleagues start next month and need an introduction."),
    ),
    Category.OTHER: (
        Template("How long do you keep our data?", "Our auditors ask for your data retention policy."),
        Template("Feedback on the new interface", "The new navigation hides the reports we use every day."),
    ),
}
CATEGORY_WEIGHTS: dict[str, int] = {
    Category.BILLING: 24,
    Category.TECHNICAL: 30,
    Category.DELIVERY: 10,
    Category.ACCOUNT: 10,
    Category.PRODUCT: 12,
    Category.SERVICE: 6,
    Category.OTHER: 8,
}
PRIORITY_WEIGHTS: dict[str, int] = {Priority.URGENT: 6, Priority.HIGH: 22, Priority.NORMAL: 57, Priority.LOW: 15}
TYPICAL_DAYS = {Priority.URGENT: 0.5, Priority.HIGH: 1.5, Priority.NORMAL: 3.0, Priority.LOW: 5.0}  # to resolve
SOURCE_WEIGHTS: dict[str, int] = {
    Source.PORTAL: 35,
    Source.EMAIL: 30,
    Source.PHONE: 20,
    Source.SOCIAL: 5,
    Source.MANUAL: 10,
}
PREVENTION = {  # category → (root cause category, root cause, corrective action)
    Category.BILLING: (
        (
            RootCause.BILLING_SYSTEM,
            "A failed card payment was retried without checking whether the first attempt had gone through.",
            "Make payment retries idempotent on the invoice number and alert finance on any double charge.",
        ),
        (
            RootCause.PROCESS,
            "Seat changes made in the last days of the month reached billing after the invoice run.",
            "Close seat changes two days before the invoice run and check the seat count on every invoice.",
        ),
    ),
    Category.TECHNICAL: (
        (
            RootCause.PRODUCT_DEFECT,
            "A release changed the export format without migrating saved dashboards.",
            "Add an export regression test to the release checklist.",
        ),
        (
            RootCause.DOCUMENTATION,
            "The single sign-on guide left out the redirect address the identity provider needs.",
            "Correct the guide and check the redirect address in the set-up screen.",
        ),
    ),
    Category.DELIVERY: (
        (
            RootCause.SUPPLIER,
            "The courier mislabelled parcels from the regional warehouse.",
            "Print our own labels and track every parcel until it is signed for.",
        ),
    ),
    Category.ACCOUNT: (
        (
            RootCause.TRAINING,
            "Support staff did not know how to move admin rights or seat limits.",
            "Add account changes to the support onboarding and the help centre.",
        ),
    ),
    Category.PRODUCT: (
        (
            RootCause.CUSTOMER_EXPECTATION,
            "The plan's limits were not explained when the customer bought it.",
            "Sales share the plan comparison with every new customer before the order.",
        ),
    ),
    Category.SERVICE: (
        (
            RootCause.PROCESS,
            "Visits were booked without checking the engineer's calendar.",
            "Book visits only through the shared field-service calendar.",
        ),
    ),
    Category.OTHER: (
        (
            RootCause.DOCUMENTATION,
            "The help centre answer was out of date.",
            "Review the fifty most read help articles every quarter.",
        ),
    ),
}
FIRST_RESPONSES = (
    "Thank you for telling us. I own this request and will keep you posted until it is solved.",
    "I have your request and I am looking into it now; you will hear from me at every step.",
    "Sorry for the trouble. I am on it and have asked the team that can fix it for details.",
)
PROGRESS = (
    "A short update: the team has found where it goes wrong and is working on a fix.",
    "We are still on it. The specialist team expects an answer by tomorrow.",
    "Progress: the change is being tested now; I will confirm once it is live for you.",
    "I have chased the team again today; nothing for you to do yet.",
    "The fix is ready; we are checking it on your account before we close this.",
)
NOTES = (
    "Checked the account history: no similar issue in the last year.",
    "Customer sounded frustrated on the phone; keep updates short and frequent.",
    "Asked the department head for an estimate; waiting on their reply.",
    "Renewal is in two months, so this one matters for retention.",
    "Linked the internal ticket in the engineering tracker.",
)
QUESTIONS = (
    "Could you send us a screenshot of the error and the time it happened?",
    "Could you confirm the invoice number and the amount charged?",
    "Which of your offices should we deliver to, and who signs for it?",
)
REPLIES = (
    "Here it is, attached. It happened at about 9 this morning.",
    "The invoice number is in the attachment; both charges are on the same day.",
    "Please send it to our main office; our office manager will sign for it.",
)
RESOLUTIONS = {
    Category.BILLING: "The duplicate charge is refunded and your invoice is corrected.",
    Category.TECHNICAL: "The fix is live and we checked it on your account.",
    Category.DELIVERY: "A replacement was delivered and signed for.",
    Category.ACCOUNT: "Your account is updated as you asked.",
    Category.PRODUCT: "We went through the options together and you chose what fits best.",
    Category.SERVICE: "The visit took place and your team is set up.",
    Category.OTHER: "We answered your question and updated our help centre.",
}
SURVEY_RESOLUTION = "Thank you for the honest answer. We talked it through and fixed what went wrong for you."
TRANSFER_REASONS = (
    "Going on leave for two weeks; handing over with a full briefing.",
    "Better placed in the customer's time zone.",
    "Specialist in this area and already knows the account.",
)
TASK_NOTES = {
    "Billing": "Check the payment log and refund anything charged twice.",
    "Engineering": "Find the cause and give us a date for the fix.",
    "Product": "Advise which plan or add-on fits what the customer needs.",
    "Logistics": "Trace the shipment and send a replacement if it is lost or damaged.",
    "Field Service": "Book an engineer and confirm the visit with the customer advocate.",
}


@dataclass
class Story:
    """One case as it will have happened."""

    person: CustomerPlan
    opened: datetime
    category: str
    template: Template
    priority: str
    source: str
    ending: str  # the status it has today
    resolved_at: datetime | None
    transfer: bool
    huddle: bool
    prevention: bool
    answer: int | None = None  # the survey answer whose follow-up this is, opened by the loop


@dataclass
class Casework:
    """What the replay needs at hand."""

    rng: random.Random
    present: datetime
    staff: dict[str, User]
    customers: dict[int, Customer]
    departments: dict[str, Department]
    advocates: list[User]


# --- entry point --------------------------------------------------------------------------------


def write_casework(plan: CompanyPlan, staff: dict[str, User]) -> dict[str, int]:
    """The demo company's casework; returns what it wrote, for the summary."""
    rng = random.Random(plan.seed * 7919 + 4)
    present = min(timezone.now(), datetime.combine(plan.today, time(17), tzinfo=UTC))
    with history_without_mail():
        calendar = write_calendar(plan.today)
        write_policies(calendar, staff)
        work = Casework(
            rng=rng,
            present=present,
            staff=staff,
            customers=demo_customers(plan),
            departments=write_departments(staff),
            advocates=[u for u in staff.values() if u.role == Role.CUSTOMER_ADVOCATE],
        )
        write_availability(work.advocates)
        stories = (
            plan_stories(rng, plan, present) + queue_stories(rng, plan, present) + answer_stories(rng, plan, present)
        )
        stories.sort(key=lambda s: (s.opened, s.answer or 0))
        cases = [case for case in (replay(work, story) for story in stories) if case is not None]
        write_recommendations(work, cases)
        services.cadence_sweep(now=present)
    booked = write_appointments(work, cases)
    write_reply_templates(staff)
    return {
        "cases": Case.objects.count(),
        "cases_from_survey_answers": Case.objects.filter(source=Source.SURVEY).count(),
        "case_events": CaseEvent.objects.count(),
        "huddle_tasks": HuddleTask.objects.count(),
        "preventions": Prevention.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "appointments": booked,
        "reply_templates": ReplyTemplate.objects.count(),
    }


@contextmanager
def history_without_mail() -> Iterator[None]:
    """Replaying months of casework must not mail customers and staff today: take back the mails the
    services queue with their changes (acknowledgements, updates, warnings: outbox rows and their send
    jobs) and drop what they leave for after commit (CSAT invitations) while the past is written."""
    with transaction.atomic():
        connection = transaction.get_connection()
        queued = len(connection.run_on_commit)
        mails_before = OutboundMail.objects.aggregate(last=Max("pk"))["last"] or 0
        yield
        del connection.run_on_commit[queued:]
        mails_cancel_after(mails_before)


# --- set-up: calendar, cadence, departments, availability ---------------------------------------


def write_calendar(today: date) -> BusinessCalendar:
    calendar, _ = BusinessCalendar.objects.update_or_create(
        name=CALENDAR,
        defaults={"time_zone": "America/New_York", "workdays": [0, 1, 2, 3, 4], "opens": time(8), "closes": time(18)},
    )
    Holiday.objects.bulk_create(
        [
            Holiday(calendar=calendar, day=day, name=name)
            for year in (today.year - 1, today.year, today.year + 1)
            for day, name in us_holidays(year)
        ],
        ignore_conflicts=True,
    )
    return calendar


def us_holidays(year: int) -> list[tuple[date, str]]:
    return [
        (date(year, 1, 1), "New Year's Day"),
        (last_weekday(year, 5, 0), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (nth_weekday(year, 9, 0, 1), "Labor Day"),
        (nth_weekday(year, 11, 3, 4), "Thanksgiving"),
        (date(year, 12, 25), "Christmas Day"),
    ]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def write_policies(calendar: BusinessCalendar, staff: dict[str, User]) -> None:
    for priority, (first, every, resolve) in CADENCE.items():
        CadencePolicy.objects.update_or_create(
            priority=priority,
            defaults={
                "calendar": calendar,
                "first_response_minutes": first,
                "update_every_minutes": every,
                "resolution_minutes": resolve,
            },
        )
    services.case_settings_update(
        by=staff["pm"],
        warn_before_minutes=30,
        recurrence_days=30,
        prevention_categories=[Category.BILLING.value, Category.DELIVERY.value],
        prevention_priorities=[Priority.URGENT.value],
    )


def write_departments(staff: dict[str, User]) -> dict[str, Department]:
    return {
        name: Department.objects.update_or_create(name=name, defaults={"head": staff[head]})[0]
        for name, head in DEPARTMENTS.items()
    }


def write_availability(advocates: list[User]) -> None:
    for n, advocate in enumerate(sorted(advocates, key=lambda u: u.username)):
        scheduling.availability_set(user=advocate, windows_text=AVAILABILITY[n % len(AVAILABILITY)])


def demo_customers(plan: CompanyPlan) -> dict[int, Customer]:
    return Customer.objects.select_related("primary_advocate").in_bulk([p.pk for p in plan.customers])


# --- planning the stories ----------------------------------------------------------------------


def plan_stories(rng: random.Random, plan: CompanyPlan, present: datetime) -> list[Story]:
    """Who calls about what and when, and how it ends; in the order the cases were opened."""
    staying = [p for p in plan.customers if p.churned_on is None]
    wanted = min(MAX_CASES, max(MIN_CASES, len(plan.customers) // CUSTOMERS_PER_CASE))
    # Customers who contact support often have more cases; a few come back within weeks.
    callers = rng.choices(staying, weights=[p.support_rate + 0.05 for p in staying], k=wanted)
    stories: list[Story] = []
    for person in callers:
        earlier = stories[-1] if stories and rng.random() < 0.12 else None
        if earlier is not None and present - earlier.opened > timedelta(days=4):
            opened = earlier.opened + timedelta(days=rng.uniform(2, min(25, (present - earlier.opened).days)))
            person = earlier.person
        else:
            opened = present - draw_age(rng)
        stories.append(draw_story(rng, person, opened, present))
    return stories


def queue_stories(rng: random.Random, plan: CompanyPlan, present: datetime) -> list[Story]:
    """A few cases of the last days still open for every customer advocate: each signs in to a queue."""
    stories = []
    for advocate in sorted({p.advocate for p in plan.customers}):
        theirs = [p for p in plan.customers if p.advocate == advocate and p.churned_on is None]
        for person in rng.sample(theirs, min(OPEN_PER_ADVOCATE, len(theirs))):
            story = draw_story(rng, person, present - timedelta(hours=rng.uniform(3, 72)), present)
            story.ending, story.resolved_at = weighted(rng, OPEN_ENDINGS), None
            stories.append(story)
    return stories


def answer_stories(rng: random.Random, plan: CompanyPlan, present: datetime) -> list[Story]:
    """The latest survey wave's detractors and unhappy CSAT answers: the loop rule follows each up
    minutes after it came in, as feedback calls it when an answer is stored (the demo's survey
    history is written in bulk, past the loop)."""
    people = {p.pk: p for p in plan.customers}
    stories = []
    for pk, customer_id, answered in latest_unhappy_answers():
        opened = min(answered + timedelta(minutes=rng.uniform(1, 5)), present)
        story = draw_story(rng, people[customer_id], opened, present)
        story.answer, story.source, story.transfer = pk, Source.SURVEY, False
        stories.append(story)
    return stories


def latest_unhappy_answers() -> list[tuple[int, int, datetime]]:
    """(answer, customer, answered at) of the unhappy answers in the two weeks up to the latest one."""
    latest = Response.objects.filter(customer__isnull=False).aggregate(last=Max("answered_at"))["last"]
    if latest is None:
        return []
    unhappy = Response.objects.filter(
        Q(kind=SurveyKind.NPS, score__lte=scales.DETRACTOR_MAX)
        | Q(kind=SurveyKind.CSAT, score__lte=scales.CSAT_UNHAPPY_MAX),
        customer__isnull=False,
        answered_at__gt=latest - LOOP_WINDOW,
    )
    return [
        (pk, customer, answered)
        for pk, customer, answered in unhappy.order_by("answered_at", "pk").values_list(
            "pk", "customer_id", "answered_at"
        )
        if customer is not None
    ]


def draw_age(rng: random.Random) -> timedelta:
    draw = rng.random()
    if draw < 0.05:
        return timedelta(hours=rng.uniform(0.2, 8))
    if draw < 0.4:
        return timedelta(hours=rng.uniform(8, 21 * 24))
    return timedelta(hours=rng.uniform(21 * 24, CASE_DAYS * 24))


def draw_story(rng: random.Random, person: CustomerPlan, opened: datetime, present: datetime) -> Story:
    category = weighted(rng, CATEGORY_WEIGHTS)
    priority = weighted(rng, PRIORITY_WEIGHTS)
    ending, resolved_at = draw_ending(rng, priority, opened, present)
    huddle_likely = category in {Category.TECHNICAL, Category.DELIVERY, Category.BILLING, Category.SERVICE}
    return Story(
        person=person,
        opened=opened,
        category=category,
        template=rng.choice(TEMPLATES[category]),
        priority=priority,
        source=weighted(rng, SOURCE_WEIGHTS),
        ending=ending,
        resolved_at=resolved_at,
        transfer=rng.random() < 0.1,
        huddle=ending == Status.WAITING_DEPARTMENT or (huddle_likely and rng.random() < 0.3),
        prevention=rng.random() < 0.4,
    )


def draw_ending(rng: random.Random, priority: str, opened: datetime, present: datetime) -> tuple[str, datetime | None]:
    age = present - opened
    if age < timedelta(hours=8) and rng.random() < 0.6:
        return Status.NEW, None
    typical_days = TYPICAL_DAYS[Priority(priority)]
    takes = timedelta(days=rng.uniform(0.3, 1.7) * typical_days)
    settled = age > timedelta(days=21)
    if opened + takes < present and rng.random() < (0.97 if settled else 0.85):
        closed = opened + takes + timedelta(days=7) < present and rng.random() < 0.5
        return (Status.CLOSED if closed else Status.RESOLVED), opened + takes
    return weighted(rng, OPEN_ENDINGS), None


# --- replaying one story -----------------------------------------------------------------------


def replay(work: Casework, story: Story) -> Case | None:
    rng = work.rng
    case = open_case(work, story)
    if case is None:
        return None  # the answer joined the customer's open case, as a note
    if story.ending == Status.NEW:
        return case
    end = story.resolved_at or work.present
    moment = reply_time(rng, case.first_response_due, story.opened, end)
    case = post_update(work, case, rng.choice(FIRST_RESPONSES), moment)
    huddled = transferred = False
    for step in range(MAX_UPDATES):
        following = reply_time(rng, case.next_update_due, moment, end)
        if following >= end - timedelta(minutes=30):
            break
        between = moment + (following - moment) / 2
        if story.huddle and not huddled:
            huddle(work, case, story, between, end)
            huddled = True
        elif story.transfer and not transferred and step >= 1:
            case = transfer(work, case, between)
            transferred = True
        elif rng.random() < 0.25:
            case = wait_for_customer(work, case, between, following)
        elif rng.random() < 0.35:
            at_moment(case, between, partial(services.case_add_note, case=case, body=rng.choice(NOTES), by=case.owner))
        case = post_update(work, case, rng.choice(PROGRESS), following)
        moment = following
    if story.resolved_at is None and moment < work.present - timedelta(hours=4):
        # A case still open today had its latest update lately, whatever happened in between.
        moment = work.present - timedelta(hours=rng.uniform(0.5, 4))
        case = post_update(work, case, rng.choice(PROGRESS), moment)
    return finish(work, case, story, moment)


def open_case(work: Casework, story: Story) -> Case | None:
    if story.answer is not None:
        loop.response_recorded(story.answer, now=story.opened)
        return Case.objects.select_related("customer", "owner").filter(origin=f"response:{story.answer}").first()
    owner = work.staff[story.person.advocate]
    return services.case_open(
        customer=work.customers[story.person.pk],
        subject=story.template.subject,
        description=story.template.description,
        category=story.category,
        priority=story.priority,
        source=story.source,
        by=None if story.source == Source.PORTAL else owner,
        needs=story.template.needs,
        now=story.opened,
    )


def reply_time(rng: random.Random, due: datetime | None, after: datetime, end: datetime) -> datetime:
    """When the owner answers: mostly before the promise falls due, sometimes late; never after `end`."""
    if due is None:
        return after + (end - after) * rng.uniform(0.2, 0.6)
    if rng.random() < 0.95:
        moment = after + (due - after) * rng.uniform(0.3, 0.95)
    else:
        moment = due + timedelta(minutes=rng.uniform(20, 24 * 60))
    return min(max(moment, after + timedelta(minutes=5)), end)


def post_update(work: Casework, case: Case, body: str, moment: datetime) -> Case:
    if not case.is_open:
        return case
    sweep_if_late(case, moment)
    services.case_post_update(case=case, body=body, by=case.owner, now=moment)
    case.refresh_from_db()
    return case


def sweep_if_late(case: Case, moment: datetime) -> None:
    """A promise this answer comes too late for was missed: the sweep that ran then recorded it."""
    if case.next_due is not None and case.next_due < moment:
        services.cadence_sweep(now=moment)


def at_moment(case: Case, moment: datetime, action: Callable[[], T]) -> T:
    """Run a service that stamps its timeline rows with the time now, and move them to `moment`."""
    before = case.events.aggregate(last=Max("id"))["last"] or 0
    result = action()
    CaseEvent.objects.filter(case=case, pk__gt=before).update(at=moment)
    return result


def huddle(work: Casework, case: Case, story: Story, moment: datetime, end: datetime) -> None:
    name = DEPARTMENT_FOR[Category(story.category)]
    meeting = moment + timedelta(days=1)
    chosen = [work.departments[name]]
    if story.priority in {Priority.URGENT, Priority.HIGH} and name != "Engineering":
        chosen.append(work.departments["Engineering"])
    tasks = [
        services.TaskIn(department=d, due_at=meeting + timedelta(days=2), notes=TASK_NOTES[d.name]) for d in chosen
    ]
    agenda = f"Agree who does what on: {case.subject}"
    made = at_moment(
        case,
        moment,
        partial(services.huddle_create, case=case, meeting_at=meeting, by=case.owner, tasks=tasks, agenda=agenda),
    )
    Huddle.objects.filter(pk=made.pk).update(created_at=moment)
    if case.status != Status.WAITING_DEPARTMENT and case.status != Status.WAITING_CUSTOMER:
        services.case_set_status(case=case, status=Status.WAITING_DEPARTMENT, by=case.owner, now=moment)
    for task in made.tasks.select_related("huddle__case", "department"):
        done = task.due_at - timedelta(hours=work.rng.uniform(-30, 20))  # some heads finish late
        if done < end and (story.resolved_at is not None or work.rng.random() < 0.5):
            complete_task(case, task, done)


def complete_task(case: Case, task: HuddleTask, moment: datetime) -> None:
    outcome = "Done; the details are in the case notes."
    at_moment(case, moment, partial(services.task_complete, task=task, by=task.assignee, outcome=outcome))
    HuddleTask.objects.filter(pk=task.pk).update(done_at=moment)


def transfer(work: Casework, case: Case, moment: datetime) -> Case:
    others = sorted((u for u in work.advocates if u.pk != case.owner_id), key=lambda u: u.username)
    to = work.rng.choice(others)
    reason = work.rng.choice(TRANSFER_REASONS)
    at_moment(case, moment, partial(services.case_transfer, case=case, to=to, by=case.owner, reason=reason))
    Transfer.objects.filter(case=case, at__gt=moment).update(at=moment)
    case.refresh_from_db()
    return case


def wait_for_customer(work: Casework, case: Case, asked: datetime, before: datetime) -> Case:
    """Ask the customer something: the clock pauses until they answer in the portal."""
    if case.status == Status.WAITING_CUSTOMER:
        return case
    services.case_post_update(case=case, body=work.rng.choice(QUESTIONS), by=case.owner, now=asked)
    services.case_set_status(case=case, status=Status.WAITING_CUSTOMER, by=case.owner, now=asked)
    answered = asked + (before - asked) * work.rng.uniform(0.3, 0.9)
    services.case_customer_reply(case=case, body=work.rng.choice(REPLIES), now=answered)
    case.refresh_from_db()
    return case


def finish(work: Casework, case: Case, story: Story, moment: datetime) -> Case:
    """Bring the case to the status it has today."""
    rng = work.rng
    if story.resolved_at is None:
        if story.ending != case.status and story.ending in services.ALLOWED_MOVES[Status(case.status)]:
            settle = moment + (work.present - moment) * rng.uniform(0.1, 0.5)
            services.case_set_status(case=case, status=story.ending, by=case.owner, now=settle)
            case.refresh_from_db()
        return case
    resolved = max(story.resolved_at, moment + timedelta(minutes=10))
    for task in HuddleTask.objects.filter(huddle__case=case, status=TaskStatus.OPEN).select_related("huddle__case"):
        complete_task(case, task, resolved - timedelta(hours=1))
    step = (
        prevention_step(work, case, story, resolved) if story.prevention or services.prevention_required(case) else None
    )
    summary = SURVEY_RESOLUTION if story.answer is not None else RESOLUTIONS[Category(story.category)]
    services.case_resolve(case=case, by=case.owner, summary=summary, prevention=step, now=resolved)
    if step is not None:
        verify(work, case, step)
    if story.ending == Status.CLOSED:
        services.case_set_status(case=case, status=Status.CLOSED, by=case.owner, now=resolved + timedelta(days=7))
    case.refresh_from_db()
    return case


def prevention_step(work: Casework, case: Case, story: Story, resolved: datetime) -> services.PreventionIn:
    category, cause, action = work.rng.choice(PREVENTION[Category(story.category)])
    head = work.departments[DEPARTMENT_FOR[Category(story.category)]].head
    action_due = resolved.date() + timedelta(days=14)
    return services.PreventionIn(
        root_cause_category=category,
        root_cause=cause,
        corrective_action=action,
        action_owner=head,
        action_due=action_due,
        verify_on=action_due + timedelta(days=21),
    )


def verify(work: Casework, case: Case, step: services.PreventionIn) -> None:
    """Most corrective actions are done by their date and checked later; some are overdue today."""
    today = work.present.date()
    prevention = Prevention.objects.get(case=case)
    if step.verify_on < today and work.rng.random() < 0.75:
        checked = datetime.combine(step.verify_on, time(15), tzinfo=UTC)
        outcome = "Checked: no repeat since the change."
        at_moment(
            case, checked, partial(services.prevention_verify, prevention=prevention, by=case.owner, outcome=outcome)
        )
        Prevention.objects.filter(pk=prevention.pk).update(
            verified_at=checked, action_done_at=datetime.combine(step.action_due, time(15), tzinfo=UTC)
        )
    elif step.action_due < today and work.rng.random() < 0.5:
        Prevention.objects.filter(pk=prevention.pk).update(
            action_done_at=datetime.combine(step.action_due, time(15), tzinfo=UTC)
        )


# --- recommendations, the loop, appointments ---------------------------------------------------


def write_recommendations(work: Casework, cases: list[Case]) -> None:
    """For product-fit cases: the best fit, a cheaper product of ours, or a competitor's that fits better."""
    product_cases = [c for c in cases if c.category == Category.PRODUCT and c.needs and c.first_response_at]
    for n, case in enumerate(product_cases):
        recommend(work, case, ("competitor", "cheaper", "best")[n % 3])


def recommend(work: Casework, case: Case, prefer: str) -> None:
    ranked = recommending.products_ranked(customer=case.customer, needs=list(case.needs), case=case)
    if not ranked:
        return
    choice = pick_recommendation(ranked, prefer)
    answered = case.first_response_at or work.present
    moment = min(answered + timedelta(hours=2), case.resolved_at or work.present)
    made = at_moment(
        case,
        moment,
        partial(
            recommending.recommendation_record,
            customer=case.customer,
            product=choice.product,
            reason=choice.reason,
            by=case.owner,
            case=case,
            fit=choice.fit,
            cheaper_than_current=choice.cheaper_than_current,
            competitor=choice.competitor,
        ),
    )
    Recommendation.objects.filter(pk=made.pk).update(recorded_at=moment)
    if case.resolved_at is not None:
        outcome = RecommendationOutcome.ACCEPTED if work.rng.random() < 0.65 else RecommendationOutcome.DECLINED
        decide = partial(recommending.recommendation_outcome, recommendation=made, outcome=outcome, by=case.owner)
        at_moment(case, case.resolved_at, decide)


def pick_recommendation(ranked: list[recommending.Ranked], prefer: str) -> recommending.Ranked:
    wanted = {
        "competitor": [r for r in ranked if r.competitor],
        "cheaper": [r for r in ranked if r.cheaper_than_current and not r.competitor],
        "best": ranked,
    }[prefer]
    return (wanted or ranked)[0]


def write_appointments(work: Casework, cases: list[Case]) -> int:
    """Calls booked in the days ahead for open cases whose customers gave their preferred hours; one
    is moved and one cancelled. Booked now, so their invitations (.ics) go out."""
    with_hours = set(ContactWindow.objects.values_list("customer_id", flat=True).distinct())
    candidates = [
        c for c in cases if c.status in {Status.OPEN, Status.WAITING_DEPARTMENT} and c.customer_id in with_hours
    ]
    booked: list[tuple[Appointment, list[appointments_slots.Slot]]] = []
    for case in candidates:
        if len(booked) == APPOINTMENTS:
            break
        try:
            slots = appointments_slots.slots_propose(customer=case.customer, staff=case.owner, duration_minutes=30, n=3)
            if not slots:
                continue
            booked.append(
                (
                    scheduling.appointment_book(
                        customer=case.customer,
                        staff=case.owner,
                        starts_at=slots[0].starts_at,
                        duration_minutes=30,
                        topic=f"Call about: {case.subject}",
                        by=case.owner,
                        case=case,
                    ),
                    slots,
                )
            )
        except ServiceError:
            continue
    if len(booked) > 1:
        moved, slots = booked[1]
        if len(slots) > 1:
            attempt(
                lambda: scheduling.appointment_reschedule(
                    appointment=moved, starts_at=slots[1].starts_at, by=moved.staff
                )
            )
    if len(booked) > 2:
        cancelled = booked[2][0]
        scheduling.appointment_cancel(
            appointment=cancelled, by=cancelled.staff, reason="You told us it is solved, so the call is not needed."
        )
    return len(booked)


def attempt(action: Callable[[], object]) -> None:
    """A demo nicety that may not fit (the other slot got taken): skip it rather than fail the demo."""
    try:
        action()
    except ServiceError:
        return


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


DEMO_REPLIES = (
    (
        "First response",
        "Hi {customer_first_name},\n\nThank you for telling us. I am {advocate_name} and I own {case_number} "
        "until it is resolved: you will hear from me at each step, even when there is no news yet.",
    ),
    (
        "Refund on its way",
        "Hi {customer_first_name},\n\nThe refund for {case_number} is on its way; your bank shows it within "
        "five working days. If it does not, reply here and I will chase it.",
    ),
    (
        "Waiting on another team",
        "Hi {customer_first_name},\n\nNo news yet on {case_number}: the team that can fix it is on it, and I "
        "will write again by the time I promised, with news or without.",
    ),
    (
        "A cheaper plan fits better",
        "Hi {customer_first_name},\n\nLooking at how you use {company}, a smaller plan would cover everything "
        "you need for less. I can switch you now, or walk you through it first.",
    ),
)


def write_reply_templates(staff: dict[str, User]) -> None:
    """The saved answers a demo customer advocate starts from (Cases → Reply templates)."""
    manager = next(u for u in staff.values() if u.role == Role.PROGRAM_MANAGER)
    for name, body in DEMO_REPLIES:
        replies.reply_template_create(by=manager, name=name, body=body)
