"""The advocate hub in the customer portal: join, take part in challenges, redeem rewards.

Every view reads the customer from the session (``portal_customer_id``), never from the URL, and every
lookup by id is filtered by that customer's advocate: another customer's ids give 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.advocates.hub import queries as hub_queries
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.forms import EvidenceForm, JoinForm
from advocacy.advocates.hub.ledger import balance
from advocacy.advocates.models import Advocate, Redemption, Submission
from advocacy.core.errors import ServiceError
from advocacy.core.pages import error_text
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role
from advocacy.customers.models import Customer


def own_advocate(request: HttpRequest) -> Advocate | None:
    return hub_queries.active_advocate(portal_customer_id(request))


def not_a_member(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Join the advocate hub first; it takes a minute.")
    return redirect("hub:home")


def member(request: HttpRequest) -> Advocate:
    """The signed-in customer's advocate record; pages for members only 404 for anyone else."""
    advocate = own_advocate(request)
    if advocate is None:
        raise Http404("Join the advocate hub first.")
    return advocate


@allow(Role.CUSTOMER)
def home(request: HttpRequest) -> HttpResponse:
    advocate = own_advocate(request)
    if advocate is None:
        return render(
            request,
            "advocates/hub_portal/join.html",
            {"form": JoinForm(), "program": hub.program_settings(), "levels": hub.LEVELS},
        )
    return render(
        request, "advocates/hub_portal/home.html", {"advocate": advocate, "page": hub_queries.hub_page(advocate)}
    )


@allow(Role.CUSTOMER)
@require_POST
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to agree to the programme terms to join.")
        return redirect("hub:home")
    customer = get_object_or_404(Customer, pk=portal_customer_id(request))
    hub.hub_join(customer=customer, leaderboard_opt_out=form.cleaned_data["leaderboard_opt_out"])
    messages.success(request, "Welcome to the advocate hub!")
    return redirect("hub:home")


@allow(Role.CUSTOMER)
@require_POST
def leaderboard_opt_out(request: HttpRequest) -> HttpResponse:
    advocate = member(request)
    opt_out = request.POST.get("opt_out") == "yes"
    hub.leaderboard_opt_out_set(advocate=advocate, opt_out=opt_out)
    messages.success(request, "You are off the leaderboard." if opt_out else "You are on the leaderboard.")
    return redirect("hub:home")


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest, challenge_id: int) -> HttpResponse:
    advocate = member(request)
    found = hub_queries.open_challenge(advocate, challenge_id, timezone.localdate())
    if found is None:
        raise Http404("No such challenge open to you.")
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = hub.submission_create(
                challenge=found, advocate=advocate, evidence=form.cleaned_data["evidence"]
            )
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                f"Thank you! You earned {found.points} points."
                if submission.status == "approved"
                else "Thank you! We will look at it soon; the points follow approval.",
            )
            return redirect("hub:submission", submission_id=submission.pk)
    done = advocate.submissions.filter(challenge=found).exclude(status="rejected").first()
    return render(
        request,
        "advocates/hub_portal/challenge.html",
        {"challenge": found, "form": form, "done": done, "disclosure": hub.program_settings().disclosure_text},
    )


@allow(Role.CUSTOMER)
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    found = get_object_or_404(
        Submission.objects.select_related("challenge"), pk=submission_id, advocate=member(request)
    )
    return render(request, "advocates/hub_portal/submission.html", {"submission": found})


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def rewards(request: HttpRequest) -> HttpResponse:
    advocate = member(request)
    if request.method == "POST":
        reward = get_object_or_404(hub_queries.rewards_offered(), pk=request.POST.get("reward_id") or 0)
        try:
            redemption = hub.redemption_request(advocate=advocate, reward=reward)
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Requested: {reward.name}. We will be in touch to send it.")
            return redirect("hub:redemption", redemption_id=redemption.pk)
        return redirect("hub:rewards")
    return render(
        request,
        "advocates/hub_portal/rewards.html",
        {
            "rewards": hub_queries.rewards_offered(),
            "balance": balance(advocate),
            "redemptions": advocate.redemptions.select_related("reward").order_by("-requested_at")[:20],
        },
    )


@allow(Role.CUSTOMER)
def redemption(request: HttpRequest, redemption_id: int) -> HttpResponse:
    found = get_object_or_404(Redemption.objects.select_related("reward"), pk=redemption_id, advocate=member(request))
    return render(request, "advocates/hub_portal/redemption.html", {"redemption": found})
