"""The advocacy program: who is likely to advocate and why, the hub (challenges, points, badges,
rewards), referrals, customer references and stories — with consent and disclosure as data.

Invariants in the database: a points balance never goes below zero (each ledger row carries the
balance after it and a per-advocate sequence number, so two concurrent redemptions cannot both
spend the same points), reward stock never goes below zero, one advocate per customer, referral
codes are unique, a published story has consent in scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from advocacy.customers.models import Customer, Order

# Identification


class ScoreWeights(models.Model):
    """How much each part of the advocate score counts; a program manager sets them. A single row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    satisfaction = models.FloatField(default=0.35)
    engagement = models.FloatField(default=0.25)
    value = models.FloatField(default=0.15)
    advocacy_history = models.FloatField(default=0.25)
    negatives = models.FloatField(default=0.30, help_text="Subtracted: open cases and a recent detractor answer.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "score weights"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="score_weights_single_row"),
            models.CheckConstraint(
                condition=Q(
                    satisfaction__gte=0, engagement__gte=0, value__gte=0, advocacy_history__gte=0, negatives__gte=0
                ),
                name="score_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return "Advocate score weights"


class Tier(models.TextChoices):
    CHAMPION = "champion", "Champion"
    LIKELY = "likely", "Likely advocate"
    POTENTIAL = "potential", "Potential"
    NOT_NOW = "not_now", "Not now"


class AdvocateScore(models.Model):
    """The latest advocate score of a customer, 0–100, with its parts and its top reasons.

    The reasons are stored as codes with their parameters (``[["frequency", 12], ["nps", 10]]``) and put
    into words when they are read (``scoring/reasons.py``). ``computed_at`` is when the score last
    changed: a rescore writes only the rows whose score, tier, parts or reasons differ.
    """

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="advocate_score")
    score = models.FloatField()
    tier = models.CharField(max_length=16, choices=Tier.choices)
    parts = models.JSONField(default=dict, help_text="Each component's contribution, in score points.")
    reasons = models.JSONField(default=list, help_text="The top reasons, as codes with their parameters.")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-score"]), models.Index(fields=["tier", "-score"])]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="advocate_score_range")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score:.0f}"


class ScoringRun(models.Model):
    """One committed rescore, full or of the customers with new activity; the latest is the watermark.

    A run and everything it wrote commit together, so a rescore that dies leaves the watermark where it
    was. A full run also keeps the population scales the score measures customers against (the
    typical count of recent events, each currency's revenues), which an incremental run reuses.
    """

    scored_at = models.DateTimeField(help_text="The moment the scores were computed for: the watermark.")
    full = models.BooleanField()
    scored = models.IntegerField(help_text="Customers scored.")
    written = models.IntegerField(help_text="Score rows inserted or changed; the others were already right.")
    typical_events_90 = models.FloatField(null=True, blank=True)
    revenue_scale = models.BinaryField(null=True, blank=True, help_text="Full runs: revenues per currency, sorted.")
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        get_latest_by = "id"
        constraints = [
            models.CheckConstraint(
                condition=Q(full=False) | Q(typical_events_90__isnull=False), name="scoring_run_full_has_scales"
            )
        ]

    def __str__(self) -> str:
        return f"{'full' if self.full else 'incremental'} rescore at {self.scored_at:%Y-%m-%d %H:%M}"


class ScoreChange(models.Model):
    """A customer whose score inputs changed since the last rescore; written by triggers (scoring/changes.py)."""

    customer_id = models.BigIntegerField(primary_key=True)
    version = models.IntegerField(
        default=0, help_text="Bumped by each further change, so a rescore deletes only what it read."
    )

    def __str__(self) -> str:
        return f"customer {self.customer_id} changed (version {self.version})"


# The hub


class Advocate(models.Model):
    """A customer enrolled in the advocacy program, who joined and consented to its terms."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="advocate")
    joined_at = models.DateTimeField(default=timezone.now)
    terms_version = models.CharField(max_length=20, help_text="The programme terms they agreed to.")
    leaderboard_opt_out = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return str(self.customer)


class HubInvitationStatus(models.TextChoices):
    HELD = "held", "Held back"
    SENT = "sent", "Sent"
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"


class HubInvitation(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="hub_invitations")
    reason = models.CharField(max_length=200, help_text="Why they were invited: a promoter answer, a top score …")
    status = models.CharField(max_length=10, choices=HubInvitationStatus.choices)
    held_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status__in=["sent", "joined"]), name="hub_invitation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"hub invitation for {self.customer_id} ({self.status})"


class ChallengeKind(models.TextChoices):
    REVIEW = "review", "Write a review"
    SHARE = "share", "Share a post"
    REFER = "refer", "Refer a friend"
    REFERENCE = "reference", "Be a reference"
    STORY = "story", "Tell your story"
    SURVEY = "survey", "Answer a survey"
    EVENT = "event", "Attend an event"
    CUSTOM = "custom", "Custom"


class Approval(models.TextChoices):
    MANUAL = "manual", "A program manager approves"
    AUTOMATIC = "automatic", "Automatic"


class Challenge(models.Model):
    kind = models.CharField(max_length=12, choices=ChallengeKind.choices)
    title = models.CharField(max_length=200)
    instructions = models.TextField()
    points = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    audience = models.JSONField(default=dict, blank=True, help_text="Tiers or customer fields; empty = all advocates.")
    approval = models.CharField(max_length=10, choices=Approval.choices, default=Approval.MANUAL)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="challenge_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="challenge_points_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Submission(models.Model):
    """An advocate's completion of a challenge, with the evidence; points follow approval."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="submissions")
    evidence = models.TextField(blank=True, help_text="A link or a few words.")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "advocate"], condition=~Q(status="rejected"), name="submission_once_per_challenge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advocate} → {self.challenge}"


