"""The advocate hub in the customer portal: join, take part in challenges, redeem rewards.

Every view reads the customer from the session (``portal_customer_id``), never from the URL, and every
lookup by id is filtered by that customer's advocate: another customer's ids give 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.advocates.disclosure import referral_share_text
from advocacy.advocates.hub import queries as hub_queries
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.forms import EvidenceForm, JoinForm, RedeemForm
from advocacy.advocates.hub.ledger import balance
from advocacy.advocates.hub.shipping import Shipping
from advocacy.advocates.models import Advocate, ChallengeKind, Redemption, RewardKind, Submission
from advocacy.advocates.referrals.services import referral_link_for, referral_url
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.pages import error_text
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role
from advocacy.customers.models import Customer


def own_advocate(request: HttpRequest) -> Advocate | None:
    return hub_queries.active_advocate(portal_customer_id(request))


def share_context(advocate: Advocate) -> dict[str, str]:
    """The advocate's referral link and the message that shares it, its disclosure included."""
    program = hub.program_settings()
    text = referral_share_text(
        company=settings.COMPANY_NAME, referrer_points=program.referrer_points, friend_points=program.friend_points
    )
    return {"referral_url": referral_url(referral_link_for(advocate)), "share_text": text}


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
    page = hub_queries.hub_page(advocate)
    refer = any(card.challenge.kind == ChallengeKind.REFER for card in page.cards)
    return render(
        request,
        "advocates/hub_portal/home.html",
        {
            "advocate": advocate,
            "page": page,
            "program": hub.program_settings(),
            "tab": "home",
            **(share_context(advocate) if refer else {}),
        },
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
        {
            "challenge": found,
            "form": form,
            "done": done,
            "disclosure": hub.program_settings().disclosure_text,
            "program": hub.program_settings(),
            "tab": "home",
            **(share_context(advocate) if found.kind == ChallengeKind.REFER else {}),
        },
    )


@allow(Role.CUSTOMER)
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    found = get_object_or_404(
        Submission.objects.select_related("challenge"), pk=submission_id, advocate=member(request)
    )
    return render(request, "advocates/hub_portal/submission.html", {"submission": found})


@allow(Role.CUSTOMER)
@require_GET
def rewards(request: HttpRequest) -> HttpResponse:
    """The catalogue; each reward's button leads to its confirmation page, never straight to a spend."""
    advocate = member(request)
    points = balance(advocate)
    return render(
        request,
        "advocates/hub_portal/rewards.html",
        {
            "rewards": [(reward, max(0, reward.point_cost - points)) for reward in hub_queries.rewards_offered()],
            "balance": points,
            "redemptions": advocate.redemptions.select_related("reward").order_by("-requested_at")[:20],
            "tab": "rewards",
        },
    )


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, reward_id: int) -> HttpResponse:
    """Confirm a redemption: the choice, the address for a physical reward, and a box to tick.

    Errors show beside their fields with what was typed kept; points are spent only on a valid POST.
    """
    advocate = member(request)
    reward = get_object_or_404(hub_queries.rewards_offered(), pk=reward_id)
    form = RedeemForm(request.POST if request.method == "POST" else None, reward=reward)
    points = balance(advocate)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        shipping = Shipping.of(fields) if reward.kind == RewardKind.PHYSICAL else None
        try:
            redemption = hub.redemption_request(
                advocate=advocate, reward=reward, choice=fields.get("choice", ""), shipping=shipping
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message[:1].upper() + message[1:] + ".")
        except ServiceError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect(f"{reverse('hub:redemption', args=[redemption.pk])}?confirmed=1")
    return render(
        request,
        "advocates/hub_portal/redeem.html",
        {
            "reward": reward,
            "form": form,
            "balance": points,
            "after": points - reward.point_cost,
            "short": max(0, reward.point_cost - points),
            "tab": "rewards",
        },
        status=422 if form.errors else 200,
    )


@allow(Role.CUSTOMER)
def redemption(request: HttpRequest, redemption_id: int) -> HttpResponse:
    found = get_object_or_404(
        Redemption.objects.select_related("reward", "advocate__customer"), pk=redemption_id, advocate=member(request)
    )
    return render(
        request,
        "advocates/hub_portal/redemption.html",
        {
            "redemption": found,
            "confirmed": request.GET.get("confirmed") == "1",
            "balance": balance(found.advocate),
            "tab": "rewards",
        },
    )
