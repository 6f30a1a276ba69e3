from django.urls import path

from advocacy.casework.appointments import views

urlpatterns = [
    path("<int:case_id>/appointments/", views.case_appointments, name="case_appointments"),
    path("<int:case_id>/appointments/book/", views.appointment_book, name="appointment_book"),
    path("appointments/", views.my_appointments, name="my_appointments"),
    path("appointments/availability/", views.my_availability, name="my_availability"),
    path("appointments/<int:appointment_id>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:appointment_id>.ics", views.appointment_ics, name="appointment_ics"),
    path("appointments/<int:appointment_id>/cancel/", views.appointment_cancel, name="appointment_cancel"),
]
