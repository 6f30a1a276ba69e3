"""Spike alerts: a planted spike raises exactly one alert (the cooldown keeps its second day quiet),
mailed to the program team, with the mentions behind it on its page."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.listening.alerts.services import alerts_scan
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Alert, AlertKind, Source, SourceKind

pytestmark = pytest.mark.django_db
START = date(2026, 1, 1)
SPIKE = date(2026, 2, 20)


def plant(acme, *, spike_days: int = 2) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    source = Source.objects.create(name="news", kind=SourceKind.IMPORT)
    items = []
    for d in range(70):
        day = START + timedelta(days=d)
        n = rng.randint(2, 5) + (25 if SPIKE <= day < SPIKE + timedelta(days=spike_days) else 0)
        for i in range(n):
            at = datetime(day.year, day.month, day.day, 8 + i % 10, i, tzinfo=UTC)
            items.append(
                Incoming(
                    text=f"Acme note {d}-{i}: {rng.choice(['fine', 'ok', 'good'])} {rng.random()}",
                    published_at=at,
                    author=f"a{d}-{i}",
                )
            )
    mentions_ingest(source=source, items=items, after_commit=False)


def test_a_planted_spike_raises_exactly_one_alert(acme, staff, django_capture_on_commit_callbacks):
    plant(acme)
    with django_capture_on_commit_callbacks(execute=True):
        raised = alerts_scan(until=START + timedelta(days=69))
    volume = [a for a in raised if a.kind == AlertKind.VOLUME]
    assert [(a.day, a.query) for a in volume] == [(SPIKE, acme)]
    assert Alert.objects.get(kind="volume").mailed_at is not None


def test_scanning_again_raises_nothing_more(acme):
    plant(acme)
    alerts_scan(until=START + timedelta(days=69), mail=False)
    assert alerts_scan(until=START + timedelta(days=69), mail=False) == []
    assert Alert.objects.filter(kind=AlertKind.VOLUME).count() == 1


def test_the_alert_page_lists_the_mentions_behind_it(acme, client_as):
    plant(acme, spike_days=1)
    alerts_scan(until=START + timedelta(days=69), mail=False)
    alert = Alert.objects.get(kind=AlertKind.VOLUME)
    page = client_as("analyst").get(f"/listening/alerts/{alert.pk}/").content.decode()
    assert page.count("/listening/mentions/") == alert.mentions_count
