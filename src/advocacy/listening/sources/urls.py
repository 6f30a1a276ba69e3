from django.urls import path

from advocacy.listening.sources import views

urlpatterns = [
    path("sources/", views.source_list, name="sources"),
    path("sources/<int:source_id>/toggle/", views.source_toggle, name="source_toggle"),
    path("sources/<int:source_id>/reviews/", views.source_reviews, name="source_reviews"),
    path("hooks/<str:public_id>/", views.webhook, name="webhook"),
]
