from django.urls import path

from advocacy.advocates.program import views

urlpatterns = [
    path("program/", views.program, name="program"),
    path("program/settings/", views.settings_page, name="program_settings"),
    path("program/funnels/<str:funnel>/<str:stage>/", views.funnel_stage, name="funnel_stage"),
]
