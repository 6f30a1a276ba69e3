from django.urls import path

from advocacy.customers.privacy import views

urlpatterns = [
    path("<int:customer_id>/export.zip", views.customer_export, name="export"),
    path("<int:customer_id>/erase/", views.customer_erase, name="erase"),
]
