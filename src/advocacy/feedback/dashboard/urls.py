from django.urls import path

from advocacy.feedback.dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("responses/", dashboard_views.responses, name="responses"),
    path("responses.csv", dashboard_views.responses_csv, name="responses_csv"),
    path("assets/plotly.min.js", dashboard_views.plotly_js, name="plotly_js"),
]
