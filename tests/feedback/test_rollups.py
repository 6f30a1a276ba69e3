"""The dashboard's roll-ups stay equal to the answers, whatever writes them, and the dashboard reads them.

Run on SQLite, and on PostgreSQL with DATABASE_URL set (``make test`` does both).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from advocacy.customers.models import Account, Customer
from advocacy.customers.privacy.services import customer_erase
from advocacy.feedback import rollups
from advocacy.feedback.answers import services as answers
from advocacy.feedback.dashboard import queries as metrics
from advocacy.feedback.dashboard.tasks import fold_rollup_stripes
from advocacy.feedback.links import invitation_token, survey_link_token
from advocacy.feedback.models import Invitation, Response, ResponseRollup, RollupState, Survey, Wave
from advocacy.schedule import PERIODIC_TASKS
from tests.factories import AccountFactory, CustomerFactory
from tests.feedback.helpers_stats import add_responses, make_survey

pytestmark = pytest.mark.django_db

REGIONS = ("EMEA", "AMER", "APAC", "")
LOCALES = ("en", "de", "ja")
# Moments that straddle local midnights and New York's daylight-saving changes of 2025.
EDGES = (
    datetime(2025, 3, 9, 4, 59, tzinfo=UTC),
    datetime(2025, 3, 9, 5, 0, tzinfo=UTC),
    datetime(2025, 3, 10, 3, 59, 59, tzinfo=UTC),
    datetime(2025, 3, 10, 4, 0, tzinfo=UTC),
    datetime(2025, 11, 2, 3, 59, tzinfo=UTC),
    datetime(2025, 11, 2, 4, 30, tzinfo=UTC),
    datetime(2025, 11, 3, 4, 59, tzinfo=UTC),
    datetime(2025, 11, 3, 5, 0, tzinfo=UTC),
    datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC),
    datetime(2025, 7, 1, 0, 0, tzinfo=UTC),
)


def stored_rows() -> Counter[tuple[Any, ...]]:
    return Counter(comparable(row) for row in rollups.stored_rows())


def comparable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (row[0], str(row[1]), *row[2:])  # SQLite gives a date column's value as a date, date() as text


def assert_rollups_equal_the_answers(zone: str) -> None:
    assert stored_rows() == Counter(comparable(row) for row in rollups.expected_rows(zone=zone))


def figures(survey: Survey, **period: Any) -> dict[str, Any]:
    """Every dashboard read the roll-ups answer, for one survey and period."""
    result: dict[str, Any] = {
        "summary": metrics.nps_summary(survey, **period),
        "distribution": metrics.score_distribution(survey, **period),
        "trend by month": metrics.trend(survey, "month", **period),
        "trend by week": metrics.trend(survey, "week", **period),
        "trend by wave": metrics.trend(survey, "wave", **period),
    }
    for field in rollups.DIMENSIONS[1:]:
        result[f"segments by {field}"] = metrics.segments(survey, field, **period)
    for region in REGIONS:
        filters = {"account__region": region or metrics.NO_VALUE}
        result[f"summary in {region!r}"] = metrics.nps_summary(survey, filters=filters, **period)
        result[f"trend in {region!r}"] = metrics.trend(survey, "month", filters=filters, **period)
    result["periods"] = metrics.period_difference(
        survey, date(2025, 1, 1), date(2025, 3, 9), date(2025, 3, 10), date(2025, 11, 2)
    )
    return result


def assert_dashboard_reads_match_the_answers(survey: Survey, **period: Any) -> None:
    read = figures(survey, **period)
    with metrics.counted_from_answers():
        counted = figures(survey, **period)
    for name, value in counted.items():
        assert read[name] == value, name


class Sequence:
    """A seeded random run of everything that writes answers or moves them between segments."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.surveys = [make_survey("nps"), make_survey("csat", name="Support CSAT"), make_survey("ces", name="Effort")]
        self.waves = [
            Wave.objects.create(survey=self.surveys[0], number=n, opened_at=EDGES[0], closes_at=EDGES[-1])
            for n in (1, 2, 3)
        ]
        self.accounts = [AccountFactory(region=region) for region in REGIONS]
        self.customers = [self.new_customer() for _ in range(12)]
        self.tokens: dict[int, str] = {}  # invitation → its one-click token
        self.staff = get_user_model().objects.create_user("dpo", role="admin")

    def new_customer(self) -> Customer:
        return CustomerFactory(account=self.rng.choice([*self.accounts, None]), locale=self.rng.choice(LOCALES))

    def moment(self) -> datetime:
        if self.rng.random() < 0.4:
            return self.rng.choice(EDGES)
        return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=self.rng.randrange(365 * 86_400))

    def score(self, survey: Survey) -> int:
        low, high = survey.scale
        return self.rng.randint(low, high)

    def step(self) -> None:
        action = self.rng.choice(
            [
                self.one_click,
                self.one_click,
                self.change_answer,
                self.web_answer,
                self.api_import,
                self.bulk_import,
                self.move_customer,
                self.change_account,
                self.bulk_change_accounts,
                self.delete_answer,
                self.flag_duplicate,
                self.delete_customer,
                self.erase_customer,
                self.delete_wave,
            ]
        )
        action()

    def one_click(self) -> None:
        survey = self.surveys[0]
        wave = self.rng.choice([*self.waves, None]) if self.waves else None
        customer = self.rng.choice(self.customers)
        if wave is not None and Invitation.objects.filter(wave=wave, customer=customer).exists():
            wave = None  # one invitation per customer per wave
        invitation = Invitation.objects.create(survey=survey, wave=wave, customer=customer, status="sent")
        token = invitation_token(invitation)
        answers.answer_record(token=token, score=self.score(survey))
        self.tokens[invitation.pk] = token

    def change_answer(self) -> None:
        answered = Invitation.objects.filter(pk__in=self.tokens, response__isnull=False).values_list("pk", flat=True)
        if answered:
            token = self.tokens[self.rng.choice(sorted(answered))]
            answers.answer_record(token=token, score=self.score(self.surveys[0]))

    def web_answer(self) -> None:
        survey = self.rng.choice(self.surveys)
        answers.web_response_create(
            survey_token=survey_link_token(survey),
            score=self.score(survey),
            customer=self.rng.choice([*self.customers, None]),
            duplicate=self.rng.random() < 0.3,
        )

    def api_import(self) -> None:
        survey = self.rng.choice(self.surveys)
        answers.response_import(
            survey=survey,
            customer=self.rng.choice([*self.customers, None]),
            score=self.score(survey),
            answered_at=self.moment(),
            external_id=f"ext-{self.rng.randrange(40)}",  # repeats are the same response: no second count
        )

    def bulk_import(self) -> None:
        survey = self.rng.choice(self.surveys)
        add_responses(
            survey,
            [self.score(survey) for _ in range(self.rng.randint(1, 8))],
            at=self.moment(),
            customer=self.rng.choice([*self.customers, None]),
            wave=self.rng.choice([*self.waves, None]) if survey == self.surveys[0] and self.waves else None,
        )

    def move_customer(self) -> None:
        customer = self.rng.choice(self.customers)
        customer.locale = self.rng.choice(LOCALES)
        customer.account = self.rng.choice([*self.accounts, None])
        customer.save()

    def change_account(self) -> None:
        account = self.rng.choice(self.accounts)
        account.region = self.rng.choice(REGIONS)
        account.industry = self.rng.choice(["Software", "Retail", ""])
        account.size = self.rng.choice(["small", "mid", "enterprise", ""])
        account.save()

    def bulk_change_accounts(self) -> None:
        """As an import does: one UPDATE over many rows."""
        Account.objects.filter(pk__in=[a.pk for a in self.rng.sample(self.accounts, 2)]).update(
            region=self.rng.choice(REGIONS), kind=self.rng.choice(["business", "household"])
        )
        Customer.objects.filter(pk__in=[c.pk for c in self.rng.sample(self.customers, 3)]).update(
            locale=self.rng.choice(LOCALES)
        )

    def delete_answer(self) -> None:
        response = Response.objects.order_by("?").first()
        if response is not None:
            response.delete()

    def flag_duplicate(self) -> None:
        Response.objects.filter(pk__in=Response.objects.order_by("?").values("pk")[:2]).update(
            duplicate=self.rng.random() < 0.5
        )

    def delete_customer(self) -> None:
        if len(self.customers) > 4 and self.rng.random() < 0.3:
            self.customers.pop(self.rng.randrange(len(self.customers))).delete()
        self.customers.append(self.new_customer())

    def erase_customer(self) -> None:
        candidates = Customer.objects.filter(pk__in=[c.pk for c in self.customers], erased_at__isnull=True)
        if candidates:
            customer = self.rng.choice(list(candidates))
            customer_erase(customer=customer, by=self.staff, confirm_email=customer.email, reason="asked by mail")

    def delete_wave(self) -> None:
        if self.waves and self.rng.random() < 0.3:
            self.waves.pop(self.rng.randrange(len(self.waves))).delete()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_rollups_equal_the_answers_after_a_random_run_of_writes(zone):
    rollups.rollups_install(zone=zone)
    run = Sequence(seed=13)
    with timezone.override(zone):
        for step in range(160):
            run.step()
            if step % 40 == 39:
                assert_rollups_equal_the_answers(zone)
        assert_rollups_equal_the_answers(zone)
        assert Response.objects.count() > 40
        for survey in run.surveys:
            assert_dashboard_reads_match_the_answers(survey)
            assert_dashboard_reads_match_the_answers(survey, since=date(2025, 3, 9), until=date(2025, 11, 2))
        # Deleting a survey takes its roll-ups with it.
        run.surveys[1].delete()
        assert_rollups_equal_the_answers(zone)


