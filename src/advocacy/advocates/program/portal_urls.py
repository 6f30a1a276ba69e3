"""The advocate's referrals, reference asks and stories in the portal; included by advocates/portal_urls.py,
so names are `hub:<name>`."""

from django.urls import path

from advocacy.advocates.program import portal_views as views

urlpatterns = [
    path("referrals/", views.referral_page, name="referrals"),
    path("references/", views.reference_page, name="references"),
    path("references/<int:ask_id>/", views.reference_answer, name="reference_answer"),
    path("stories/", views.story_page, name="stories"),
]
