from django.urls import path

from advocacy.advocates.hub import views

urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/<int:challenge_id>/", views.challenge_edit, name="challenge_edit"),
    path("approvals/", views.approvals, name="approvals"),
    path("rewards/", views.rewards, name="rewards"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("hub-invitations/", views.hub_invitations, name="hub_invitations"),
]