def test_the_dashboard_reads_the_rollups_not_the_answers():
    """A figure comes from the roll-ups: shown by changing a roll-up row behind the answers' back."""
    survey = make_survey()
    add_responses(survey, [10, 10, 0], at=datetime(2025, 1, 15, 12, tzinfo=UTC))
    assert metrics.nps_summary(survey).n == 3
    ResponseRollup.objects.filter(survey=survey, dimension="").update(n=30, s10=20, s0=10)
    assert metrics.nps_summary(survey).n == 30
    with metrics.counted_from_answers():
        assert metrics.nps_summary(survey).n == 3


def test_reads_the_rollups_cannot_answer_count_the_answers():
    survey = make_survey()
    emea = CustomerFactory(account__region="EMEA", locale="de", customer_since=date(2018, 1, 1))
    add_responses(survey, [10, 0], at=datetime(2025, 1, 15, 12, tzinfo=UTC), customer=emea)
    ResponseRollup.objects.filter(survey=survey).update(n=99)  # a wrong roll-up that no exact read may show
    two_filters = {"account__region": "EMEA", "locale": "de"}
    assert metrics.nps_summary(survey, filters=two_filters).n == 2
    assert [row.estimate.n for row in metrics.segments(survey, "tenure")] == [2]
    assert [row.estimate.n for row in metrics.segments(survey, "locale", filters={"account__region": "EMEA"})] == [2]
    midday = datetime(2025, 1, 15, 11, tzinfo=UTC)
    assert metrics.nps_summary(survey, since=midday).n == 2
    with timezone.override("Asia/Tokyo"):  # not the zone the roll-ups count days in
        assert metrics.nps_summary(survey).n == 2


