from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class CaseOut(Schema):
    id: int
    customer_id: int
    subject: str
    description: str
    category: str
    priority: str
    source: str
    status: str
    owner_id: int
    needs: list[str]
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due: datetime | None
    next_update_due: datetime | None
    resolution_due: datetime | None
    next_due: datetime | None
    paused_at: datetime | None
    recurrence_of_id: int | None
    recurrence_reason: str
    problem_id: int | None


class CaseIn(Schema):
    customer_id: int
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    category: str = "other"
    priority: str = "normal"
    source: str = "manual"
    owner_id: int | None = None
    needs: list[str] = []


class CaseEventOut(Schema):
    id: int
    kind: str
    visible_to_customer: bool
    body: str
    actor_id: int | None
    by_customer: bool
    data: dict[str, Any]
    at: datetime


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=10000)


class StatusIn(Schema):
    status: str
    note: str = ""


class TransferIn(Schema):
    to_id: int
    reason: str = Field(..., min_length=1, max_length=300)


class TaskIn(Schema):
    department_id: int
    due_at: datetime
    notes: str = ""


class HuddleIn(Schema):
    meeting_at: datetime
    agenda: str = ""
    tasks: list[TaskIn]


class TaskOut(Schema):
    id: int
    huddle_id: int
    case_id: int
    department_id: int
    assignee_id: int
    notes: str
    due_at: datetime
    status: str
    done_at: datetime | None
    outcome: str
    escalated_at: datetime | None

    @staticmethod
    def resolve_case_id(obj: Any) -> int:
        return int(obj.huddle.case_id)


class HuddleOut(Schema):
    id: int
    case_id: int
    meeting_at: datetime
    agenda: str
    tasks: list[TaskOut]

    @staticmethod
    def resolve_tasks(obj: Any) -> list[Any]:
        return list(obj.tasks.select_related("huddle"))


class TaskDoneIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=5000)


class PreventionIn(Schema):
    root_cause_category: str
    root_cause: str
    corrective_action: str
    action_owner_id: int
    action_due: date
    verify_on: date


class ResolveIn(Schema):
    summary: str = Field(..., min_length=1)
    prevention: PreventionIn | None = None


class PreventionOut(Schema):
    id: int
    case_id: int
    root_cause_category: str
    root_cause: str
    corrective_action: str
    action_owner_id: int
    action_due: date
    verify_on: date
    action_done_at: datetime | None
    verified_at: datetime | None
    verification: str


class VerifyIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=1000)
