from django.urls import include, path

from advocacy.customers.records import views

app_name = "customers"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("imports/", include("advocacy.customers.importing.urls")),
]
