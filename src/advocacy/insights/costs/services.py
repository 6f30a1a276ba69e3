"""Writes of the cost ledger. Entries are only ever added: a correction is a reversal (the negative of
the entry, pointing at it); the database holds it to one reversal per entry and refuses a negative
cost that reverses nothing. Reward costs are synced from the hub and referrals with a unique source
key, so a sync run twice writes nothing the second time and nobody types them again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.utils import timezone

from advocacy.advocates.models import (
    Advocate,
    HeldStatus,
    Redemption,
    RedemptionStatus,
    Reward,
    RewardTo,
)
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.importing.readers import ImportRefused, read_table
from advocacy.customers.importing.rows import RowError
from advocacy.insights.currency import check_currency
from advocacy.insights.models import SYNCED_KINDS, AttributionSource, CostEntry, CostKind, CostSaving

CENT = Decimal("0.01")


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def check_amount(value: Any, field_name: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput({field_name: f"{value!r} is not a number"}) from None
    if not amount.is_finite():
        raise InvalidInput({field_name: f"{value!r} is not a number"})
    if amount < 0:
        raise InvalidInput({field_name: f"a cost cannot be negative ({value}); to correct an entry, reverse it"})
    if amount == 0:
        raise InvalidInput({field_name: "a cost of zero records nothing"})
    return amount.quantize(CENT)


def check_cost(
    *, kind: str, amount: Any, hours: Any, hourly_rate: Any, source: str
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """The amount to book: given, or hours × loaded rate for staff time. Synced kinds are not typed."""
    if kind not in CostKind.values:
        raise InvalidInput({"kind": f"one of {', '.join(CostKind.values)}"})
    if kind in SYNCED_KINDS:
        raise InvalidInput({"kind": "reward costs are written from the hub and referrals by the sync, never typed"})
    if source not in [*AttributionSource.values, ""]:
        raise InvalidInput({"source": f"empty (program-wide) or one of {', '.join(AttributionSource.values)}"})
    if kind == CostKind.STAFF_TIME:
        if hours in (None, "") or hourly_rate in (None, ""):
            raise InvalidInput({"hours": "staff time needs the hours and the loaded hourly rate of the role"})
        h, rate = check_amount(hours, "hours"), check_amount(hourly_rate, "hourly_rate")
        return (h * rate).quantize(CENT), h, rate
    if amount in (None, ""):
        raise InvalidInput({"amount": "how much it cost"})
    return check_amount(amount), None, None


@transaction.atomic
def cost_entry_create(
    *,
    month: dt.date,
    kind: str,
    currency: str,
    by: User | None,
    amount: Any = None,
    hours: Any = None,
    hourly_rate: Any = None,
    staff_role: str = "",
    source: str = "",
    note: str = "",
) -> CostEntry:
    """Book one cost in the month it belongs to."""
    booked, h, rate = check_cost(kind=kind, amount=amount, hours=hours, hourly_rate=hourly_rate, source=source)
    if kind == CostKind.STAFF_TIME and not staff_role.strip():
        raise InvalidInput({"staff_role": "whose time it was (the role its loaded rate belongs to)"})
    return CostEntry.objects.create(
        month=month_start(month),
        kind=kind,
        source=source,
        amount=booked,
        currency=check_currency(currency),
        staff_role=staff_role.strip()[:60],
        hours=h,
        hourly_rate=rate,
        note=note.strip()[:300],
        created_by=by,
    )


@transaction.atomic
def cost_entry_reverse(*, entry: CostEntry, by: User | None, note: str = "") -> CostEntry:
    """Correct an entry by adding its reversal; the entry itself stays as it was."""
    entry = CostEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ServiceError("This entry is itself a reversal; book the right cost as a new entry instead.")
    if CostEntry.objects.filter(reverses=entry).exists():
        raise ServiceError("This entry was reversed already.")
    return CostEntry.objects.create(
        month=entry.month,
        kind=entry.kind,
        source=entry.source,
        amount=-entry.amount,
        currency=entry.currency,
        staff_role=entry.staff_role,
        hours=entry.hours,
        hourly_rate=entry.hourly_rate,
        note=(note.strip() or f"reverses entry {entry.pk}")[:300],
        reverses=entry,
        source_key=None,
        created_by=by,
    )


@transaction.atomic
def cost_saving_create(*, month: dt.date, amount: Any, currency: str, description: str, by: User | None) -> CostSaving:
    """A stated estimate of a cost the program saved; shown as an estimate wherever it is used."""
    if not description.strip():
        raise InvalidInput({"description": "say what was saved and how it was estimated"})
    return CostSaving.objects.create(
        month=month_start(month),
        amount=check_amount(amount),
        currency=check_currency(currency),
        description=description.strip()[:300],
        created_by=by,
    )


# The sync from the hub and referrals


def money_per_point() -> dict[str, Decimal]:
    """What one point costs in each currency, averaged over the active rewards (money ÷ points)."""
    rows = (
        Reward.objects.filter(active=True, money_cost__gt=0)
        .values("currency")
        .annotate(per_point=Avg(F("money_cost") / F("point_cost")))
    )
    return {r["currency"]: Decimal(str(r["per_point"])) for r in rows if r["per_point"]}


def synced_entry(
    *, key: str, month: dt.date, kind: str, source: str, amount: Decimal, currency: str, note: str
) -> bool:
    """Write the entry for this source key unless it is there; True when written."""
    if amount <= 0:
        return False
    try:
        with transaction.atomic():
            CostEntry.objects.create(
                source_key=key,
                month=month_start(month),
                kind=kind,
                source=source,
                amount=amount.quantize(CENT),
                currency=currency,
                note=note[:300],
            )
    except IntegrityError:
        return False  # written by an earlier run
    return True


def costs_sync(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Book the money cost of fulfilled redemptions, and of referral rewards paid outside the hub.

    Points an advocate earns by a referral cost money only when redeemed, so they are booked once, as
    the redemption. A friend who is not an advocate is rewarded outside the hub: that reward is booked
    at its points × the average money per point of the active rewards. Safe to run twice.
    """
    now = now or timezone.now()
    written = {CostKind.REWARD_REDEMPTIONS.value: 0, CostKind.REFERRAL_REWARDS.value: 0}
    booked = set(CostEntry.objects.filter(source_key__startswith="redemption:").values_list("source_key", flat=True))
    fulfilled = Redemption.objects.filter(status=RedemptionStatus.FULFILLED).select_related("reward")
    for redemption in fulfilled.iterator():
        if f"redemption:{redemption.pk}" in booked:
            continue
        at = redemption.decided_at or redemption.requested_at
        written[CostKind.REWARD_REDEMPTIONS] += synced_entry(
            key=f"redemption:{redemption.pk}",
            month=at.date(),
            kind=CostKind.REWARD_REDEMPTIONS,
            source="",
            amount=redemption.reward.money_cost,
            currency=redemption.reward.currency,
            note=f"{redemption.reward.name} for advocate {redemption.advocate_id}",
        )
    written[CostKind.REFERRAL_REWARDS] += referral_rewards_sync()
    return written


