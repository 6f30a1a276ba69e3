"""The insights namespace, gathered from its sub-domains."""

from django.urls import include, path  # noqa: F401

app_name = "insights"

urlpatterns: list = []
