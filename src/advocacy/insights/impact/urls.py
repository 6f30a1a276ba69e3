from django.urls import path

from advocacy.insights.impact import views

urlpatterns = [
    path("impact/", views.impact, name="impact"),
    path("impact/behind/<str:source>/", views.impact_behind, name="impact_behind"),
    path("impact/holdout-customers/", views.holdout_customers, name="holdout_customers"),
    path("impact/<str:table>.csv", views.impact_csv, name="impact_csv"),
]
