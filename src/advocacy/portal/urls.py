"""The portal namespace: the customer's page, signing in, and each app's customer-facing pages."""

from django.urls import include, path

app_name = "portal"

urlpatterns = [
    path("", include("advocacy.portal.home.urls")),
    path("", include("advocacy.portal.signin.urls")),
    path("", include("advocacy.casework.cases.portal_urls")),
    path("", include("advocacy.casework.appointments.portal_urls")),
    path("", include("advocacy.customers.privacy.portal_urls")),
]
