"""Referrals: one unguessable link per advocate, clicks counted without keeping anyone's IP, conversions
attributed within a window, fraud rules that each say why they fired, and rewards held until the return
window passes and a person releases or rejects them in the review queue.

Attribution rule. A conversion (an order event through the API, or an import row) names the code the
friend came with. It is attributed when the link was clicked within ``attribution_days`` before the
conversion: preferably by the friend's own device (the device cookie set by the redirect), and, when that
device is unknown or never clicked, by any device — codes travel by copy and paste between a phone and a
laptop. ``Referral.click`` is set only to the friend's own device's click, so the device and IP rules can
trust it. No click on the link within the window: the conversion is refused (``OutsideAttributionWindow``).

Privacy. IPs and device cookies are stored only as HMAC-SHA256 keyed with a key derived from SECRET_KEY:
equal inputs can be matched, nobody can read them back, and rotating SECRET_KEY unlinks the history.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from advocacy.advocates.hub.ledger import points_add
from advocacy.advocates.models import (
    Advocate,
    ConversionReceipt,
    ConversionSource,
    HeldStatus,
    ProgramSettings,
    Referral,
    ReferralClick,
    ReferralLink,
    ReferralReward,
    ReferralStatus,
    RewardTo,
)
from advocacy.advocates.program.services import program_settings
from advocacy.advocates.referrals.fraud import Conversion, fraud_reasons
from advocacy.advocates.referrals.queries import UnknownCode, landing_url_with_code, link_by_code, referral_by_key
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import Customer, Order
from advocacy.outreach.webhooks.services import webhook_emit
from advocacy.outreach.webhooks.signing import WebhookVerificationError, new_secret, verify

HASH_SALT = "advocacy.advocates.referrals"  # keep: it keys the stored hashes


class OutsideAttributionWindow(ServiceError):
    """The link was not clicked within the attribution window before the conversion."""


def keyed_hash(kind: str, value: str) -> str:
    """A keyed, one-way hash (64 hex characters); the same value of the same kind gives the same hash."""
    return salted_hmac(f"{HASH_SALT}.{kind}", value.strip(), algorithm="sha256").hexdigest()


def ip_hash(ip: str) -> str:
    return keyed_hash("ip", ip) if ip.strip() else ""


def device_hash(device_id: str) -> str:
    return keyed_hash("device", device_id) if device_id.strip() else ""


# Links and clicks


def referral_url(link: ReferralLink) -> str:
    """The link as the advocate shares it: absolute, on this deployment's site address."""
    return django_settings.SITE_URL + reverse("advocates:referral_redirect", kwargs={"code": link.code})


def referral_link_for(advocate: Advocate) -> ReferralLink:
    """The advocate's link, made on first use. 12 URL-safe characters = 72 random bits: unguessable."""
    existing = ReferralLink.objects.filter(advocate=advocate).first()
    if existing is not None:
        return existing
    while True:
        try:
            with transaction.atomic():
                return ReferralLink.objects.create(advocate=advocate, code=secrets.token_urlsafe(9))
        except IntegrityError:
            # Either a code collision (astronomically rare) or a concurrent first use: look again.
            existing = ReferralLink.objects.filter(advocate=advocate).first()
            if existing is not None:
                return existing


def click_record(*, code: str, ip: str, device_id: str, at: datetime | None = None) -> tuple[ReferralClick | None, str]:
    """Count a click on the link and say where to send the visitor. Raises UnknownCode.

    A visitor counts once per link per REFERRAL_CLICK_WINDOW_HOURS: a browser (its device cookie) that
    clicked already in the window is not counted again, nor is an IP that has REFERRAL_CLICKS_PER_IP
    clicks on the link in the window (clients that drop the cookie); they are sent on all the same.
    """
    link = link_by_code(code)
    now = at or timezone.now()
    target = landing_url_with_code(program_settings().landing_url, link.code)
    ip_key, device_key = ip_hash(ip), device_hash(device_id)
    recent = ReferralClick.objects.filter(
        link=link, at__gt=now - timedelta(hours=django_settings.REFERRAL_CLICK_WINDOW_HOURS), at__lte=now
    )
    if recent.filter(device_hash=device_key).exists() or (
        recent.filter(ip_hash=ip_key).count() >= django_settings.REFERRAL_CLICKS_PER_IP
    ):
        return None, target
    return ReferralClick.objects.create(link=link, at=now, ip_hash=ip_key, device_hash=device_key), target


# Fraud rules: each a small function that returns its reason, or "" when it does not fire.


# Conversions


