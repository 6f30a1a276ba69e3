"""Mounted under the feedback namespace (see feedback/urls.py): the path is in mail already sent."""

from django.urls import path

from advocacy.outreach.unsubscribe import views

urlpatterns = [path("survey/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")]
