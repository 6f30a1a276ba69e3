"""Raising spike alerts per query and kind, once per spike, and mailing them to the program team."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from advocacy.listening.alerts import spikes as spike_test
from advocacy.listening.alerts.queries import daily_counts
from advocacy.listening.models import Alert, AlertKind, Mention, Query


@transaction.atomic
def alerts_scan(*, until: date | None = None, since: date | None = None, mail: bool = True) -> list[Alert]:
    """Look for spikes in each active query's days up to ``until`` (default: yesterday, a finished day).
    Safe to run twice: an alert is unique per query, kind and day, and the cooldown counts from the last."""
    until = until or timezone.localdate() - timedelta(days=1)
    first = Mention.objects.order_by("published_at").values_list("published_at", flat=True).first()
    if first is None:
        return []
    start = max(since - timedelta(days=spike_test.BASELINE_DAYS), first.date()) if since else first.date()
    raised: list[Alert] = []
    for query in Query.objects.filter(active=True):
        days, totals, negatives = daily_counts(query=query, start=start, end=until)
        for kind in (AlertKind.VOLUME, AlertKind.NEGATIVE):
            last = Alert.objects.filter(query=query, kind=kind).aggregate(day=Max("day"))["day"]
            if kind == AlertKind.VOLUME:
                found = spike_test.spikes(
                    days, totals, [float(t) for t in totals], floor=spike_test.MIN_SPREAD_COUNT, last_alert=last
                )
            else:
                found = spike_test.share_spikes(days, totals, negatives, last_alert=last)
            for spike in found:
                if since and spike.day < since:
                    continue
                alert, made = Alert.objects.get_or_create(
                    query=query,
                    kind=kind,
                    day=spike.day,
                    defaults={
                        "observed": spike.observed,
                        "baseline": spike.baseline,
                        "spread": spike.spread,
                        "score": spike.score,
                        "mentions_count": spike.mentions,
                    },
                )
                if made:
                    raised.append(alert)
    if mail and raised:
        from advocacy.listening.alerts.mail import alerts_mail

        transaction.on_commit(lambda: alerts_mail([a.pk for a in raised]))
    return raised


def mark_mailed(alert_ids: list[int], now: datetime) -> None:
    Alert.objects.filter(pk__in=alert_ids, mailed_at__isnull=True).update(mailed_at=now)
