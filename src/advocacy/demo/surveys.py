"""Two years of quarterly relationship-NPS waves for the demo company, drawn from the planted truth.

Every answer follows the response model of ``demo.truth`` (answer = satisfaction + noise), so the
NPS the dashboard shows for a segment should land near that segment's expected NPS in the manifest,
and the attributes with planted effects (region APAC, the analytics feature, support contacts, a
competitor's product) should come out as drivers. Comments name the reasons a customer with those
traits would give, so the themes have something true to find.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from advocacy.core.models import User
from advocacy.customers.consent import AskKind, customers_consenting
from advocacy.customers.models import ConsentPurpose
from advocacy.demo import truth
from advocacy.feedback import scales
from advocacy.feedback.models import (
    Channel,
    EveryUnit,
    Invitation,
    InvitationStatus,
    Response,
    Schedule,
    Survey,
    SurveyKind,
    Wave,
)
from advocacy.feedback.sentiment import sentiments
from advocacy.feedback.surveys import services as feedback
from advocacy.feedback.themes.services import themes_refresh
from advocacy.outreach.models import ContactAsk

if TYPE_CHECKING:
    from advocacy.demo.generator import CompanyPlan, CustomerPlan

WAVES = 8
WAVE_EVERY_DAYS = 91
WAVE_OPEN_DAYS = 14
INVITED_SHARE = 0.4
BOUNCE_RATE = 0.01
COMMENT_RATE = 0.6
# One answer rate for everyone: the respondents are a random sample of those invited, so a segment's
# NPS estimates the planted truth without response bias (a real survey rarely has that luxury).
ANSWER_RATE = 0.45

# What customers say, by the trait that makes them say it; the first matching reason is the likeliest.
PRAISE = {
    "analytics": ["The analytics dashboards save us hours every week", "Love the reporting and analytics"],
    "integrations": ["The CRM integration just works", "Integrations with our other tools are solid"],
    "long_tenure": ["Reliable for years, never let us down", "A dependable partner for a long time"],
    "any": ["Great product and friendly support", "Easy to use and good value", "Does exactly what we need"],
}
COMPLAINTS = {
    "support": ["Support took days to answer my ticket", "Had to chase support several times for a fix"],
    "apac": ["The service is slow from our office in Asia", "Outages during our business hours in APAC"],
    "competitor": ["The other vendor's tool does this cheaper", "We moved part of the team to another product"],
    "any": ["The price went up at renewal", "Onboarding was confusing", "The mobile app is clunky"],
}


def write_surveys(plan: CompanyPlan, staff: dict[str, User]) -> dict[str, int]:
    """The relationship NPS survey, its waves, invitations, answers, sentiment and themes."""
    rng = random.Random(plan.seed * 7919 + 3)
    survey = feedback.survey_create(
        name="Relationship NPS",
        kind=SurveyKind.NPS,
        by=staff.get("pm"),
        schedule=Schedule.RECURRING,
        every_n=3,
        every_unit=EveryUnit.MONTHS,
        # The last wave opened two weeks ago; the scheduler opens the next one a quarter after it.
        next_wave_on=plan.today + timedelta(days=WAVE_EVERY_DAYS - WAVE_OPEN_DAYS),
    )
    consenting = set(customers_consenting(ConsentPurpose.SURVEYS).values_list("pk", flat=True))
    counts = {"survey_waves": 0, "survey_invitations": 0, "survey_responses": 0}
    for number in range(1, WAVES + 1):
        opened = plan.today - timedelta(days=WAVE_EVERY_DAYS * (WAVES - number) + WAVE_OPEN_DAYS)
        wave = Wave.objects.create(
            survey=survey,
            number=number,
            opened_at=at_nine(opened),
            closes_at=at_nine(opened + timedelta(days=WAVE_OPEN_DAYS)),
        )
        invited = [p for p in plan.customers if p.pk in consenting and is_customer_on(p, opened)]
        invited = [p for p in invited if rng.random() < INVITED_SHARE]
        answered = write_wave(rng, survey, wave, invited, opened)
        counts["survey_waves"] += 1
        counts["survey_invitations"] += len(invited)
        counts["survey_responses"] += answered
    themes_refresh(survey=survey)
    return counts


def write_wave(rng: random.Random, survey: Survey, wave: Wave, invited: list[CustomerPlan], opened: date) -> int:
    sent_at = at_nine(opened)
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                wave=wave,
                customer_id=person.pk,
                status=InvitationStatus.BOUNCED if rng.random() < BOUNCE_RATE else InvitationStatus.SENT,
                created_at=sent_at,
                sent_at=sent_at,
            )
            for person in invited
        ]
    )
    ContactAsk.objects.bulk_create(
        [
            ContactAsk(customer_id=inv.customer_id, kind=AskKind.SURVEY, ref=f"invitation:{inv.pk}", asked_at=sent_at)
            for inv in invitations
        ]
    )
    responses = []
    for person, invitation in zip(invited, invitations, strict=True):
        if invitation.status != InvitationStatus.SENT or rng.random() >= ANSWER_RATE:
            continue
        score = truth.nps_answer(person.satisfaction, rng)
        answered_at = sent_at + timedelta(hours=rng.uniform(1, 24 * (WAVE_OPEN_DAYS - 1)))
        responses.append(
            Response(
                survey=survey,
                kind=SurveyKind.NPS,
                wave=wave,
                invitation=invitation,
                customer_id=person.pk,
                channel=Channel.EMAIL,
                score=score,
                comment=comment_for(rng, person, score) if rng.random() < COMMENT_RATE else "",
                answered_at=answered_at,
                updated_at=answered_at,
            )
        )
    for response, sentiment in zip(responses, sentiments([r.comment for r in responses]), strict=True):
        response.sentiment = sentiment
    Response.objects.bulk_create(responses)
    return len(responses)


def comment_for(rng: random.Random, person: CustomerPlan, score: int) -> str:
    category = scales.nps_category(score)
    if category == "promoter":
        return rng.choice(PRAISE[rng.choice([*praise_reasons(person), "any"])])
    reasons = complaint_reasons(person)
    if category == "passive":  # passives: half say what they like, half what holds the score back
        if rng.random() < 0.5:
            return rng.choice(PRAISE[rng.choice([*praise_reasons(person), "any"])])
        return rng.choice(COMPLAINTS[rng.choice([*reasons, "any"])])
    key = rng.choice(reasons) if reasons and rng.random() < 0.8 else "any"
    return rng.choice(COMPLAINTS[key])


def praise_reasons(person: CustomerPlan) -> list[str]:
    reasons = [str(key) for key in ("analytics", "integrations") if key in person.features]
    if person.customer_since.year <= 2022:
        reasons.append("long_tenure")
    return reasons


def complaint_reasons(person: CustomerPlan) -> list[str]:
    reasons = []
    if person.support_rate >= 0.6:
        reasons.append("support")
    if person.account.country.region == "APAC":
        reasons.append("apac")
    if person.competitor_skus:
        reasons.append("competitor")
    return reasons


def audience_truth(plan: CompanyPlan) -> dict[str, object]:
    """The NPS a census of the survey's audience today would show: active customers who consent.

    This, not the whole customer base, is what a wave can estimate; the manifest carries both.
    """
    consenting = set(customers_consenting(ConsentPurpose.SURVEYS).values_list("pk", flat=True))
    audience = [p for p in plan.customers if p.pk in consenting and p.churned_on is None]

    def by(key: Callable[[CustomerPlan], str]) -> dict[str, dict[str, float | int | None]]:
        groups: dict[str, list[float]] = defaultdict(list)
        for person in audience:
            if key(person):
                groups[key(person)].append(person.satisfaction)
        return truth.segment_nps(groups)

    return {
        "population": "active customers who consent to surveys",
        "overall": truth.expected_nps(p.satisfaction for p in audience),
        "n": len(audience),
        "by_region": by(lambda p: p.account.country.region),
        "by_size": by(lambda p: p.account.size),
        "by_industry": by(lambda p: p.account.industry),
    }


def is_customer_on(person: CustomerPlan, day: date) -> bool:
    return person.customer_since <= day and (person.churn_on is None or person.churn_on > day)


def at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))
