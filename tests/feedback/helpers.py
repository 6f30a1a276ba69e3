"""Small builders for feedback tests: customers who consented, surveys of each kind."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from advocacy.customers.models import Consent, Customer
from advocacy.feedback.models import Survey
from advocacy.feedback.surveys import services
from tests.factories import CustomerFactory


def consenting_customer(**fields) -> Customer:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(**fields)
    Consent.objects.create(
        customer=customer,
        purpose="surveys",
        granted=True,
        source="test",
        recorded_at=timezone.now() - timedelta(days=400),
    )
    return customer


def nps_survey(**fields) -> Survey:  # type: ignore[no-untyped-def]
    defaults = {"name": "Quarterly NPS", "kind": "nps", "schedule": "recurring", "every_n": 3, "every_unit": "months"}
    return services.survey_create(by=None, **{**defaults, **fields})


def run_answer_follow_ups() -> int:
    """Run the queued follow-up runs of one-click answers as the worker would, and only those (a mail the
    follow-up queues stays queued): how many runs were queued."""
    from django_tasks_db.models import DBTaskResult

    from advocacy.feedback.answers.tasks import follow_up_answer, follow_up_answers

    paths = [follow_up_answers.module_path, follow_up_answer.module_path]
    queued = list(DBTaskResult.objects.ready().filter(task_path__in=paths))
    DBTaskResult.objects.filter(pk__in=[row.pk for row in queued]).delete()
    for row in queued:
        task = follow_up_answers if row.task_path == follow_up_answers.module_path else follow_up_answer
        task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    return len(queued)