def test_without_built_rollups_the_dashboard_counts_the_answers():
    survey = make_survey()
    add_responses(survey, [10, 0, 0], at=datetime(2025, 1, 15, 12, tzinfo=UTC))
    RollupState.objects.all().delete()
    assert metrics.nps_summary(survey).n == 3
    assert [p.estimate.n for p in metrics.trend(survey, "month")] == [3]


def test_the_rebuild_command_recounts_every_rollup_from_the_answers():
    survey = make_survey()
    add_responses(survey, [10, 9, 3], at=datetime(2025, 1, 15, 12, tzinfo=UTC), customer=CustomerFactory())
    ResponseRollup.objects.all().delete()  # lost, or never built for older answers
    RollupState.objects.all().delete()
    call_command("rollups_rebuild", verbosity=0)
    assert_rollups_equal_the_answers("UTC")
    assert RollupState.objects.get().zone == "UTC"
    summary = metrics.nps_summary(survey)
    assert (summary.n, summary.promoters, summary.detractors) == (3, 2, 1)


def test_an_account_that_changes_region_moves_its_answers_to_the_new_segment():
    survey = make_survey()
    customer = CustomerFactory(account__region="EMEA")
    add_responses(survey, [10, 10, 0], at=datetime(2025, 1, 15, 12, tzinfo=UTC), customer=customer)
    assert [(r.label, r.estimate.n) for r in metrics.segments(survey, "account__region")] == [("EMEA", 3)]
    customer.account.region = "APAC"
    customer.account.save()
    assert [(r.label, r.estimate.n) for r in metrics.segments(survey, "account__region")] == [("APAC", 3)]
    customer.account = None
    customer.save()
    assert [(r.label, r.estimate.n) for r in metrics.segments(survey, "account__region")] == [("(not set)", 3)]


