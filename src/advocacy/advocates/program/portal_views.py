"""The advocate's own referrals, reference asks and stories, in the customer portal.

Every view reads the customer from the session, never from the URL; every lookup by id is filtered
by that customer's advocate, so another customer's ids give 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.advocates.models import Advocate, ReferenceAsk
from advocacy.advocates.program.forms import StoryForm
from advocacy.advocates.references import services as references
from advocacy.advocates.referrals import services as referrals
from advocacy.advocates.stories import services as stories
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role


def own_advocate(request: HttpRequest) -> Advocate | None:
    return (
        Advocate.objects.select_related("customer__account")
        .filter(customer_id=portal_customer_id(request), active=True)
        .first()
    )


def not_a_member(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Join the advocate hub first; it takes a minute.")
    return redirect("hub:home")


@allow(Role.CUSTOMER)
def referral_page(request: HttpRequest) -> HttpResponse:
    """My link, how often it was clicked, who converted and the rewards held for me."""
    advocate = own_advocate(request)
    if advocate is None:
        return not_a_member(request)
    mine = referrals.my_referrals(advocate)
    url = settings.SITE_URL + reverse("advocates:referral_redirect", kwargs={"code": mine.link.code})
    return render(
        request,
        "advocates/program_portal/referrals.html",
        {"mine": mine, "url": url, "program": referrals.program_settings()},
    )


@allow(Role.CUSTOMER)
def reference_page(request: HttpRequest) -> HttpResponse:
    advocate = own_advocate(request)
    if advocate is None:
        return not_a_member(request)
    return render(request, "advocates/program_portal/references.html", {"asks": references.asks_of_advocate(advocate)})


@allow(Role.CUSTOMER)
@require_POST
def reference_answer(request: HttpRequest, ask_id: int) -> HttpResponse:
    ask = get_object_or_404(ReferenceAsk, pk=ask_id, advocate__customer_id=portal_customer_id(request))
    accept = request.POST.get("answer") == "accept"
    try:
        references.reference_answer(ask=ask, accept=accept)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Thank you! We will be in touch to find a time."
            if accept
            else "Thank you for letting us know. Nothing changes for you.",
        )
    return redirect("hub:references")


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def story_page(request: HttpRequest) -> HttpResponse:
    """Submit a story with its consent (where, named or not, until when), and see my stories."""
    advocate = own_advocate(request)
    if advocate is None:
        return not_a_member(request)
    form = StoryForm(request.POST or None, advocate_id=advocate.pk)
    if request.method == "POST" and form.is_valid():
        try:
            stories.story_submit(advocate=advocate, **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Thank you for your story. We will let you know before it goes anywhere.")
            return redirect("hub:stories")
    return render(
        request, "advocates/program_portal/stories.html", {"form": form, "stories": stories.stories_of(advocate)}
    )
