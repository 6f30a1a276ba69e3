from django.urls import path

from advocacy.customers.records import views

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
]
