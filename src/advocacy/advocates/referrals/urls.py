from django.urls import path

from advocacy.advocates.referrals import views

urlpatterns = [
    path("r/<str:code>/", views.referral_redirect, name="referral_redirect"),
    path("referrals/", views.referral_queue, name="referral_queue"),
    path("hooks/referrals/<str:public_id>/", views.conversion_webhook, name="conversion_webhook"),
    path("referrals/sources/", views.conversion_sources, name="conversion_sources"),
    path("referrals/sources/<int:source_id>/rotate/", views.conversion_source_rotate, name="conversion_source_rotate"),
    path("referrals/sources/<int:source_id>/toggle/", views.conversion_source_toggle, name="conversion_source_toggle"),
]
