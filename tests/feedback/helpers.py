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
    """Run the queued follow-up tasks of one-click answers as the worker would, and only those (a mail the
    follow-up queues stays queued): how many ran."""
    from django_tasks_db.models import DBTaskResult

    from advocacy.feedback.answers.tasks import follow_up_answer

    queued = list(DBTaskResult.objects.ready().filter(task_path=follow_up_answer.module_path))
    for row in queued:
        follow_up_answer.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    DBTaskResult.objects.filter(pk__in=[row.pk for row in queued]).delete()
    return len(queued)