def attributing_click(
    *, link: ReferralLink, device: str, now: datetime, days: int
) -> tuple[ReferralClick | None, ReferralClick | None]:
    """(the friend's device's latest click, the link's latest click), both within the window."""
    in_window = ReferralClick.objects.filter(link=link, at__gte=now - timedelta(days=days), at__lte=now)
    own = in_window.filter(device_hash=device).order_by("-at").first() if device else None
    return own, own or in_window.order_by("-at").first()


def check_conversion(*, link: ReferralLink, friend: Customer, order: Order | None, idempotency_key: str) -> None:
    errors = {}
    if not idempotency_key.strip():
        errors["idempotency_key"] = "send an Idempotency-Key so that a retried event is counted once"
    if order is not None and order.customer_id != friend.pk:
        errors["order_id"] = "the order belongs to another customer"
    if errors:
        raise InvalidInput(errors)
    if Referral.objects.filter(friend=friend).exists():
        raise ServiceError(f"{friend.email} was already referred; a friend is rewarded once.")


def rewards_hold(*, referral: Referral, settings: ProgramSettings, now: datetime) -> list[ReferralReward]:
    release_after = now + timedelta(days=settings.return_window_days)
    wanted = [(RewardTo.REFERRER, settings.referrer_points), (RewardTo.FRIEND, settings.friend_points)]
    return [
        ReferralReward.objects.create(referral=referral, to=to, points=points, release_after=release_after)
        for to, points in wanted
        if points > 0
    ]


