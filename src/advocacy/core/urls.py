"""The core namespace, gathered from the sub-domains that own the pages."""

from django.urls import include, path

app_name = "core"
urlpatterns = [
    path("", include("advocacy.core.staff.urls")),
    path("", include("advocacy.core.apikeys.urls")),
    path("", include("advocacy.core.jobs.urls")),
]
