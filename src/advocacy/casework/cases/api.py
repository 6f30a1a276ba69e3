"""API for cases, their timeline, updates, status, transfers, huddles and tasks, resolution and prevention."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.casework.cases import queries, services
from advocacy.casework.cases.schemas import (
    CaseEventOut,
    CaseIn,
    CaseOut,
    HuddleIn,
    HuddleOut,
    MessageIn,
    PreventionOut,
    ResolveIn,
    StatusIn,
    TaskDoneIn,
    TaskOut,
    TransferIn,
    VerifyIn,
)
from advocacy.casework.models import Case, Department, HuddleTask, Prevention
from advocacy.core.api.auth import api_auth, staff_member
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.core.roles import CASE_WORKERS, INSIGHT_READERS, TASK_OWNERS, Role
from advocacy.customers.models import Customer

router = Router(tags=["cases"])

WORK = api_auth(*CASE_WORKERS)
READ = api_auth(*INSIGHT_READERS)
HEADS = api_auth(*TASK_OWNERS)


def caller_role(request: HttpRequest) -> str:
    return str(getattr(request, "api_role", ""))


def visible(request: HttpRequest) -> QuerySet[Case]:
    """What the caller may see; a department head's key sees only cases their department has a task on."""
    return queries.visible_cases_for(staff_member(request), role=caller_role(request))


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(visible(request), pk=case_id)


class CaseFilters(Schema):
    owner_id: int | None = None
    customer_id: int | None = None
    status: str = ""
    priority: str = ""
    open: bool | None = None


@router.get("/cases", response=list[CaseOut], auth=READ, summary="List cases, the next promise due first")
@paginate(Page)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[Case]:
    return queries.cases_matching(visible(request), **filters.dict())


@router.get("/cases/{case_id}", response=CaseOut, auth=READ, summary="Read a case")
def get_case(request: HttpRequest, case_id: int) -> Case:
    return case_or_404(request, case_id)


@router.post("/cases", response={201: CaseOut}, auth=WORK, summary="Open a case (owned by the customer's advocate)")
def open_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    data = resolve(payload.dict(), {"customer_id": (Customer, "customer"), "owner_id": (User, "owner")})
    return Status(201, services.case_open(by=staff_member(request), **data))


@router.get("/cases/{case_id}/timeline", response=list[CaseEventOut], auth=READ, summary="Every change, in order")
def case_timeline(request: HttpRequest, case_id: int) -> Any:
    return queries.timeline(case_or_404(request, case_id))


@router.post(
    "/cases/{case_id}/updates",
    response={201: CaseEventOut},
    auth=WORK,
    summary="Post a customer-visible update (emailed; restarts the update clock)",
)
def post_update(request: HttpRequest, case_id: int, payload: MessageIn) -> Status[Any]:
    return Status(
        201, services.case_post_update(case=case_or_404(request, case_id), body=payload.body, by=staff_member(request))
    )


@router.post("/cases/{case_id}/notes", response={201: CaseEventOut}, auth=WORK, summary="Add an internal note")
def post_note(request: HttpRequest, case_id: int, payload: MessageIn) -> Status[Any]:
    return Status(
        201, services.case_add_note(case=case_or_404(request, case_id), body=payload.body, by=staff_member(request))
    )


@router.post(
    "/cases/{case_id}/status",
    response=CaseOut,
    auth=WORK,
    summary="Change status (waiting on the customer pauses the clock)",
)
def set_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Case:
    return services.case_set_status(
        case=case_or_404(request, case_id), status=payload.status, note=payload.note, by=staff_member(request)
    )


@router.post(
    "/cases/{case_id}/transfers",
    response=CaseOut,
    auth=WORK,
    summary="Transfer to another customer advocate, with a reason",
)
def transfer(request: HttpRequest, case_id: int, payload: TransferIn) -> Case:
    to = get_object_or_404(User, pk=payload.to_id)
    return services.case_transfer(
        case=case_or_404(request, case_id), to=to, reason=payload.reason, by=staff_member(request)
    )


@router.post(
    "/cases/{case_id}/huddles",
    response={201: HuddleOut},
    auth=WORK,
    summary="Bring departments together: each department's head gets a task",
)
def create_huddle(request: HttpRequest, case_id: int, payload: HuddleIn) -> Status[Any]:
    tasks = []
    for index, task in enumerate(payload.tasks):
        department = Department.objects.select_related("head").filter(pk=task.department_id).first()
        if department is None:
            raise InvalidInput({f"tasks/{index}/department_id": f"no department with id {task.department_id}"})
        tasks.append(services.TaskIn(department=department, due_at=task.due_at, notes=task.notes))
    huddle = services.huddle_create(
        case=case_or_404(request, case_id),
        meeting_at=payload.meeting_at,
        agenda=payload.agenda,
        tasks=tasks,
        by=staff_member(request),
    )
    return Status(201, huddle)


@router.get("/tasks", response=list[TaskOut], auth=HEADS, summary="The caller's open department tasks")
def my_tasks(request: HttpRequest) -> Any:
    return queries.tasks_for(staff_member(request))


@router.post("/tasks/{task_id}/done", response=TaskOut, auth=HEADS, summary="Complete a department task")
def task_done(request: HttpRequest, task_id: int, payload: TaskDoneIn) -> HuddleTask:
    user = staff_member(request)
    tasks = HuddleTask.objects.select_related("huddle")
    if caller_role(request) != Role.ADMIN:
        tasks = tasks.filter(assignee=user)
    task = get_object_or_404(tasks, pk=task_id)
    return services.task_complete(task=task, by=user, outcome=payload.outcome)


@router.post(
    "/cases/{case_id}/resolve",
    response=CaseOut,
    auth=WORK,
    summary="Resolve, with the prevention step where the settings require one",
)
def resolve_case(request: HttpRequest, case_id: int, payload: ResolveIn) -> Case:
    step = None
    if payload.prevention is not None:
        owner = get_object_or_404(User, pk=payload.prevention.action_owner_id)
        step = services.PreventionIn(**{**payload.prevention.dict(exclude={"action_owner_id"}), "action_owner": owner})
    return services.case_resolve(
        case=case_or_404(request, case_id), by=staff_member(request), summary=payload.summary, prevention=step
    )


@router.get("/prevention", response=list[PreventionOut], auth=READ, summary="Prevention steps, open ones first")
@paginate(Page)
def list_prevention(request: HttpRequest) -> QuerySet[Prevention]:
    return Prevention.objects.order_by("verified_at", "action_due", "id")


@router.post(
    "/prevention/{prevention_id}/verify",
    response=PreventionOut,
    auth=WORK,
    summary="Record the later check that the corrective action worked",
)
def verify_prevention(request: HttpRequest, prevention_id: int, payload: VerifyIn) -> Prevention:
    step = get_object_or_404(Prevention, pk=prevention_id)
    return services.prevention_verify(prevention=step, by=staff_member(request), outcome=payload.outcome)
