from django.urls import path

from advocacy.advocates.references import views

urlpatterns = [
    path("references/", views.reference_list, name="reference_list"),
    path("references/new/", views.reference_new, name="reference_new"),
    path("references/<int:request_id>/", views.reference_detail, name="reference_detail"),
]
