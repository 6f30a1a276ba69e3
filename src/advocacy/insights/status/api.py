"""API: NPS, CSAT and gross margin per customer for members and non-members, referrers, references, stories."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import ValidationError

from advocacy.core.api.auth import api_auth
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.retention.queries import currencies
from advocacy.insights.status import queries as status
from advocacy.insights.status.schemas import StatusIn, StatusOut

router = Router(tags=["advocacy status"])


@router.get(
    "/insights/status",
    response=list[StatusOut],
    auth=api_auth(*IMPACT_READERS),
    summary="Satisfaction and profitability by advocacy status, each with its 95% interval and n",
)
def satisfaction_by_status(request: HttpRequest, filters: Query[StatusIn]) -> list[StatusOut]:
    known = currencies()
    currency = (filters.currency or (known[0] if known else "USD")).upper()
    if known and currency not in known:
        raise ValidationError(
            [{"loc": ("query", "currency"), "msg": f"no orders in {currency}: choose one of {', '.join(known)}"}]
        )
    return [StatusOut.build(t) for t in status.all_statuses(currency=currency)]
