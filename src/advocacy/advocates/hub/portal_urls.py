from django.urls import path

from advocacy.advocates.hub import portal_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("leaderboard/", views.leaderboard_opt_out, name="leaderboard_opt_out"),
    path("challenges/<int:challenge_id>/", views.challenge, name="challenge"),
    path("submissions/<int:submission_id>/", views.submission, name="submission"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path("redemptions/<int:redemption_id>/", views.redemption, name="redemption"),
]
