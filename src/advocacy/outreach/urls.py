"""The outreach namespace (admins' webhook pages). The unsubscribe page keeps its place in feedback's."""

from django.urls import include, path

app_name = "outreach"

urlpatterns = [
    path("", include("advocacy.outreach.webhooks.urls")),
]
