from django.urls import path

from advocacy.casework.cases import views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases.csv", views.queue_csv, name="queue_csv"),
    path("views/", views.queue_view_save, name="queue_view_save"),
    path("views/<int:view_id>/delete/", views.queue_view_delete, name="queue_view_delete"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/update/", views.case_update, name="case_update"),
    path("<int:case_id>/note/", views.case_note, name="case_note"),
    path("<int:case_id>/status/", views.case_status, name="case_status"),
    path("<int:case_id>/transfer/", views.case_transfer, name="case_transfer"),
    path("<int:case_id>/huddle/", views.case_huddle, name="case_huddle"),
    path("<int:case_id>/resolve/", views.case_resolve, name="case_resolve"),
    path("for-customer/<int:customer_id>/", views.case_open, name="case_open"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("prevention/", views.prevention, name="prevention"),
    path("prevention/<int:prevention_id>/verify/", views.prevention_verify, name="prevention_verify"),
    path("sla/", views.sla, name="sla"),
    path("sla.csv", views.sla_csv, name="sla_csv"),
    path("settings/", views.settings_page, name="settings"),
]
