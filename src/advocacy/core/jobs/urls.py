from django.urls import path

from advocacy.core.jobs import views

urlpatterns = [
    path("settings/background-work/", views.job_list, name="jobs"),
    path("settings/background-work/<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
