"""The casework namespace, gathered from the sub-domains that own the pages."""

from django.urls import include, path

app_name = "casework"

urlpatterns = [
    path("", include("advocacy.casework.cases.urls")),
    path("", include("advocacy.casework.appointments.urls")),
    path("", include("advocacy.casework.recommendations.urls")),
    path("", include("advocacy.casework.replies.urls")),
]
