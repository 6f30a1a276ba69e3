from django.urls import path

from advocacy.advocates.references import portal_views as views

urlpatterns = [
    path("references/", views.reference_page, name="references"),
    path("references/<int:ask_id>/", views.reference_answer, name="reference_answer"),
]
