"""The public referral redirect, and the staff's referral review queue and conversion upload."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.advocates.models import ConversionSource, ReferralReward
from advocacy.advocates.referrals import fraud as referrals_fraud
from advocacy.advocates.referrals import queries as referrals_queries
from advocacy.advocates.referrals import services as referrals
from advocacy.core import limits
from advocacy.core.errors import ServiceError
from advocacy.core.pages import posted_id, show_errors
from advocacy.core.permissions import PORTAL_SESSION_KEY, allow, public, staff_user
from advocacy.core.roles import PROGRAM_TEAM, Role

DEVICE_COOKIE = "adv_device"


DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


FUNNEL_DAYS = 90


@public
@require_GET
def referral_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """Count the click and send the visitor on with the code.

    A GET writes here on purpose: following the link is the event being counted, and the redirect
    has no page to carry a POST. What writes is limited to one click row, and it is not written for
    user agents that announce themselves as bots, link previewers or mail-security scanners (those
    follow every link in a mail), nor for the advocate clicking their own link while signed in; a
    visitor counts once per window (``click_record``), and an IP over its ceiling gets 429.
    """
    ip = limits.client_ip(request)
    wait = limits.over(request, [(limits.REFERRAL_REQUESTS_PER_IP, ip)])
    if wait is not None:
        return limits.too_many(request, wait)
    device_id = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    try:
        link = referrals.link_by_code(code)
        if counts_as_click(request, owner_id=link.advocate.customer_id):
            _, target = referrals.click_record(code=code, ip=ip, device_id=device_id)
        else:
            target = referrals_queries.landing_for(code)
    except referrals_queries.UnknownCode:
        return render(request, "advocates/program/referral_unknown.html", status=404)
    response = redirect(target)
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def counts_as_click(request: HttpRequest, *, owner_id: int) -> bool:
    if referrals_fraud.looks_automated(request.headers.get("User-Agent", "")):
        return False
    return request.session.get(PORTAL_SESSION_KEY) != owner_id


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def referral_queue(request: HttpRequest) -> HttpResponse:
    """The funnel, and the review queue: held rewards whose window passed, and flagged ones still in it."""
    if request.method == "POST" and "conversions" in request.FILES:
        return conversions_upload(request)
    if request.method == "POST":
        reward = get_object_or_404(ReferralReward, pk=posted_id(request, "reward_id"))
        release = request.POST.get("decision") == "release"
        try:
            referrals.reward_decide(
                reward=reward, by=staff_user(request), release=release, note=request.POST.get("note", "")
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Reward {'released' if release else 'rejected'}.")
        return redirect("advocates:referral_queue")
    now = timezone.now()
    return render(
        request,
        "advocates/program/referral_queue.html",
        {
            "days": FUNNEL_DAYS,
            "funnel": referrals_queries.referral_funnel(since=now - timedelta(days=FUNNEL_DAYS)),
            "due": referrals_queries.rewards_due(now),
            "flagged": referrals_queries.flagged_in_window(now),
            "settings": referrals.program_settings(),
        },
    )


def conversions_upload(request: HttpRequest) -> HttpResponse:
    """Conversions from a shop's CSV export; each row goes through the same rules as the API."""
    upload = request.FILES.get("conversions")
    raw = upload.read() if upload is not None else b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text; export it as CSV (UTF-8) and try again.")
        return redirect("advocates:referral_queue")
    report = referrals.conversions_import(text=text, key_scope=f"user:{request.user.pk}")
    messages.success(request, f"Conversions recorded: {report.recorded}, of which {report.flagged} flagged.")
    for error in report.errors[:20]:
        messages.error(request, error)
    if len(report.errors) > 20:
        messages.error(request, f"… and {len(report.errors) - 20} more rows with errors.")
    return redirect("advocates:referral_queue")


# Signed conversions from shops: the receiver, and the admins' page of sources

WEBHOOK_MAX_BYTES = 64 * 1024
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@public  # the Standard Webhooks signature, checked by the service, is the proof
@csrf_exempt
@require_POST
def conversion_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    source = ConversionSource.objects.filter(public_id=public_id, enabled=True).first()
    if source is None:
        return webhook_problem(404, "Unknown source", "No enabled conversion source has this URL.")
    if int(request.META.get("CONTENT_LENGTH") or 0) > WEBHOOK_MAX_BYTES:
        return webhook_problem(413, "Too large", f"A conversion message is at most {WEBHOOK_MAX_BYTES:,} bytes.")
    headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    answer = referrals.conversion_webhook(source=source, body=request.body, headers=headers)
    content_type = "application/problem+json" if answer.status >= 400 else "application/json"
    return JsonResponse(answer.body, status=answer.status, content_type=content_type)


def webhook_problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def conversion_sources(request: HttpRequest) -> HttpResponse:
    new_secret, made = None, None
    if request.method == "POST":
        try:
            made, new_secret = referrals.source_create(name=request.POST.get("name", ""), by=staff_user(request))
        except ServiceError as exc:
            show_errors(request, exc)
    return render_sources(request, shown=made, new_secret=new_secret)


def render_sources(request: HttpRequest, *, shown: ConversionSource | None, new_secret: str | None) -> HttpResponse:
    sources = ConversionSource.objects.order_by("name")
    context = {"sources": sources, "shown": shown, "new_secret": new_secret}
    return render(request, "advocates/referrals/sources.html", context)


@allow(Role.ADMIN)
@require_POST
def conversion_source_rotate(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(ConversionSource, pk=source_id)
    secret = referrals.source_secret_rotate(source=source, by=staff_user(request))
    return render_sources(request, shown=source, new_secret=secret)


@allow(Role.ADMIN)
@require_POST
def conversion_source_toggle(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(ConversionSource, pk=source_id)
    referrals.source_set_enabled(source=source, enabled=not source.enabled, by=staff_user(request))
    return redirect("advocates:conversion_sources")
