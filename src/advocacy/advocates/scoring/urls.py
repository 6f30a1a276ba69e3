"""Pages of the advocate score; included by advocates/urls.py under the "advocates" namespace."""

from django.urls import path

from advocacy.advocates.scoring import views as scoring_views

urlpatterns = [
    path("", scoring_views.advocate_list, name="advocate_list"),
    path("weights/", scoring_views.weights, name="weights"),
    path("scores/<int:customer_id>/", scoring_views.score_detail, name="score_detail"),
]
