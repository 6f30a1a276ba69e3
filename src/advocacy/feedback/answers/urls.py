from django.urls import path

from advocacy.feedback.answers import views

urlpatterns = [
    path("survey/a/<str:token>/<int:score>/", views.answer, name="answer"),
    path("survey/a/<str:token>/comment/", views.comment, name="comment"),
    path("survey/w/<str:token>/", views.web_survey, name="web_survey"),
]
