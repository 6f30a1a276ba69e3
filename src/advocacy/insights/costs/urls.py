from django.urls import path

from advocacy.insights.costs import views

urlpatterns = [
    path("costs/", views.costs, name="costs"),
    path("costs/new/", views.cost_new, name="cost_new"),
    path("costs/savings/new/", views.cost_saving_new, name="cost_saving_new"),
    path("costs/<int:entry_id>/reverse/", views.cost_reverse, name="cost_reverse"),
    path("costs/sync/", views.costs_sync, name="costs_sync"),
    path("costs/import/", views.costs_import, name="costs_import"),
]
