"""Listening against the demo's planted truths: the spike raises exactly one alert, the astroturf cluster
and the undisclosed posts are flagged, sentiment agrees with the planted labels; precision and recall
are printed (and recorded in docs/listening.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from advocacy.demo.generator import generate_company, read_manifest
from advocacy.feedback.learned.queries import model_in_use
from advocacy.listening.mentions.queries import NEGATIVE_BELOW
from advocacy.listening.models import Alert, AlertKind, Flag, FlagKind, Mention

TODAY = date(2025, 6, 30)

pytestmark = pytest.mark.django_db


def precision_recall(found: set[str], truth: set[str]) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 0.0, hits / len(truth) if truth else 0.0)


@pytest.fixture
def manifest(tmp_path: Path, settings):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.SENTIMENT_MIN_LABELLED = 100  # a 600-customer company has fewer comments than a real one
    summary = generate_company(customers=600, seed=11, today=TODAY, manifest_path=tmp_path / "m.json")
    return read_manifest(summary.manifest_path)["listening"]


def test_listening_recovers_the_demo_s_planted_truths(manifest):
    volume = Alert.objects.filter(query__name=manifest["brand_query"], kind=AlertKind.VOLUME)
    assert [a.day.isoformat() for a in volume] == [manifest["spike_day"]]
    assert Alert.objects.filter(kind=AlertKind.VOLUME).count() == 1
    assert {a.day.isoformat() for a in Alert.objects.filter(kind=AlertKind.NEGATIVE)} <= {manifest["spike_day"]}

    def flagged(kind: str) -> set[str]:
        return set(Flag.objects.filter(kind=kind).values_list("mention__canonical_url", flat=True))

    astro_p, astro_r = precision_recall(flagged(FlagKind.ASTROTURF), set(manifest["astroturf"]))
    undisclosed_p, undisclosed_r = precision_recall(flagged(FlagKind.UNDISCLOSED), set(manifest["undisclosed"]))
    labels = manifest["sentiment_labels"]
    urls = dict(Mention.objects.values_list("canonical_url", "sentiment"))
    said_negative = {u for u, s in urls.items() if s < NEGATIVE_BELOW}
    truly_negative = {u for u, label in labels.items() if label == "negative" and u in urls}
    neg_p, neg_r = precision_recall(said_negative & set(labels), truly_negative)
    model = model_in_use()
    print(
        f"\nastroturf precision {astro_p:.2f} recall {astro_r:.2f}; undisclosed precision {undisclosed_p:.2f} "
        f"recall {undisclosed_r:.2f}; negative sentiment precision {neg_p:.3f} recall {neg_r:.3f} "
        f"(n={len(truly_negative)}, by {model.method if model else 'VADER'}"
        + (f", held-out AUC {model.auc:.3f} vs VADER {model.vader_auc:.3f})" if model else ")")
    )
    assert astro_r == 1.0 and astro_p == 1.0
    assert undisclosed_r == 1.0 and undisclosed_p == 1.0
    assert not flagged(FlagKind.UNDISCLOSED) & set(manifest["disclosed"])
    assert neg_r >= 0.9 and neg_p >= 0.9
    assert model is not None and model.auc > model.vader_auc
    known = dict(Mention.objects.filter(customer__isnull=False).values_list("canonical_url", "customer__external_id"))
    assert all(known.get(url) == external_id for url, external_id in manifest["known_customer_mentions"].items())
