"""The advocates namespace (staff pages and the public referral redirect), gathered from its sub-domains."""

from django.urls import include, path

app_name = "advocates"

urlpatterns = [
    path("", include("advocacy.advocates.program.urls")),
    path("", include("advocacy.advocates.scoring.urls")),
    path("", include("advocacy.advocates.hub.urls")),
    path("", include("advocacy.advocates.referrals.urls")),
    path("", include("advocacy.advocates.references.urls")),
    path("", include("advocacy.advocates.stories.urls")),
]
