"""The program manager's hub pages: challenges, approvals, rewards, redemptions and hub invitations.

Thin: each view parses a form, calls one service or query, and renders or redirects with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.advocates.hub import queries as hub_queries
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.forms import ChallengeForm, InviteForm, RewardForm, TopInviteForm
from advocacy.advocates.models import Challenge, HubInvitationStatus, Redemption, Reward, Submission
from advocacy.core.errors import ServiceError
from advocacy.core.pages import posted_id, show_errors, show_form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.models import Customer

# Challenges


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def challenge_list(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                challenge = hub.challenge_create(by=staff_user(request), **form.cleaned_data)
            except ServiceError as exc:
                show_errors(request, exc)
            else:
                messages.success(request, f"Challenge “{challenge.title}” created.")
                return redirect("advocates:challenge_edit", challenge_id=challenge.pk)
        else:
            show_form_errors(request, form)
    return render(
        request, "advocates/hub/challenge_list.html", {"challenges": hub_queries.challenges_listed(), "form": form}
    )


def challenge_save(request: HttpRequest, challenge: Challenge) -> tuple[ChallengeForm, bool]:
    """The posted form, and whether the challenge was saved."""
    form = ChallengeForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return form, False
    try:
        hub.challenge_update(challenge=challenge, by=staff_user(request), **form.cleaned_data)
    except ServiceError as exc:
        show_errors(request, exc)
        return form, False
    messages.success(request, "Challenge saved.")
    return form, True


def challenge_send(request: HttpRequest, challenge: Challenge) -> None:
    try:
        outcome = hub.challenge_invite(challenge=challenge)
    except ServiceError as exc:
        show_errors(request, exc)
        return
    messages.success(
        request,
        f"Asked {len(outcome.asked)} advocate(s); {len(outcome.held)} wait for their "
        "contact budget and are listed below.",
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    form = ChallengeForm.of(challenge)
    if request.method == "POST":
        if request.POST.get("action") == "invite":
            challenge_send(request, challenge)
            return redirect("advocates:challenge_edit", challenge_id=challenge.pk)
        form, saved = challenge_save(request, challenge)
        if saved:
            return redirect("advocates:challenge_edit", challenge_id=challenge.pk)
        challenge.refresh_from_db()  # a refused update may have set attributes; show what is stored
    return render(
        request,
        "advocates/hub/challenge_edit.html",
        {
            "challenge": challenge,
            "form": form,
            "audience": hub_queries.challenge_audience(challenge),
            "submissions": hub_queries.submissions_listed(challenge_id=challenge.pk),
        },
    )


# Approvals


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        submission = get_object_or_404(Submission, pk=posted_id(request, "submission_id"))
        approve = request.POST.get("decision") == "approve"
        try:
            hub.submission_review(
                submission=submission, by=staff_user(request), approve=approve, note=request.POST.get("note", "")[:300]
            )
        except ServiceError as exc:
            show_errors(request, exc)
        else:
            messages.success(
                request,
                f"{'Approved' if approve else 'Rejected'}: {submission.challenge.title} by {submission.advocate}.",
            )
        return redirect("advocates:approvals")
    return render(
        request, "advocates/hub/approvals.html", {"pending": hub_queries.submissions_listed(status="pending")}
    )


# Rewards


def reward_save(request: HttpRequest, reward: Reward | None) -> RewardForm:
    form = RewardForm(request.POST, prefix=f"r{reward.pk}" if reward else None)
    if not form.is_valid():
        show_form_errors(request, form)
        return form
    try:
        if reward is None:
            hub.reward_create(by=staff_user(request), **form.cleaned_data)
        else:
            hub.reward_update(reward=reward, by=staff_user(request), **form.cleaned_data)
    except ServiceError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, f"Reward “{form.cleaned_data['name']}” saved.")
    return form


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def rewards(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        reward_id = posted_id(request, "reward_id")
        reward_save(request, get_object_or_404(Reward, pk=reward_id) if reward_id else None)
        return redirect("advocates:rewards")
    listed = list(hub_queries.rewards_listed())
    return render(
        request, "advocates/hub/rewards.html", {"rows": [(r, RewardForm.of(r)) for r in listed], "form": RewardForm()}
    )


# Redemptions


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def redemptions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        redemption = get_object_or_404(
            Redemption.objects.select_related("reward"), pk=posted_id(request, "redemption_id")
        )
        action = request.POST.get("action", "")
        try:
            hub.redemption_decide(
                redemption=redemption, by=staff_user(request), action=action, note=request.POST.get("note", "")[:300]
            )
        except ServiceError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, f"{redemption.reward.name} for {redemption.advocate}: {hub.DONE[action]}.")
        return redirect("advocates:redemptions")
    return render(
        request,
        "advocates/hub/redemptions.html",
        {
            "open": hub_queries.redemptions_listed(open_only=True),
            "recent": hub_queries.redemptions_listed().exclude(status__in=["requested", "approved"]).reverse()[:50],
        },
    )


# Hub invitations


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def hub_invitations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "top":
        return invite_top(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            customer = Customer.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if customer is None:
                messages.error(request, f"No customer with the email {form.cleaned_data['email']}.")
            else:
                invitation = hub.hub_invite(customer=customer, reason=form.cleaned_data["reason"])
                messages.success(request, invitation_said(customer, invitation))
            return redirect("advocates:hub_invitations")
        show_form_errors(request, form)
    status = request.GET.get("status", "")
    status = status if status in HubInvitationStatus.values else ""
    return render(
        request,
        "advocates/hub/invitations.html",
        {
            "invitations": hub_queries.hub_invitations_listed(status=status)[:200],
            "form": form,
            "status": status,
            "statuses": HubInvitationStatus.choices,
            "top_form": TopInviteForm(),
        },
    )


def invite_top(request: HttpRequest) -> HttpResponse:
    form = TopInviteForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("advocates:hub_invitations")
    outcome = hub.hub_invite_top(by=staff_user(request), **form.cleaned_data)
    messages.success(
        request, f"Invited {outcome['sent']}; {outcome['held']} wait on their contact budget (see why below)."
    )
    return redirect("advocates:hub_invitations")


def invitation_said(customer: Customer, invitation: Any) -> str:
    if invitation is None:
        return f"{customer} is already an advocate."
    if invitation.status == HubInvitationStatus.HELD:
        return f"The invitation to {customer} waits: {invitation.held_reason}."
    return f"{customer}: invitation {invitation.get_status_display().lower()}."
