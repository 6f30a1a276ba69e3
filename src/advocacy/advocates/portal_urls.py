"""The advocate hub in the customer portal (namespace "hub"), gathered from the modules that own them."""

from django.urls import include, path

app_name = "hub"

urlpatterns = [
    path("", include("advocacy.advocates.hub.portal_urls")),
    path("", include("advocacy.advocates.program.portal_urls")),
]
