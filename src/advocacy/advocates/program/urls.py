"""Staff pages for referrals, references and stories, and the public referral redirect; included by
advocates/urls.py, so names are `advocates:<name>`."""

from django.urls import path

from advocacy.advocates.program import views

urlpatterns = [
    path("r/<str:code>/", views.referral_redirect, name="referral_redirect"),
    path("referrals/", views.referral_queue, name="referral_queue"),
    path("references/", views.reference_list, name="reference_list"),
    path("references/new/", views.reference_new, name="reference_new"),
    path("references/<int:request_id>/", views.reference_detail, name="reference_detail"),
    path("stories/", views.story_list, name="story_list"),
    path("stories/export.json", views.stories_export, name="stories_export"),
    path("stories/snippet.html", views.stories_snippet, name="stories_snippet"),
]