class PointsEntry(models.Model):
    """The append-only points ledger (triggers refuse UPDATE and DELETE: core/append_only.py). Each row
    holds the balance after it; the database refuses a negative balance, and the (advocate, seq) key
    lets only one of two concurrent spends through."""

    advocate = models.ForeignKey(Advocate, on_delete=models.PROTECT, related_name="points", db_index=False)
    seq = models.PositiveIntegerField()
    delta = models.IntegerField()
    balance = models.IntegerField()
    reason = models.CharField(max_length=200)
    ref = models.CharField(max_length=100, help_text="What caused it, e.g. 'submission:12'.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["advocate", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["advocate", "seq"], name="points_sequence_unique"),
            models.UniqueConstraint(fields=["advocate", "ref"], name="points_ref_once"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_never_negative"),
            models.CheckConstraint(condition=~Q(delta=0), name="points_delta_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} → {self.balance}"


class Badge(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300)
    rule = models.JSONField(help_text='e.g. {"approved_submissions": 5} or {"kind": "review", "count": 1}')

    def __str__(self) -> str:
        return self.name


class AdvocateBadge(models.Model):
    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="badges", db_index=False)
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="holders")
    earned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["advocate", "badge"], name="badge_once")]

    def __str__(self) -> str:
        return f"{self.advocate} · {self.badge}"


class RewardKind(models.TextChoices):
    DIGITAL = "digital", "Digital (sent by email)"
    PHYSICAL = "physical", "Physical (sent by post)"


