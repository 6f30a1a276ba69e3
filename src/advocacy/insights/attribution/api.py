"""API for attribution: the figures under a model given as query parameters, and the stored settings."""

from datetime import date, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.insights.attribution import services
from advocacy.insights.attribution.model import Model, stored_models, with_overrides
from advocacy.insights.attribution.queries import attribution
from advocacy.insights.attribution.schemas import AttributionOut, ConvertedOut, LineOut, ModelOut, SettingIn, SettingOut
from advocacy.insights.currency import check_currency
from advocacy.insights.models import AttributionSource
from advocacy.insights.money.queries import convert

router = Router(tags=["insights"])


class AttributionQuery(Schema):
    since: date | None = None
    until: date | None = None
    source: str | None = None
    window_days: int | None = None
    credit_rule: str | None = None
    basis: str | None = None
    first_order_only: bool | None = None
    convert_to: str | None = None


def period(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or timezone.localdate()
    since = since or until - timedelta(days=364)
    if since > until:
        raise InvalidInput({"since": "the period starts after it ends"})
    return since, until


def models_from(q: AttributionQuery) -> dict[str, Model]:
    models = stored_models()
    overrides = {"window_days": q.window_days, "credit_rule": q.credit_rule, "basis": q.basis}
    overrides["first_order_only"] = q.first_order_only
    if q.source is None:
        if any(v is not None for v in overrides.values()):
            raise InvalidInput(
                {"source": f"name the source the parameters apply to: {', '.join(AttributionSource.values)}"}
            )
        return models
    if q.source not in AttributionSource.values:
        raise InvalidInput({"source": f"one of {', '.join(AttributionSource.values)}"})
    return with_overrides(models, q.source, overrides)


def model_out(model: Model) -> ModelOut:
    return ModelOut(**model.__dict__, in_words=model.describe())


@router.get(
    "/insights/attribution",
    response=AttributionOut,
    auth=api_auth(*IMPACT_READERS),
    summary="Revenue sourced and influenced per source, channel, month and currency, under the stated models",
)
def read_attribution(request: HttpRequest, q: Query[AttributionQuery]) -> AttributionOut:
    since, until = period(q.since, q.until)
    models = models_from(q)
    found = attribution(since=since, until=until, models=models)
    lines = [LineOut(**line.__dict__, credited_items=line.items) for line in found.lines]
    converted = None
    if q.convert_to:
        per_currency: dict = {}
        for (_, currency), row in found.totals().items():
            per_currency[currency] = per_currency.get(currency, 0) + row["value"]
        total = convert(per_currency, to=check_currency(q.convert_to, field="convert_to"), on=until)
        converted = ConvertedOut(currency=total.currency, amount=total.amount, label=total.label() or "not converted")
    return AttributionOut(
        since=since, until=until, models=[model_out(m) for m in models.values()], lines=lines, converted_total=converted
    )


@router.get(
    "/insights/attribution-settings",
    response=list[SettingOut],
    auth=api_auth(*IMPACT_READERS),
    summary="The stored model of each source",
)
def list_settings(request: HttpRequest) -> list[SettingOut]:
    return [SettingOut(**m.__dict__, in_words=m.describe()) for m in stored_models().values()]


@router.put(
    "/insights/attribution-settings/{source}",
    response=SettingOut,
    auth=api_auth(*PROGRAM_TEAM),
    summary="Change one source's model (window in days > 0, credit rule, basis)",
)
def update_setting(request: HttpRequest, source: str, payload: SettingIn) -> SettingOut:
    services.attribution_setting_update(source=source, by=actor(request), **payload.dict())
    model = stored_models()[source]
    return SettingOut(**model.__dict__, in_words=model.describe())
