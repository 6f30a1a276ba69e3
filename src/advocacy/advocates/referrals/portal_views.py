"""The advocate's referral link and its results, in the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.advocates.hub.portal_views import not_a_member, own_advocate, share_context
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
    return render(
        request,
        "advocates/program_portal/referrals.html",
        {"mine": mine, "program": referrals.program_settings(), "tab": "refer", **share_context(advocate)},
    )