def referral_rewards_sync() -> int:
    from advocacy.advocates.models import ReferralReward

    per_point = money_per_point()
    if not per_point:
        return 0
    currency, rate = sorted(per_point.items())[0]
    advocates = Advocate.objects.values("customer_id")
    paid_outside = ReferralReward.objects.filter(status=HeldStatus.RELEASED, to=RewardTo.FRIEND, points__gt=0).exclude(
        referral__friend_id__in=advocates
    )
    count = 0
    for reward in paid_outside.select_related("referral").iterator():
        count += synced_entry(
            key=f"referral_reward:{reward.pk}",
            month=(reward.decided_at or reward.release_after).date(),
            kind=CostKind.REFERRAL_REWARDS,
            source=AttributionSource.REFERRAL,
            amount=Decimal(reward.points) * rate,
            currency=currency,
            note=f"{reward.points} points to referred friend {reward.referral.friend_id}, paid outside the hub",
        )
    return count


# CSV import, through the import service's reader (encodings, limits) and its row-error shape

IMPORT_COLUMNS = ("month", "kind", "amount", "currency", "source", "staff_role", "hours", "hourly_rate", "note")


@dataclass
class CostImport:
    rows_read: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def parse_month(text: str) -> dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise InvalidInput({"month": f"{text!r} is not a month: write YYYY-MM or a date YYYY-MM-DD"}) from None


def costs_import(*, stream: IO[bytes], by: User) -> CostImport:
    """Book each row of a CSV or XLSX file as a cost; a bad row is reported with its line, column,
    value and reason, and nothing of it is booked. The whole file is refused when unreadable."""
    try:
        table = read_table(stream)
    except ImportRefused as exc:
        raise InvalidInput({"file": str(exc)}) from None
    headers = [h.strip().lower() for h in table.headers]
    missing = [c for c in ("month", "kind", "currency") if c not in headers]
    if missing:
        raise InvalidInput({"file": f"missing column(s): {', '.join(missing)}; columns: {', '.join(IMPORT_COLUMNS)}"})
    report = CostImport()
    for line, cells in table.records:
        report.rows_read += 1
        values = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}
        try:
            cost_entry_create(
                month=parse_month(values["month"]),
                kind=values["kind"],
                currency=values["currency"],
                amount=values.get("amount") or None,
                hours=values.get("hours") or None,
                hourly_rate=values.get("hourly_rate") or None,
                staff_role=values.get("staff_role", ""),
                source=values.get("source", ""),
                note=values.get("note", ""),
                by=by,
            )
        except InvalidInput as exc:
            for column, reason in exc.errors.items():
                report.errors.append(RowError(line=line, column=column, value=values.get(column, ""), reason=reason))
        else:
            report.created += 1
    return report
