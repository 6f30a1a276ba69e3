from django.urls import path

from advocacy.advocates.referrals import portal_views as views

urlpatterns = [path("referrals/", views.referral_page, name="referrals")]
