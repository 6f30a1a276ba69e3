"""Staff pages of the advocacy program, gathered from the modules that own them."""

from django.urls import include, path

from advocacy.advocates import views

app_name = "advocates"

urlpatterns = [
    path("program/", views.program, name="program"),
    path("program/settings/", views.settings_page, name="program_settings"),
    path("", include("advocacy.advocates.scoring.urls")),
    path("", include("advocacy.advocates.hub.urls")),
    path("", include("advocacy.advocates.program.urls")),
]