def conversion_record(
    *,
    code: str,
    friend: Customer,
    order: Order | None,
    idempotency_key: str,
    key_scope: str = "",
    device_id: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> Referral:
    """Attribute a friend's order to a link, run the fraud rules and hold the rewards.

    The same idempotency key from the same sender (``key_scope``: an API key, a user, a webhook source)
    returns the first result, whatever the rest of the request says; another sender's key is another key.
    Raises UnknownCode, OutsideAttributionWindow, InvalidInput, or ServiceError for a friend referred before.
    """
    existing = referral_by_key(idempotency_key, key_scope)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return conversion_create(
                code=code,
                friend=friend,
                order=order,
                idempotency_key=idempotency_key.strip(),
                key_scope=key_scope,
                device_id=device_id,
                ip=ip,
                now=now or timezone.now(),
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race; hand back its result.
        existing = referral_by_key(idempotency_key, key_scope)
        if existing is None:
            raise
        return existing


def conversion_create(
    *,
    code: str,
    friend: Customer,
    order: Order | None,
    idempotency_key: str,
    key_scope: str,
    device_id: str,
    ip: str,
    now: datetime,
) -> Referral:
    link = link_by_code(code)
    check_conversion(link=link, friend=friend, order=order, idempotency_key=idempotency_key)
    settings = program_settings()
    device = device_hash(device_id)
    own_click, any_click = attributing_click(link=link, device=device, now=now, days=settings.attribution_days)
    if any_click is None:
        raise OutsideAttributionWindow(
            f"The link {link.code} was not clicked in the {settings.attribution_days} days before this order."
        )
    conversion = Conversion(
        link=link,
        friend=friend,
        order=order,
        device_hash=device,
        ip_hash=ip_hash(ip),
        now=now,
        settings=settings,
        click=own_click,
    )
    reasons = fraud_reasons(conversion)
    referral = Referral.objects.create(
        link=link,
        friend=friend,
        order=order,
        click=own_click,
        converted_at=now,
        idempotency_key=idempotency_key,
        key_scope=key_scope,
        status=ReferralStatus.FLAGGED if reasons else ReferralStatus.CONVERTED,
        fraud_reasons=reasons,
    )
    rewards_hold(referral=referral, settings=settings, now=now)
    webhook_emit(
        event_type="referral.converted",
        payload={
            "referral_id": referral.pk,
            "advocate_id": link.advocate_id,
            "friend_customer_id": friend.pk,
            "order_id": order.pk if order is not None else None,
            "status": referral.status,
            "flagged_by": [reason["rule"] for reason in reasons],
            "converted_at": referral.converted_at,
        },
        key=f"referral.converted:{referral.pk}",
    )
    return referral


# Import: the same conversions from a CSV file (columns: code, email, idempotency_key, and optional
# order_external_id, device_id, ip, converted_at in ISO 8601).


@dataclass
class ImportReport:
    recorded: int = 0
    flagged: int = 0
    errors: list[str] = field(default_factory=list)


def conversions_import(*, text: str, key_scope: str = "") -> ImportReport:
    """Record each row as a conversion; a bad row is reported by line and does not stop the others."""
    report = ImportReport()
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            referral = conversion_from_row(row, key_scope=key_scope)
        except ServiceError as exc:
            report.errors.append(f"line {line}: {exc}")
            continue
        report.recorded += 1
        report.flagged += referral.status == ReferralStatus.FLAGGED
    return report


def conversion_from_row(row: dict[str, Any], *, key_scope: str = "", idempotency_key: str | None = None) -> Referral:
    email = (row.get("email") or "").strip().lower()
    friend = Customer.objects.filter(email=email).first()
    if friend is None:
        raise InvalidInput({"email": f"no customer with email {email!r}"})
    order = None
    if (row.get("order_external_id") or "").strip():
        order = Order.objects.filter(external_id=row["order_external_id"].strip()).first()
        if order is None:
            raise InvalidInput({"order_external_id": f"no order {row['order_external_id']!r}"})
    when = None
    if (row.get("converted_at") or "").strip():
        try:
            when = datetime.fromisoformat(row["converted_at"].strip())
        except ValueError as exc:
            raise InvalidInput({"converted_at": "give a time in ISO 8601, e.g. 2026-01-31T10:00:00Z"}) from exc
        if timezone.is_naive(when):
            raise InvalidInput({"converted_at": "give a time zone, e.g. 2026-01-31T10:00:00Z"})
    return conversion_record(
        code=row.get("code") or "",
        friend=friend,
        order=order,
        idempotency_key=idempotency_key if idempotency_key is not None else row.get("idempotency_key") or "",
        key_scope=key_scope,
        device_id=row.get("device_id") or "",
        ip=row.get("ip") or "",
        now=when,
    )


# The review queue


def reward_decide(
    *, reward: ReferralReward, by: User | None, release: bool, note: str = "", now: datetime | None = None
) -> ReferralReward:
    """Release (points into the ledger) or reject a held reward. Deciding twice is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        reward = (
            ReferralReward.objects.select_for_update(of=("self",))
            .select_related("referral__link__advocate", "referral__friend")
            .get(pk=reward.pk)
        )
        check_decision(reward=reward, release=release, note=note, now=now)
        if release:
            reward_release(reward=reward, note=note)
        else:
            reward.status, reward.note = HeldStatus.REJECTED, note.strip()[:300]
        reward.decided_by, reward.decided_at = by, now
        reward.save(update_fields=["status", "note", "decided_by", "decided_at"])
        referral_settle(reward.referral)
        events.audit(
            actor=by,
            verb=f"referral_reward.{reward.status}",
            obj=reward,
            data={"points": reward.points, "to": reward.to, "note": reward.note},
        )
    return reward


def check_decision(*, reward: ReferralReward, release: bool, note: str, now: datetime) -> None:
    if reward.status != HeldStatus.HELD:
        raise ServiceError(f"This reward was already {reward.get_status_display().lower()}.")
    if release and now < reward.release_after:
        raise ServiceError(f"The return window runs until {reward.release_after:%Y-%m-%d}; release it after that.")
    if not release and not note.strip():
        raise InvalidInput({"note": "say why the reward is rejected"})


def reward_release(*, reward: ReferralReward, note: str) -> None:
    referral = reward.referral
    recipient = (
        referral.link.advocate
        if reward.to == RewardTo.REFERRER
        else Advocate.objects.filter(customer=referral.friend).first()
    )
    reward.status = HeldStatus.RELEASED
    if recipient is None:
        # The friend has no hub account to hold points; the release is recorded for fulfilment elsewhere.
        reward.note = " ".join([note.strip(), "The friend is not an advocate: fulfil outside the hub."]).strip()[:300]
        return
    reward.note = note.strip()[:300]
    points_add(
        advocate=recipient,
        delta=reward.points,
        reason=f"Referral of {referral.friend}",
        ref=f"referral-reward:{reward.pk}",
    )


def referral_settle(referral: Referral) -> None:
    """A referral all of whose rewards were rejected is itself rejected, so the funnel stays truthful."""
    statuses = set(referral.rewards.values_list("status", flat=True))
    if statuses == {HeldStatus.REJECTED} and referral.status != ReferralStatus.REJECTED:
        referral.status = ReferralStatus.REJECTED
        referral.save(update_fields=["status"])


# Reads for the pages and the API


@dataclass
class MyReferrals:
    link: ReferralLink
    clicks: int
    referrals: list[Referral]
    rewards: list[ReferralReward]

    @property
    def released_points(self) -> int:
        return sum(r.points for r in self.rewards if r.status == HeldStatus.RELEASED)

    @property
    def held_points(self) -> int:
        return sum(r.points for r in self.rewards if r.status == HeldStatus.HELD)


def my_referrals(advocate: Advocate) -> MyReferrals:
    """The portal's view of one advocate's link: clicks, conversions and the rewards owed to them."""
    link = referral_link_for(advocate)
    referrals = list(Referral.objects.filter(link=link).select_related("friend").order_by("-converted_at"))
    rewards = list(
        ReferralReward.objects.filter(referral__link=link, to=RewardTo.REFERRER)
        .select_related("referral__friend")
        .order_by("-release_after")
    )
    return MyReferrals(link=link, clicks=link.clicks.count(), referrals=referrals, rewards=rewards)


# Signed conversions from shops (Standard Webhooks, inbound)


@transaction.atomic
def source_create(*, name: str, by: User | None) -> tuple[ConversionSource, str]:
    """A shop that may report conversions by signed webhook; returns it and its secret (shown once)."""
    if not name.strip():
        raise InvalidInput({"name": "name the shop"})
    if ConversionSource.objects.filter(name=name.strip()).exists():
        raise InvalidInput({"name": "a source with this name exists"})
    source = ConversionSource.objects.create(
        name=name.strip()[:100], public_id=secrets.token_urlsafe(12), secret=new_secret(), created_by=by
    )
    events.audit(actor=by, verb="conversion_source.created", obj=source)
    return source, source.secret


@transaction.atomic
def source_secret_rotate(*, source: ConversionSource, by: User | None, now: datetime | None = None) -> str:
    """A new secret; messages signed with the previous one are accepted for WEBHOOK_SECRET_OVERLAP_HOURS."""
    now = now or timezone.now()
    source.previous_secret, source.secret = source.secret, new_secret()
    source.previous_secret_expires_at = now + timedelta(hours=django_settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    source.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    events.audit(actor=by, verb="conversion_source.secret_rotated", obj=source)
    return source.secret


@transaction.atomic
def source_set_enabled(*, source: ConversionSource, enabled: bool, by: User | None) -> ConversionSource:
    if source.enabled != enabled:
        source.enabled = enabled
        source.save(update_fields=["enabled"])
        events.audit(
            actor=by, verb="conversion_source.enabled" if enabled else "conversion_source.disabled", obj=source
        )
    return source


def source_secrets(source: ConversionSource, now: datetime) -> list[str]:
    expires = source.previous_secret_expires_at
    previous = [source.previous_secret] if source.previous_secret and expires is not None and expires > now else []
    return [source.secret, *previous]


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]


def conversion_webhook(*, source: ConversionSource, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
    """A shop's signed conversion: verified (signature, 5-minute timestamp tolerance), answered once per
    ``webhook-id`` (a repeat gets the first answer and changes nothing), then recorded like the API's,
    with the webhook-id as the idempotency key in the source's own scope."""
    now = timezone.now()
    try:
        verify(secrets_in_force=source_secrets(source, now), body=body, headers=headers)
    except WebhookVerificationError as exc:
        return WebhookAnswer(401, {"title": "Signature refused", "status": 401, "detail": str(exc)})
    msg_id = headers.get("webhook-id", "")[:100]
    seen = ConversionReceipt.objects.filter(source=source, msg_id=msg_id).first()
    if seen is not None:
        return WebhookAnswer(seen.status_code, {**seen.answer, "replayed": True})
    answer = conversion_from_webhook(source=source, msg_id=msg_id, body=body)
    try:
        with transaction.atomic():
            ConversionReceipt.objects.create(
                source=source, msg_id=msg_id, status_code=answer.status, answer=answer.body, received_at=now
            )
    except IntegrityError:
        pass  # the same message, processed alongside: the conversion itself is idempotent on its key
    return answer


def conversion_from_webhook(*, source: ConversionSource, msg_id: str, body: bytes) -> WebhookAnswer:
    try:
        data = json.loads(body)["data"]
        fields = {name: str(data.get(name) or "") for name in WEBHOOK_FIELDS}
    except (ValueError, KeyError, TypeError, AttributeError):
        return refused(422, 'The body is not {"type": "referral.conversion", "data": {…}} JSON.')
    try:
        referral = conversion_from_row(fields, key_scope=source.key_scope, idempotency_key=msg_id)
    except UnknownCode as exc:
        return refused(422, str(exc))
    except InvalidInput as exc:
        return refused(422, "; ".join(f"{field}: {message}" for field, message in exc.errors.items()))
    except ServiceError as exc:
        return refused(409, str(exc))
    return WebhookAnswer(201, {"status": 201, "referral_id": referral.pk, "referral_status": referral.status})


def refused(status: int, detail: str) -> WebhookAnswer:
    return WebhookAnswer(status, {"title": "Conversion refused", "status": status, "detail": detail})


WEBHOOK_FIELDS = ("code", "email", "order_external_id", "device_id", "ip", "converted_at")


def conversion_receipts_prune(now: datetime) -> int:
    """Receipts past the replay window (a message older than the 5-minute tolerance is refused anyway),
    kept a week for the record. Registered with core's job sweep."""
    deleted, _ = ConversionReceipt.objects.filter(received_at__lt=now - timedelta(days=7)).delete()
    return deleted
