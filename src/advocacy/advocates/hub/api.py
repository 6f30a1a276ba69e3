"""API of the advocate hub: challenges, submissions, advocates and their points, rewards, redemptions,
hub invitations. Handlers parse, call one query or service, and return; rules live in hub.py.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.advocates.hub import queries as hub_queries
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.schemas import (
    AdvocateOut,
    ChallengeIn,
    ChallengeOut,
    ChallengePatch,
    DecisionIn,
    HubInvitationIn,
    HubInvitationOut,
    PointsEntryOut,
    RedemptionIn,
    RedemptionOut,
    ReviewIn,
    RewardIn,
    RewardOut,
    RewardPatch,
    SubmissionOut,
    TopInvitationsIn,
    TopInvitationsOut,
)
from advocacy.advocates.hub.shipping import Shipping
from advocacy.advocates.models import (
    Advocate,
    Challenge,
    HubInvitation,
    PointsEntry,
    Redemption,
    Reward,
    Submission,
)
from advocacy.core.api.auth import actor, api_auth, staff_member
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.roles import HUB_READERS, PROGRAM_TEAM
from advocacy.customers.models import Customer

router = Router(tags=["advocate hub"])

WRITE = api_auth(*PROGRAM_TEAM)
READ = api_auth(*HUB_READERS)


# Challenges


@router.get("/hub/challenges", response=list[ChallengeOut], auth=READ, summary="List challenges")
@paginate(Page)
def list_challenges(request: HttpRequest) -> QuerySet[Challenge]:
    return Challenge.objects.order_by("-starts_on", "-pk")


@router.get("/hub/challenges/{challenge_id}", response=ChallengeOut, auth=READ, summary="Read a challenge")
def get_challenge(request: HttpRequest, challenge_id: int) -> Challenge:
    return get_object_or_404(Challenge, pk=challenge_id)


@router.post(
    "/hub/challenges",
    response={201: ChallengeOut},
    auth=WRITE,
    summary="Create a challenge (refused if points depend on a review's sentiment, 16 CFR Part 465)",
)
def create_challenge(request: HttpRequest, payload: ChallengeIn) -> Status[Challenge]:
    return Status(201, hub.challenge_create(by=staff_member(request), **payload.dict()))


@router.patch("/hub/challenges/{challenge_id}", response=ChallengeOut, auth=WRITE, summary="Update a challenge")
def update_challenge(request: HttpRequest, challenge_id: int, payload: ChallengePatch) -> Challenge:
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    return hub.challenge_update(challenge=challenge, by=staff_member(request), **payload.dict(exclude_unset=True))


# Submissions


class SubmissionFilters(Schema):
    status: str = ""
    challenge_id: int | None = None


@router.get("/hub/submissions", response=list[SubmissionOut], auth=READ, summary="List challenge submissions")
@paginate(Page)
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilters]) -> QuerySet[Submission]:
    return hub_queries.submissions_listed(**filters.dict())


@router.post(
    "/hub/submissions/{submission_id}/approve",
    response=SubmissionOut,
    auth=WRITE,
    summary="Approve a submission (its points are added once)",
)
def approve_submission(request: HttpRequest, submission_id: int, payload: ReviewIn) -> Submission:
    submission = get_object_or_404(Submission, pk=submission_id)
    return hub.submission_review(submission=submission, by=staff_member(request), approve=True, note=payload.note)


@router.post(
    "/hub/submissions/{submission_id}/reject", response=SubmissionOut, auth=WRITE, summary="Reject a submission"
)
def reject_submission(request: HttpRequest, submission_id: int, payload: ReviewIn) -> Submission:
    submission = get_object_or_404(Submission, pk=submission_id)
    return hub.submission_review(submission=submission, by=staff_member(request), approve=False, note=payload.note)


# Advocates and their points


@router.get(
    "/hub/advocates",
    response=list[AdvocateOut],
    auth=READ,
    summary="List advocates with balance and level, most points earned first",
)
@paginate(Page)
def list_advocates(request: HttpRequest) -> QuerySet[Advocate]:
    return hub_queries.advocates_listed()


@router.get("/hub/advocates/{advocate_id}", response=AdvocateOut, auth=READ, summary="Read an advocate")
def get_advocate(request: HttpRequest, advocate_id: int) -> Advocate:
    return get_object_or_404(hub_queries.advocates_listed(), pk=advocate_id)


@router.get(
    "/hub/advocates/{advocate_id}/points",
    response=list[PointsEntryOut],
    auth=READ,
    summary="An advocate's points ledger, newest first",
)
@paginate(Page)
def list_points(request: HttpRequest, advocate_id: int) -> QuerySet[PointsEntry]:
    return hub_queries.ledger_of(get_object_or_404(Advocate, pk=advocate_id))


# Rewards


@router.get("/hub/rewards", response=list[RewardOut], auth=READ, summary="List rewards")
@paginate(Page)
def list_rewards(request: HttpRequest) -> QuerySet[Reward]:
    return Reward.objects.order_by("point_cost", "pk")


@router.post("/hub/rewards", response={201: RewardOut}, auth=WRITE, summary="Add a reward to the catalogue")
def create_reward(request: HttpRequest, payload: RewardIn) -> Status[Reward]:
    return Status(201, hub.reward_create(by=staff_member(request), **payload.dict()))


@router.patch("/hub/rewards/{reward_id}", response=RewardOut, auth=WRITE, summary="Update a reward")
def update_reward(request: HttpRequest, reward_id: int, payload: RewardPatch) -> Reward:
    reward = get_object_or_404(Reward, pk=reward_id)
    return hub.reward_update(reward=reward, by=staff_member(request), **payload.dict(exclude_unset=True))


# Redemptions


class RedemptionFilters(Schema):
    status: str = ""


@router.get("/hub/redemptions", response=list[RedemptionOut], auth=READ, summary="List redemptions")
@paginate(Page)
def list_redemptions(request: HttpRequest, filters: Query[RedemptionFilters]) -> QuerySet[Redemption]:
    return hub_queries.redemptions_listed(status=filters.status)


@router.post(
    "/hub/redemptions",
    response={201: RedemptionOut},
    auth=WRITE,
    summary="Request a reward on behalf of an advocate (spends their points)",
)
def create_redemption(request: HttpRequest, payload: RedemptionIn) -> Status[Redemption]:
    advocate = get_object_or_404(Advocate, pk=payload.advocate_id)
    reward = get_object_or_404(Reward, pk=payload.reward_id)
    shipping = Shipping.of({f"ship_{k}": v for k, v in payload.shipping.dict().items()}) if payload.shipping else None
    try:
        redemption = hub.redemption_request(
            advocate=advocate, reward=reward, choice=payload.choice, shipping=shipping, by=staff_member(request)
        )
    except InvalidInput as exc:  # point at the payload's own names: shipping/city, not ship_city
        raise InvalidInput({k.replace("ship_", "shipping/", 1): v for k, v in exc.errors.items()}) from exc
    return Status(201, redemption)


@router.post(
    "/hub/redemptions/{redemption_id}/decide",
    response=RedemptionOut,
    auth=WRITE,
    summary="Approve, fulfil or cancel a redemption (cancel refunds the points)",
)
def decide_redemption(request: HttpRequest, redemption_id: int, payload: DecisionIn) -> Redemption:
    redemption = get_object_or_404(Redemption.objects.select_related("reward"), pk=redemption_id)
    return hub.redemption_decide(
        redemption=redemption, by=staff_member(request), action=payload.action, note=payload.note
    )


# Hub invitations


class InvitationFilters(Schema):
    status: str = ""


@router.get("/hub/invitations", response=list[HubInvitationOut], auth=READ, summary="List hub invitations")
@paginate(Page)
def list_hub_invitations(request: HttpRequest, filters: Query[InvitationFilters]) -> QuerySet[HubInvitation]:
    return hub_queries.hub_invitations_listed(status=filters.status)


@router.post(
    "/hub/invitations",
    response={201: HubInvitationOut},
    auth=WRITE,
    summary="Invite a customer to the hub (held, with the reason, when over their contact budget)",
)
def create_hub_invitation(request: HttpRequest, payload: HubInvitationIn) -> Status[HubInvitation]:
    customer = get_object_or_404(Customer, pk=payload.customer_id)
    invitation = hub.hub_invite(customer=customer, reason=payload.reason)
    if invitation is None:
        raise ServiceError(f"Customer {customer.pk} is already an advocate.")
    return Status(201, invitation)


@router.post(
    "/hub/invitations/top",
    response=TopInvitationsOut,
    auth=WRITE,
    summary="Invite the best-scored customers of some tiers not yet invited, each within their contact budget",
)
def invite_top_scored(request: HttpRequest, payload: TopInvitationsIn) -> dict[str, int]:
    return hub.hub_invite_top(tiers=payload.tiers, limit=payload.limit, by=actor(request))
