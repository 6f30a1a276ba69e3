"""How customers are split for retention, satisfaction and profitability: the one place each split is defined.

A grouping is a name a page, the API and a test use (``nps``, ``member``, ``referrer``, ``reference``,
``story``, ``size``, ``industry``, ``region``) and a query expression that labels every customer with
one group, so that a whole comparison is one SQL statement.

- ``nps``: the category of the customer's latest NPS answer (cut-offs from ``feedback/scales.py``),
  or "no answer".
- ``member``: has joined the advocate hub (an ``advocates.Advocate`` row).
- ``referrer``: referred at least one friend who converted (a converted ``Referral`` from their link).
- ``reference``: held at least one reference call for sales.
- ``story``: has a story approved or published.
- ``size`` / ``industry`` / ``region``: the account's segment, "(none)" where unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf

from advocacy.advocates.models import (
    Advocate,
    ReferenceCall,
    Referral,
    ReferralStatus,
    Story,
    StoryStatus,
)
from advocacy.customers.models import Customer
from advocacy.feedback.models import Response, SurveyKind
from advocacy.feedback.scales import DETRACTOR_MAX, NPS_CATEGORY_LABELS, PROMOTER_MIN

NO_ANSWER = "no answer"
UNKNOWN_SEGMENT = "(none)"


class UnknownGrouping(ValueError):
    """A grouping name that is not one of ``GROUPINGS``."""

    def __init__(self, name: str) -> None:
        known = ", ".join(GROUPINGS)
        super().__init__(f"unknown grouping {name!r}: choose one of {known}")
        self.name = name


class UnknownGroup(ValueError):
    """A group that this grouping never produces."""

    def __init__(self, grouping: Grouping, group: str) -> None:
        super().__init__(f"unknown group {group!r} for {grouping.name}: choose one of {', '.join(grouping.order)}")


@dataclass(frozen=True)
class Grouping:
    name: str
    label: str
    kind: str  # "nps", "status" or "segment"
    order: tuple[str, ...]  # how the groups are listed; groups not named here follow, sorted

    def expression(self) -> Combinable:
        return EXPRESSIONS[self.name]()

    def check(self, group: str) -> str:
        """The group, if this grouping can produce it (segments take any value)."""
        if self.kind != "segment" and group not in self.order:
            raise UnknownGroup(self, group)
        return group

    def annotate(self, customers: QuerySet[Customer]) -> QuerySet[Customer]:
        """The customers, each labelled with its group as ``group``: still one SQL statement."""
        if self.name == "nps":
            customers = customers.annotate(latest_nps=latest_nps_score())
        return customers.annotate(group=self.expression())


def latest_score(kind: str) -> Subquery:
    """The score of the customer's latest answer of this kind (NPS, CSAT …), or NULL."""
    latest = Response.objects.filter(customer=OuterRef("pk"), kind=kind).order_by("-answered_at", "-pk")
    return Subquery(latest.values("score")[:1])


def latest_nps_score() -> Subquery:
    return latest_score(SurveyKind.NPS)


def nps_case() -> Case:
    """The NPS category of the ``latest_nps`` annotation that ``with_group`` adds first."""
    return Case(
        When(latest_nps__gte=PROMOTER_MIN, then=Value("promoter")),
        When(latest_nps__gt=DETRACTOR_MAX, then=Value("passive")),
        When(latest_nps__isnull=False, then=Value("detractor")),
        default=Value(NO_ANSWER),
        output_field=CharField(),
    )


def flag(exists: Exists, yes: str, no: str) -> Case:
    return Case(When(exists, then=Value(yes)), default=Value(no), output_field=CharField())


def member_group() -> Case:
    return flag(Exists(Advocate.objects.filter(customer=OuterRef("pk"))), "member", "not a member")


def referrer_group() -> Case:
    converted = Referral.objects.filter(link__advocate__customer=OuterRef("pk"), status=ReferralStatus.CONVERTED)
    return flag(Exists(converted), "referrer", "not a referrer")


def reference_group() -> Case:
    return flag(
        Exists(ReferenceCall.objects.filter(ask__advocate__customer=OuterRef("pk"))), "reference", "not a reference"
    )


def story_group() -> Case:
    told = Story.objects.filter(
        advocate__customer=OuterRef("pk"), status__in=[StoryStatus.APPROVED, StoryStatus.PUBLISHED]
    )
    return flag(Exists(told), "story", "no story")


def segment(field: str) -> Coalesce:
    return Coalesce(NullIf(f"account__{field}", Value("")), Value(UNKNOWN_SEGMENT), output_field=CharField())


EXPRESSIONS = {
    "nps": nps_case,
    "member": member_group,
    "referrer": referrer_group,
    "reference": reference_group,
    "story": story_group,
    "size": lambda: segment("size"),
    "industry": lambda: segment("industry"),
    "region": lambda: segment("region"),
}

GROUPINGS: dict[str, Grouping] = {
    g.name: g
    for g in (
        Grouping("nps", "NPS group of the latest answer", "nps", ("promoter", "passive", "detractor", NO_ANSWER)),
        Grouping("member", "Hub member", "status", ("member", "not a member")),
        Grouping("referrer", "Referrer", "status", ("referrer", "not a referrer")),
        Grouping("reference", "Reference", "status", ("reference", "not a reference")),
        Grouping("story", "Story", "status", ("story", "no story")),
        Grouping("size", "Account size", "segment", ()),
        Grouping("industry", "Industry", "segment", ()),
        Grouping("region", "Region", "segment", ()),
    )
}
STATUS_GROUPINGS = tuple(name for name, g in GROUPINGS.items() if g.kind == "status")
GROUP_LABELS: dict[str, str] = {
    **NPS_CATEGORY_LABELS,
    "member": "Hub members",
    "not a member": "Not members",
    "referrer": "Referrers",
    "not a referrer": "Not referrers",
    "reference": "References",
    "not a reference": "Not references",
    "story": "Told a story",
    "no story": "No story",
}


def group_label(name: str) -> str:
    return GROUP_LABELS.get(name, name)


def grouping(name: str) -> Grouping:
    """The grouping of this name, or ``UnknownGrouping`` saying which names exist."""
    try:
        return GROUPINGS[name]
    except KeyError:
        raise UnknownGrouping(name) from None


def ordered(grouping: Grouping, labels: set[str]) -> list[str]:
    known = [g for g in grouping.order if g in labels]
    return known + sorted(labels - set(known))
