from django.urls import include, path

from advocacy.feedback.surveys import views

app_name = "feedback"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/policy/", views.fatigue_policy, name="fatigue_policy"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("surveys/<int:survey_id>/waves/", views.wave_open, name="wave_open"),
    path("survey/a/<str:token>/<int:score>/", views.answer, name="answer"),
    path("survey/a/<str:token>/comment/", views.comment, name="comment"),
    path("survey/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("survey/w/<str:token>/", views.web_survey, name="web_survey"),
    path("nps/", include("advocacy.feedback.dashboard.urls")),
]
