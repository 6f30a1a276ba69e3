"""The imports pages, included by customers/urls.py under "imports/" (names customers:import_*)."""

from django.urls import path

from advocacy.customers.importing import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:job_id>/", views.import_detail, name="import_detail"),
    path("<int:job_id>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
]
