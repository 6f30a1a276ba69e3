from django.urls import path

from advocacy.insights.attribution import views

urlpatterns = [
    path("attribution/settings/", views.attribution_settings, name="attribution_settings"),
]
