"""Mounted in the portal namespace (see portal/urls.py), so names are ``portal:case_*``."""

from django.urls import path

from advocacy.casework.cases import portal_views as views

urlpatterns = [
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/reply/", views.case_reply, name="case_reply"),
]
