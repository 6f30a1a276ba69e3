from django.urls import path

from advocacy.feedback.surveys import views

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/policy/", views.fatigue_policy, name="fatigue_policy"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("surveys/<int:survey_id>/waves/", views.wave_open, name="wave_open"),
]
