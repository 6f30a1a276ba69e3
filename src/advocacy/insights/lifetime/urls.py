from django.urls import path

from advocacy.insights.lifetime import views

urlpatterns = [
    path("lifetime/", views.lifetime_page, name="lifetime"),
    path("lifetime.csv", views.lifetime_csv, name="lifetime_csv"),
    path("lifetime/customers/", views.lifetime_customers, name="lifetime_customers"),
    path("lifetime/refit/", views.lifetime_refit, name="lifetime_refit"),
]
