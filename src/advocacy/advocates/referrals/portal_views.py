"""The advocate's referral link and its results, in the portal."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from advocacy.advocates.hub.portal_views import not_a_member, own_advocate
from advocacy.advocates.referrals import services as referrals
from advocacy.core.permissions import allow
from advocacy.core.roles import Role


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
