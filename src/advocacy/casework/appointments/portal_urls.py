"""Mounted in the portal namespace (see portal/urls.py), so names are ``portal:appointment*``."""

from django.urls import path

from advocacy.casework.appointments import portal_views as views

urlpatterns = [
    path("appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:appointment_id>.ics", views.appointment_ics, name="appointment_ics"),
]
