"""Staff pages for referrals, customer references and stories, and the public referral redirect."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from advocacy.advocates.models import ReferenceAsk, ReferenceRequest, ReferralReward, Story, StoryScope, StoryStatus
from advocacy.advocates.program.forms import ReferenceCallForm, ReferenceRequestForm
from advocacy.advocates.references import services as references
from advocacy.advocates.referrals import services as referrals
from advocacy.advocates.stories import services as stories
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import PORTAL_SESSION_KEY, allow, public, staff_user
from advocacy.core.roles import Role

PROGRAM = (Role.ADMIN, Role.PROGRAM_MANAGER)
REFERENCES = (Role.ADMIN, Role.PROGRAM_MANAGER, Role.SALES)
DEVICE_COOKIE = "adv_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
FUNNEL_DAYS = 90


# The public redirect


@public
@require_GET
def referral_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """Count the click and send the visitor on with the code.

    A GET writes here on purpose: following the link is the event being counted, and the redirect
    has no page to carry a POST. What writes is limited to one click row, and it is not written for
    user agents that announce themselves as bots, link previewers or mail-security scanners (those
    follow every link in a mail), nor for the advocate clicking their own link while signed in.
    """
    device_id = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    try:
        link = referrals.link_by_code(code)
        if counts_as_click(request, owner_id=link.advocate.customer_id):
            _, target = referrals.click_record(code=code, ip=request.META.get("REMOTE_ADDR", ""), device_id=device_id)
        else:
            target = referrals.landing_for(code)
    except referrals.UnknownCode:
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


def posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def counts_as_click(request: HttpRequest, *, owner_id: int) -> bool:
    if referrals.looks_automated(request.headers.get("User-Agent", "")):
        return False
    return request.session.get(PORTAL_SESSION_KEY) != owner_id


# Referrals


@allow(*PROGRAM)
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
            "funnel": referrals.referral_funnel(since=now - timedelta(days=FUNNEL_DAYS)),
            "due": referrals.rewards_due(now),
            "flagged": referrals.flagged_in_window(now),
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
    report = referrals.conversions_import(text=text)
    messages.success(request, f"Conversions recorded: {report.recorded}, of which {report.flagged} flagged.")
    for error in report.errors[:20]:
        messages.error(request, error)
    if len(report.errors) > 20:
        messages.error(request, f"… and {len(report.errors) - 20} more rows with errors.")
    return redirect("advocates:referral_queue")


# References


@allow(*REFERENCES)
def reference_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "advocates/program/reference_list.html",
        {
            "requests": references.reference_requests()[:200],
            "influenced": references.revenue_influenced_by_references(today - timedelta(days=365), today),
        },
    )


@allow(*REFERENCES)
@require_http_methods(["GET", "POST"])
def reference_new(request: HttpRequest) -> HttpResponse:
    form = ReferenceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = references.reference_request_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("advocates:reference_detail", request_id=created.pk)
    return render(request, "advocates/program/reference_new.html", {"form": form})


@allow(*REFERENCES)
@require_http_methods(["GET", "POST"])
def reference_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """The ranked matches with their exclusions; ask the next best; record the call and the deal."""
    ref_request = get_object_or_404(ReferenceRequest.objects.select_related("product", "requested_by"), pk=request_id)
    call_form = ReferenceCallForm(request.POST if request.POST.get("action") == "call" else None)
    if request.method == "POST":
        done = reference_action(request, ref_request, call_form)
        if done:
            return redirect("advocates:reference_detail", request_id=ref_request.pk)
    return render(
        request,
        "advocates/program/reference_detail.html",
        {
            "r": ref_request,
            "matches": references.reference_matches(ref_request),
            "asks": references.asks_of(ref_request),
            "call_form": call_form,
        },
    )


def reference_action(request: HttpRequest, ref_request: ReferenceRequest, call_form: ReferenceCallForm) -> bool:
    """Carry out the POSTed action; False leaves the page to show the form's errors."""
    try:
        if request.POST.get("action") == "ask":
            ask = references.reference_ask(request=ref_request, by=staff_user(request))
            messages.success(request, f"Asked {ask.advocate.customer} (fit {ask.fit:.0f}).")
            return True
        if request.POST.get("action") == "cancel":
            reason = request.POST.get("reason", "")
            references.reference_request_cancel(request=ref_request, by=staff_user(request), reason=reason)
            messages.success(request, "Request cancelled; the advocates asked are released.")
            return True
        if not call_form.is_valid():
            return False
        data = dict(call_form.cleaned_data)
        ask = get_object_or_404(ReferenceAsk, pk=data.pop("ask_id"), request=ref_request)
        references.reference_call_record(ask=ask, by=staff_user(request), **data)
        messages.success(request, "Call recorded.")
    except InvalidInput as exc:
        if request.POST.get("action") == "cancel":
            messages.error(request, " ".join(exc.errors.values()))
            return True
        for field, message in exc.errors.items():
            call_form.add_error(field if field in call_form.fields else None, message)
        return False
    except ServiceError as exc:
        messages.error(request, str(exc))
    return True


# Stories


@allow(*PROGRAM)
@require_http_methods(["GET", "POST"])
def story_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        story_action(request)
        return redirect("advocates:story_list")
    status = request.GET.get("status", "")
    listed = list(stories.stories_matching(status=status if status in StoryStatus.values else "")[:200])
    return render(
        request,
        "advocates/program/story_list.html",
        {
            "stories": zip(listed, stories.story_cards(listed), strict=True),
            "scopes": StoryScope.choices,
            "status": status,
            "statuses": StoryStatus.choices,
        },
    )


def story_action(request: HttpRequest) -> None:
    story = get_object_or_404(Story.objects.select_related("advocate__customer"), pk=posted_id(request, "story_id"))
    try:
        if request.POST.get("action") == "withdraw":
            stories.story_withdraw(story=story, by=staff_user(request), reason=request.POST.get("reason", ""))
            messages.success(request, f"“{story.title}” withdrawn.")
        else:
            stories.story_publish(story=story, scope=request.POST.get("scope", ""), by=staff_user(request))
            messages.success(request, f"“{story.title}” published ({story.get_published_scope_display()}).")
    except ServiceError as exc:
        messages.error(request, f"Not published: {exc}")


def export_scope(request: HttpRequest) -> str:
    scope = request.GET.get("scope", StoryScope.WEBSITE)
    return scope if scope in StoryScope.values else StoryScope.WEBSITE


@allow(*PROGRAM)
@require_GET
def stories_export(request: HttpRequest) -> HttpResponse:
    body = stories.story_export_json(stories.published_stories(export_scope(request)))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stories.json"'
    return response


@allow(*PROGRAM)
@require_GET
def stories_snippet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        stories.story_export_html(stories.published_stories(export_scope(request))),
        content_type="text/html; charset=utf-8",
    )
