from django.urls import path

from advocacy.portal.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("consent/", views.consent_update, name="consent_update"),
    path("contact-hours/", views.contact_hours_update, name="contact_hours_update"),
]