class Reward(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=10,
        choices=RewardKind.choices,
        default=RewardKind.DIGITAL,
        help_text="A physical reward asks the advocate for a postal address when they redeem it.",
    )
    option_label = models.CharField(max_length=50, blank=True, help_text='What the advocate chooses, e.g. "Size".')
    options = models.JSONField(default=list, blank=True, help_text='The choices, e.g. ["S", "M", "L"]; empty for none.')
    point_cost = models.PositiveIntegerField()
    stock = models.PositiveIntegerField(help_text="How many are left.")
    money_cost = models.DecimalField(max_digits=10, decimal_places=2, help_text="What one costs the company.")
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["point_cost"]
        constraints = [
            models.CheckConstraint(condition=Q(point_cost__gt=0), name="reward_cost_positive"),
            models.CheckConstraint(condition=Q(money_cost__gte=0), name="reward_money_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled (points refunded)"


class Redemption(models.Model):
    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    choice = models.CharField(max_length=100, blank=True, help_text="The option chosen, e.g. the size.")
    # Where a physical reward goes; kept for the program team to send it, emptied by an erasure.
    ship_name = models.CharField(max_length=200, blank=True)
    ship_street = models.CharField(max_length=300, blank=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_postcode = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    ship_phone = models.CharField(max_length=40, blank=True, help_text="For the courier; optional.")

    def __str__(self) -> str:
        return f"{self.reward} for {self.advocate}"

    @property
    def ships(self) -> bool:
        return bool(self.ship_street)


# Referrals


class ReferralLink(models.Model):
    advocate = models.OneToOneField(Advocate, on_delete=models.CASCADE, related_name="referral_link")
    code = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code


class ReferralClick(models.Model):
    """A click on a referral link. The IP is kept only as a keyed hash, never in the clear."""

    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="clicks", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(max_length=64)
    device_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["ip_hash", "at"]), models.Index(fields=["link", "at"])]

    def __str__(self) -> str:
        return f"click on {self.link_id}"


class ReferralStatus(models.TextChoices):
    CONVERTED = "converted", "Converted"
    FLAGGED = "flagged", "Flagged by a fraud rule"
    REJECTED = "rejected", "Rejected"


class Referral(models.Model):
    """A friend's first order attributed to an advocate's link within the attribution window."""

    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="referrals")
    friend = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="referred_by")
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="referral")
    click = models.ForeignKey(ReferralClick, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    fraud_reasons = models.JSONField(default=list, blank=True)
    converted_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(max_length=100)
    key_scope = models.CharField(
        max_length=80, blank=True, help_text="Whose key it is (an API key, a user, a shop's webhook source)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["friend"], name="referral_once_per_friend"),
            # An idempotency key means something only to its sender: two shops may both send "order-1".
            models.UniqueConstraint(fields=["key_scope", "idempotency_key"], name="referral_key_once_per_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.friend_id} via {self.link_id}"


class RewardTo(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    FRIEND = "friend", "Friend"


class HeldStatus(models.TextChoices):
    HELD = "held", "Held until the return window passes"
    RELEASED = "released", "Released"
    REJECTED = "rejected", "Rejected"


class ReferralReward(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="rewards", db_index=False)
    to = models.CharField(max_length=10, choices=RewardTo.choices)
    points = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=HeldStatus.choices, default=HeldStatus.HELD)
    release_after = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "to"], name="referral_reward_once")]

    def __str__(self) -> str:
        return f"{self.points} points to {self.to} ({self.status})"


