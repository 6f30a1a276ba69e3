from django.urls import path

from advocacy.casework.recommendations import views

urlpatterns = [
    path("<int:case_id>/recommendations/", views.case_recommendations, name="case_recommendations"),
    path("<int:case_id>/recommendations/record/", views.recommendation_record, name="recommendation_record"),
    path(
        "recommendations/<int:recommendation_id>/outcome/", views.recommendation_outcome, name="recommendation_outcome"
    ),
]
