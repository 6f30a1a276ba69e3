"""Listening: where mentions come from (sources), what to listen for (queries), what was heard
(mentions), and what it raised (spike alerts, authenticity flags)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from advocacy.customers.models import Customer


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS or Atom feed"
    WEBHOOK = "webhook", "Signed webhook (a tool pushes mentions)"
    IMPORT = "import", "File import (review exports)"


class Source(models.Model):
    """A place mentions come from. A feed is fetched every ``interval_minutes`` with a conditional GET;
    after an error it backs off (doubling, up to a day) and says why on its page."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    url = models.URLField(max_length=500, blank=True, help_text="The feed's address (feeds only).")
    interval_minutes = models.PositiveIntegerField(default=60)
    enabled = models.BooleanField(default=True)
    # Conditional GET: what the server said last time, sent back so an unchanged feed costs nothing.
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Health
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_items = models.PositiveIntegerField(default=0, help_text="Entries in the last fetch.")
    last_new = models.PositiveIntegerField(default=0, help_text="Mentions the last fetch added.")
    last_error = models.CharField(max_length=500, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Errors in a row; the back-off doubles with each.")
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Webhook
    public_id = models.CharField(max_length=32, unique=True, null=True, blank=True, help_text="In the webhook URL.")
    secret = models.CharField(max_length=100, blank=True, help_text="whsec_…: the sender signs every message.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="listening_source_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="feed") | ~Q(url=""), name="listening_feed_has_url"),
            models.CheckConstraint(
                condition=~Q(kind="webhook") | (Q(secret__startswith="whsec_") & Q(public_id__isnull=False)),  # noqa: S106
                name="listening_webhook_has_secret",
            ),
            models.CheckConstraint(condition=Q(interval_minutes__gte=1), name="listening_interval_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookReceipt(models.Model):
    """Each signed message a webhook source sent, by its ``webhook-id``: a replay is refused."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    msg_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "msg_id"], name="listening_receipt_once")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.msg_id}"


class QueryKind(models.TextChoices):
    BRAND = "brand", "Our brand"
    PRODUCT = "product", "Our product"
    COMPETITOR = "competitor", "A competitor"


class Query(models.Model):
    """What to listen for. A text matches when it contains a term or a misspelling (whole words, any
    case) and no exclusion, in one of the languages (none named = any language)."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=QueryKind.choices, default=QueryKind.BRAND)
    terms = models.JSONField(default=list)
    misspellings = models.JSONField(default=list, blank=True)
    exclusions = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text='e.g. ["en", "de"]; empty = any.')
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "queries"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=QueryKind.values), name="listening_query_kind_valid")
        ]

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    """A post, article or review that matched a query. Exact duplicates never get a row (its canonical
    URL and its content hash are each unique); near-duplicates point at the first of their group."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="mentions")
    canonical_url = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    handle = models.CharField(max_length=100, blank=True, db_index=True, help_text="Lower-case, without the @.")
    author_email = models.CharField(max_length=254, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1–5, for reviews.")
    sentiment = models.FloatField()
    sentiment_method = models.CharField(max_length=60)
    matched_terms = models.JSONField(default=list)
    queries = models.ManyToManyField(Query, related_name="mentions")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions", db_index=False
    )
    matched_by = models.CharField(max_length=10, blank=True, help_text="handle, email or domain")
    content_hash = models.CharField(max_length=64, unique=True)
    minhash = models.BinaryField(help_text="MinHash signature of the text's shingles, for near-duplicates.")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates"
    )

    class Meta:
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["customer", "published_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_url"], condition=~Q(canonical_url=""), name="listening_mention_url_once"
            ),
            models.CheckConstraint(condition=Q(sentiment__gte=-1, sentiment__lte=1), name="listening_sentiment_range"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="listening_rating_range"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="listening_mention_has_text"),
            models.CheckConstraint(
                condition=Q(customer__isnull=True, matched_by="")
                | Q(customer__isnull=False, matched_by__in=["handle", "email", "domain"]),
                name="listening_customer_match_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class MentionBand(models.Model):
    """One LSH band key of a mention's MinHash signature (``minhash.BANDS`` a mention), filed under the
    four-week period it was published in (``minhash.filed``: the period in the key's high bits). The index
    (key, mention) lets a batch find the stored mentions of its window that share a band with it by one
    equality on one column, and keeps a batch's writes together in the index: with random keys alone,
    every batch rewrote pages all over an index that grows with every mention."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "mention"], name="listening_band_filed_key")]

    def __str__(self) -> str:
        return f"{self.mention_id}:{self.key}"


class AlertKind(models.TextChoices):
    VOLUME = "volume", "Volume spike"
    NEGATIVE = "negative", "Negative-share spike"


class Alert(models.Model):
    """A day whose mentions of a query stood out from the trailing baseline; one per spike (cooldown)."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="alerts", db_index=False)
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    day = models.DateField()
    observed = models.FloatField(help_text="Mentions that day, or their negative share.")
    baseline = models.FloatField(help_text="Median of the trailing window (volume) or its pooled negative share.")
    spread = models.FloatField(help_text="Scaled MAD of the trailing window (volume; 0 for the share test).")
    score = models.FloatField(help_text="Robust z (volume), or −log10 of the binomial tail p-value (share).")
    mentions_count = models.PositiveIntegerField()
    raised_at = models.DateTimeField(default=timezone.now)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["query", "kind", "day"], name="listening_alert_once_per_day"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="listening_alert_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.query} on {self.day}"


class FlagKind(models.TextChoices):
    UNDISCLOSED = "undisclosed", "Material connection without disclosure"
    ASTROTURF = "astroturf", "Near-identical texts from different authors"
    NEW_AUTHORS = "new_authors", "Burst of new authors"


class Flag(models.Model):
    """An authenticity concern about a mention, with the evidence a person can check."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="flags", db_index=False)
    kind = models.CharField(max_length=12, choices=FlagKind.choices)
    evidence = models.JSONField(default=dict)
    raised_at = models.DateTimeField(default=timezone.now)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["mention", "kind"], name="listening_flag_once"),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="listening_flag_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on mention {self.mention_id}"
