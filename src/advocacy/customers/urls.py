"""The customers namespace, gathered from the sub-domains that own the pages."""

from django.urls import include, path

app_name = "customers"

urlpatterns = [
    path("", include("advocacy.customers.records.urls")),
    path("imports/", include("advocacy.customers.importing.urls")),
    path("", include("advocacy.customers.privacy.urls")),
]
