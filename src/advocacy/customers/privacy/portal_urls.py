from django.urls import path

from advocacy.customers.privacy import portal_views

urlpatterns = [path("my-data.zip", portal_views.my_data, name="my_data")]
