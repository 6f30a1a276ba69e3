"""API of the advocate score: ranked scores, one customer's score, the weights, and a recompute.

Handlers parse, call one function of ``scoring``, and return.
"""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.advocates.models import AdvocateScore, ScoreWeights, Tier
from advocacy.advocates.scoring import queries
from advocacy.advocates.scoring import services as scoring
from advocacy.advocates.scoring.reasons import reasons_in_words
from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import PROGRAM_TEAM, SCORE_READERS

router = Router(tags=["advocate scores"])

READ = api_auth(*SCORE_READERS)
WRITE = api_auth(*PROGRAM_TEAM)


class ScoreOut(Schema):
    customer_id: int
    customer_external_id: str | None = Field(None, alias="customer.external_id")
    score: float
    tier: str
    enrolled: bool = False
    reasons: list[str]
    parts: dict[str, float]
    computed_at: datetime

    @staticmethod
    def resolve_reasons(row: AdvocateScore) -> list[str]:
        return reasons_in_words(row.reasons)


class ScoreFilters(Schema):
    tier: Tier | None = None
    min_score: float | None = Field(None, ge=0, le=100)


class WeightsOut(Schema):
    satisfaction: float
    engagement: float
    value: float
    advocacy_history: float
    negatives: float
    updated_at: datetime


class WeightsIn(Schema):
    satisfaction: float = Field(ge=0)
    engagement: float = Field(ge=0)
    value: float = Field(ge=0)
    advocacy_history: float = Field(ge=0)
    negatives: float = Field(ge=0)


class RecomputeOut(Schema):
    task_id: str
    status: str


@router.get("/advocate-scores", response=list[ScoreOut], auth=READ, summary="List advocate scores, best first")
@paginate(Page)
def list_scores(request: HttpRequest, filters: Query[ScoreFilters]) -> QuerySet[AdvocateScore]:
    return queries.scores_ranked(tier=filters.tier or "", min_score=filters.min_score)


@router.get("/advocate-scores/{int:customer_id}", response=ScoreOut, auth=READ, summary="Read one customer's score")
def get_score(request: HttpRequest, customer_id: int) -> AdvocateScore:
    return get_object_or_404(queries.scores_ranked(), customer_id=customer_id)


@router.get("/advocate-score-weights", response=WeightsOut, auth=WRITE, summary="Read the score weights")
def get_weights(request: HttpRequest) -> ScoreWeights:
    return scoring.score_weights()


@router.put(
    "/advocate-score-weights",
    response=WeightsOut,
    auth=WRITE,
    summary="Set the score weights (every score is recomputed in the background)",
)
def put_weights(request: HttpRequest, payload: WeightsIn) -> ScoreWeights:
    return scoring.weights_update(by=actor(request), **payload.dict())


@router.post(
    "/advocate-scores/recompute",
    response={202: RecomputeOut},
    auth=WRITE,
    summary="Recompute every score in the background",
)
def recompute(request: HttpRequest) -> Status[RecomputeOut]:
    result = scoring.recompute_enqueue()
    return Status(202, RecomputeOut(task_id=str(result.id), status=str(result.status)))
