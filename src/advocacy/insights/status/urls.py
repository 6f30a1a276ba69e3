from django.urls import path

from advocacy.insights.status import views

urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("status.csv", views.status_csv, name="status_csv"),
    path("status/customers/", views.status_customers, name="status_customers"),
]
