from django.contrib import admin
from django.urls import include, path

from advocacy import loop  # noqa: F401  (registers the loop's switchable rules for the settings page)
from advocacy.api import api

admin.site.site_header = "Advocacy back office"

urlpatterns = [
    path("", include("advocacy.core.urls")),
    path("", include("advocacy.outreach.urls")),
    path("customers/", include("advocacy.customers.urls")),
    path("portal/", include("advocacy.portal.urls")),
    path("", include("advocacy.feedback.urls")),
    path("cases/", include("advocacy.casework.urls")),
    path("advocates/", include("advocacy.advocates.urls")),
    path("insights/", include("advocacy.insights.urls")),
    path("listening/", include("advocacy.listening.urls")),
    path("portal/hub/", include("advocacy.advocates.portal_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "advocacy.core.errorpages.bad_request"
handler403 = "advocacy.core.errorpages.permission_denied"
handler404 = "advocacy.core.errorpages.page_not_found"
handler500 = "advocacy.core.errorpages.server_error"
