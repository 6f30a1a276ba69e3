"""The advocate hub in the customer portal (namespace "hub"), gathered from its sub-domains."""

from django.urls import include, path

app_name = "hub"

urlpatterns = [
    path("", include("advocacy.advocates.hub.portal_urls")),
    path("", include("advocacy.advocates.referrals.portal_urls")),
    path("", include("advocacy.advocates.references.portal_urls")),
    path("", include("advocacy.advocates.stories.portal_urls")),
]
