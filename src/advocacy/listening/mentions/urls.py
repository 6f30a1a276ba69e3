from django.urls import path

from advocacy.listening.mentions import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mentions/", views.explorer, name="explorer"),
    path("mentions.csv", views.explorer_csv, name="explorer_csv"),
    path("mentions/<int:mention_id>/", views.mention_detail, name="mention_detail"),
]
