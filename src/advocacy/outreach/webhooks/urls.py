from django.urls import path

from advocacy.outreach.webhooks import views

urlpatterns = [
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:endpoint_id>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("settings/webhooks/<int:endpoint_id>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("settings/webhooks/<int:endpoint_id>/ping/", views.webhook_ping, name="webhook_ping"),
    path(
        "settings/webhooks/deliveries/<int:delivery_id>/retry/",
        views.webhook_delivery_retry,
        name="webhook_delivery_retry",
    ),
]
