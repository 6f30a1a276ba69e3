"""Signing in to the customer portal by an emailed, single-use link; signing out.

The GET of a sign-in link only shows a button (mail scanners open links); the POST spends the token.
Asking for a link answers the same whether or not the address is a customer's and whether or not mail
is up (the mail goes after the response), within limits per address and per IP.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core import limits
from advocacy.core.after_response import after_response
from advocacy.core.errors import LinkRefused
from advocacy.core.permissions import PORTAL_SESSION_KEY, PORTAL_TIME_ZONE_KEY, public
from advocacy.portal.signin import services
from advocacy.portal.signin.forms import SignInForm


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same page, at once, whoever asks and whether or not mail
    is up: looking the address up, making the link and mailing it happen after the response has gone."""
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        ip = limits.client_ip(request)
        budgets = [(limits.SIGNIN_LINKS_PER_IP, ip), (limits.SIGNIN_LINKS_PER_ADDRESS, limits.normalized(address))]
        wait = limits.over(request, budgets)
        if wait is not None:
            return limits.too_many(request, wait, context={"message": "Too many sign-in links were asked for."})
        response = render(request, "portal/link_sent.html", {"email": address})
        after_response(response, partial(services.magic_link_request, email=address))
        return response
    return render(request, "portal/sign_in.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and writes nothing (mail scanners open links); the POST spends the token."""
    try:
        if request.method == "POST":
            customer = services.magic_link_spend(token=token)
            logout(request)  # a fresh session: drops any earlier sign-in and rotates the key
            request.session[PORTAL_SESSION_KEY] = customer.pk
            request.session[PORTAL_TIME_ZONE_KEY] = customer.time_zone
            return redirect("portal:home")
        link = services.magic_link_check(token=token)
    except LinkRefused as exc:
        return render(request, "portal/link_refused.html", {"reason": exc.reason, "code": exc.code}, status=400)
    return render(request, "portal/redeem.html", {"first_name": link.customer.first_name})


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("portal:sign_in")
