"""The URLconf the program API tests run under: the real one, with advocates.program_api mounted.

Until advocacy/api.py mounts the router, this mounts it on a copy of the real API (same parser and
error handlers) so that the tests exercise the same auth, validation and problem responses.
"""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from advocacy.advocates.program_api import router
from advocacy.api import api
from advocacy.urls import urlpatterns as real_urlpatterns

MOUNTED = any(r is router for _, r, *_ in api._router_registrations)

if MOUNTED:
    urlpatterns = real_urlpatterns
else:
    program_api = NinjaAPI(urls_namespace="program_api_test", parser=api.parser)
    program_api._exception_handlers = dict(api._exception_handlers)
    program_api.add_router("/", router)
    urlpatterns = [path("api/v1/", program_api.urls), *real_urlpatterns]
