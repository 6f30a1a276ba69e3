from django.urls import path

from advocacy.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", views.redeem, name="redeem"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("consent/", views.consent_update, name="consent_update"),
    path("contact-hours/", views.contact_hours_update, name="contact_hours_update"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/reply/", views.case_reply, name="case_reply"),
]