def rows_of_all_answers(survey: Survey) -> list[tuple[int, int]]:
    """(stripe, n) of the survey's rows for all answers together, by stripe."""
    return sorted(ResponseRollup.objects.filter(survey=survey, dimension="").values_list("stripe", "n"))


@pytest.mark.django_db(transaction=True)
def test_answers_committed_apart_spread_over_stripes_and_the_fold_gathers_them():
    """Concurrent answers must not all wait on one row (P3 round 8): on PostgreSQL each transaction
    counts into the stripe of its id, the figures add the stripes up, and the nightly fold moves a past
    day's copies into stripe 0. SQLite has one writer at a time and counts into stripe 0 only."""
    survey = make_survey()
    day = datetime(2025, 1, 15, 12, tzinfo=UTC)
    for score in [10, 10, 9, 0, 3, 7, 10, 1]:  # eight transactions
        add_responses(survey, [score], at=day)
    summary = metrics.nps_summary(survey)
    assert (summary.n, summary.promoters, summary.detractors) == (8, 4, 3)
    stripes = {stripe for stripe, _ in rows_of_all_answers(survey)}
    if connection.vendor == "sqlite":
        assert stripes == {0}
    else:
        assert len(stripes) == 8  # consecutive transaction ids, consecutive stripes
    copies = ResponseRollup.objects.exclude(stripe=0).count()

    moved = rollups.rollups_fold(before=date(2025, 1, 16))

    assert moved == copies
    assert rows_of_all_answers(survey) == [(0, 8)]
    assert not ResponseRollup.objects.exclude(stripe=0).exists()
    assert_rollups_equal_the_answers("UTC")
    summary = metrics.nps_summary(survey)
    assert (summary.n, summary.promoters, summary.detractors) == (8, 4, 3)


@pytest.mark.django_db(transaction=True)
def test_the_fold_leaves_only_past_days():
    survey = make_survey()
    for day in (date(2025, 1, 14), date(2025, 1, 15)):
        for score in [10, 0]:
            add_responses(survey, [score], at=datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    rollups.rollups_fold(before=date(2025, 1, 15))
    kept = set(ResponseRollup.objects.filter(survey=survey, dimension="").values_list("day", "stripe"))
    assert {stripe for day, stripe in kept if day == date(2025, 1, 14)} == {0}
    if connection.vendor == "postgresql":
        assert len({stripe for day, stripe in kept if day == date(2025, 1, 15)}) == 2
    assert metrics.nps_summary(survey).n == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises every writer")
@pytest.mark.django_db(transaction=True)
def test_the_fold_skips_a_copy_a_writer_holds_and_takes_it_next_time():
    """The fold never waits for a copy a writer holds: a copy locked by an open transaction (an old
    answer being changed) stays where it is until the next fold."""
    survey = make_survey()
    for score in [10, 0]:
        add_responses(survey, [score], at=datetime(2025, 1, 15, 12, tzinfo=UTC))
    held = ResponseRollup.objects.filter(survey=survey, dimension="").exclude(stripe=0).order_by("stripe").first()
    assert held is not None
    writer = connections.create_connection("default")
    try:
        with writer.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"SELECT 1 FROM {rollups.TABLE} WHERE id = %s FOR UPDATE", [held.pk])
            with connection.cursor() as mine:
                mine.execute("SET lock_timeout = '2s'")  # a wait would fail the fold instead of hanging
            moved = rollups.rollups_fold(before=date(2025, 1, 16))
            assert ResponseRollup.objects.filter(pk=held.pk).exists()
            cursor.execute("COMMIT")
    finally:
        writer.close()
    assert moved > 0
    assert rollups.rollups_fold(before=date(2025, 1, 16)) > 0
    assert not ResponseRollup.objects.filter(survey=survey).exclude(stripe=0).exists()
    assert metrics.nps_summary(survey).n == 2


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_folds_every_past_day_and_is_scheduled_daily():
    survey = make_survey()
    for score in [10, 9, 0]:
        add_responses(survey, [score], at=timezone.now() - timedelta(days=3))
    fold_rollup_stripes.call()
    assert rows_of_all_answers(survey) == [(0, 3)]
    assert_rollups_equal_the_answers("UTC")
    assert {p.task.name: p.every_minutes for p in PERIODIC_TASKS}[fold_rollup_stripes.name] == 24 * 60
