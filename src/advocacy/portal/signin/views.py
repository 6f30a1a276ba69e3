"""Signing in to the customer portal by an emailed, single-use link; signing out.

The GET of a sign-in link only shows a button (mail scanners open links); the POST spends the token.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.errors import LinkRefused
from advocacy.core.permissions import PORTAL_SESSION_KEY, PORTAL_TIME_ZONE_KEY, public
from advocacy.portal.signin import services
from advocacy.portal.signin.forms import SignInForm


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.magic_link_request(email=form.cleaned_data["email"])
        return render(request, "portal/link_sent.html", {"email": form.cleaned_data["email"]})
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
