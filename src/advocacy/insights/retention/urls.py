from django.urls import path

from advocacy.insights.retention import views

urlpatterns = [
    path("retention/", views.retention_page, name="retention"),
    path("retention/customers/", views.retention_customers, name="retention_customers"),
    path("retention.csv", views.retention_csv, name="retention_csv"),
]