class ProgramSettings(models.Model):
    """Switches and numbers of the program: fraud rules, windows, quotas. A single row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    landing_url = models.URLField(default="https://example.com/", help_text="Referral links redirect here.")
    attribution_days = models.PositiveIntegerField(default=30)
    return_window_days = models.PositiveIntegerField(default=30)
    referrer_points = models.PositiveIntegerField(default=500)
    friend_points = models.PositiveIntegerField(default=0)
    rule_self_referral = models.BooleanField(default=True)
    rule_same_device = models.BooleanField(default=True)
    rule_ip_burst = models.BooleanField(default=True)
    ip_burst_per_week = models.PositiveIntegerField(default=10)
    rule_similar_email = models.BooleanField(default=True)
    rule_first_time_friend = models.BooleanField(default=True)
    reference_quota_per_quarter = models.PositiveIntegerField(default=2)
    reference_rest_days = models.PositiveIntegerField(default=30)
    disclosure_text = models.CharField(
        max_length=300, default="This customer received a reward from us for sharing their experience."
    )
    terms_version = models.CharField(max_length=20, default="2026-1")

    class Meta:
        verbose_name_plural = "program settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="program_settings_single_row")]

    def __str__(self) -> str:
        return "Program settings"


# References


class ReferenceStatus(models.TextChoices):
    OPEN = "open", "Looking for a reference"
    MATCHED = "matched", "An advocate accepted"
    DONE = "done", "Call held"
    CANCELLED = "cancelled", "Cancelled"


class ReferenceRequest(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prospect = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=16, blank=True)
    product = models.ForeignKey("customers.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    use_case = models.TextField(blank=True)
    opportunity_value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    needed_by = models.DateField()
    status = models.CharField(max_length=10, choices=ReferenceStatus.choices, default=ReferenceStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(opportunity_value__gte=0), name="reference_value_positive")]

    def __str__(self) -> str:
        return f"reference for {self.prospect}"


class AskStatus(models.TextChoices):
    ASKED = "asked", "Asked"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReferenceAsk(models.Model):
    request = models.ForeignKey(ReferenceRequest, on_delete=models.CASCADE, related_name="asks", db_index=False)
    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="reference_asks")
    fit = models.FloatField()
    status = models.CharField(max_length=10, choices=AskStatus.choices, default=AskStatus.ASKED)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "advocate"], name="reference_ask_once")]

    def __str__(self) -> str:
        return f"{self.advocate} for {self.request}"


class DealOutcome(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ReferenceCall(models.Model):
    ask = models.OneToOneField(ReferenceAsk, on_delete=models.CASCADE, related_name="call")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    deal_outcome = models.CharField(max_length=8, choices=DealOutcome.choices, default=DealOutcome.OPEN)
    deal_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(deal_outcome="won") | Q(deal_amount__gte=0), name="reference_won_deal_has_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"call on {self.held_on}"


# Stories


class StoryScope(models.TextChoices):
    INTERNAL = "internal", "Internal use only"
    WEBSITE = "website", "Our website"
    SOCIAL = "social", "Our website and social media"


SCOPE_RANK = {StoryScope.INTERNAL: 0, StoryScope.WEBSITE: 1, StoryScope.SOCIAL: 2}


class StoryStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Story(models.Model):
    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=200)
    body = models.TextField()
    quote = models.CharField(max_length=500, blank=True)
    consent_scope = models.CharField(max_length=10, choices=StoryScope.choices)
    named = models.BooleanField(default=False, help_text="May we show their name (else: anonymous)?")
    consent_expires_on = models.DateField(null=True, blank=True)
    consent_recorded_at = models.DateTimeField(default=timezone.now)
    submission = models.OneToOneField(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="story",
        help_text="Set when the story answered a rewarded challenge.",
    )
    status = models.CharField(max_length=10, choices=StoryStatus.choices, default=StoryStatus.SUBMITTED)
    published_scope = models.CharField(max_length=10, choices=StoryScope.choices, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(published_at__isnull=False) & ~Q(published_scope="")),
                name="story_published_has_scope",
            ),
            # Nothing is published beyond the consent: social ⊃ website ⊃ internal.
            models.CheckConstraint(
                condition=Q(published_scope__in=["", "internal"])
                | Q(published_scope="website", consent_scope__in=["website", "social"])
                | Q(published_scope="social", consent_scope="social"),
                name="story_published_within_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def incentivised(self) -> bool:
        """Rewarded content: a challenge entry, or told by a customer with a material connection then
        (advocates/disclosure.py, the rule listening's undisclosed-post flag uses too)."""
        if self.submission_id is not None:
            return True
        connected = getattr(self, "materially_connected", None)  # lists annotate it in their query
        if connected is None:
            from advocacy.advocates.disclosure import connected_at  # the rule reads these models

            connected = connected_at(self.advocate.customer_id, self.consent_recorded_at)
        return bool(connected)


class ConversionSource(models.Model):
    """A shop that reports referral conversions by signed webhook (Standard Webhooks) to its own URL."""

    name = models.CharField(max_length=100, unique=True)
    public_id = models.CharField(max_length=32, unique=True, help_text="In the webhook URL; not a secret.")
    secret = models.CharField(max_length=100, help_text="whsec_…: the shop signs every message with it.")
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(secret__startswith="whsec_"), name="source_secret_is_whsec")]  # noqa: S106

    def __str__(self) -> str:
        return self.name

    @property
    def key_scope(self) -> str:
        return f"source:{self.pk}"


class ConversionReceipt(models.Model):
    """Each signed message a source sent, by its ``webhook-id``: a message sent again (a retry, or a
    replay by whoever copied it) gets the first answer and is not processed twice."""

    source = models.ForeignKey(ConversionSource, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    msg_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveSmallIntegerField()
    answer = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "msg_id"], name="conversion_receipt_once")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.msg_id}"


# The randomized holdout (issue 9): who the loop selected for a hub invitation and was kept back


class HoldoutSettings(models.Model):
    """The share of selected customers kept back at random from a hub invitation. A single row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    share_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=10, help_text="0 to 50 % of those selected are kept back."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "holdout settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="holdout_settings_single_row"),
            models.CheckConstraint(condition=Q(share_pct__gte=0, share_pct__lte=50), name="holdout_share_0_to_50"),
        ]

    def __str__(self) -> str:
        return f"holdout {self.share_pct} %"


class HoldoutGroup(models.TextChoices):
    INVITED = "invited", "Invited"
    HOLDOUT = "holdout", "Held out (not invited)"


class HoldoutAssignment(models.Model):
    """A customer's draw when a rule first selected them for a hub invitation; written once, never changed."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="holdout_assignment")
    group = models.CharField(max_length=8, choices=HoldoutGroup.choices)
    selected_by = models.CharField(max_length=40, help_text="The rule that selected them: promoter, top score.")
    share_pct = models.DecimalField(max_digits=5, decimal_places=2, help_text="The holdout share in force then.")
    assigned_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(group__in=HoldoutGroup.values), name="holdout_group_valid"),
            models.CheckConstraint(
                condition=Q(share_pct__gte=0, share_pct__lte=50), name="holdout_assignment_share_0_to_50"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.group}"
