"""API for spike alerts (readers)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from advocacy.core.api.auth import api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import INSIGHT_READERS
from advocacy.listening.alerts import queries
from advocacy.listening.alerts.schemas import AlertOut
from advocacy.listening.models import Alert

router = Router(tags=["listening"])


@router.get("/listening/alerts", response=list[AlertOut], auth=api_auth(*INSIGHT_READERS), summary="List spike alerts")
@paginate(Page)
def list_alerts(request: HttpRequest) -> QuerySet[Alert]:
    return queries.alerts()
