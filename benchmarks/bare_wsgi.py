"""The product's WSGI application plus one bare view, for P3's reference burst (never in the product).

``gunicorn benchmarks.bare_wsgi:application`` serves every URL of ``advocacy.urls`` and, in addition,
``POST /bench/bare/``: a view that does nothing but answer 200, behind the same middleware stack as
every product page. P3 sends the same burst to it and to the one-click answer URL through the same
server, so the ratio between the two is what recording an answer costs over Django itself.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from advocacy.core.warmup import warm

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
application = get_wsgi_application()

BARE_PATH = "bench/bare/"


@csrf_exempt  # like the answer view: a POST with no session and no CSRF token
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def add_bare_view() -> None:
    """Append the view to the real URLconf before the first request builds the resolver."""
    from advocacy import urls

    urls.urlpatterns.append(path(BARE_PATH, bare, name="bench_bare"))


add_bare_view()
warm()  # as advocacy.wsgi does, with the bare view in the URLconf
