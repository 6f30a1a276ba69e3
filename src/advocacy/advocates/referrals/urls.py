from django.urls import path

from advocacy.advocates.referrals import views

urlpatterns = [
    path("r/<str:code>/", views.referral_redirect, name="referral_redirect"),
    path("referrals/", views.referral_queue, name="referral_queue"),
]
