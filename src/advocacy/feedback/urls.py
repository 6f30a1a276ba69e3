"""The feedback namespace, gathered from the sub-domains that own the pages."""

from django.urls import include, path

app_name = "feedback"

urlpatterns = [
    path("", include("advocacy.feedback.surveys.urls")),
    path("", include("advocacy.feedback.answers.urls")),
    # The unsubscribe page belongs to outreach (every mail carries it); it keeps the name and path
    # it was first published under, since links in mail already sent point there.
    path("", include("advocacy.outreach.unsubscribe.urls")),
    path("nps/", include("advocacy.feedback.dashboard.urls")),
]
