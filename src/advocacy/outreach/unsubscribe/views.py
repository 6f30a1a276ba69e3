"""The unsubscribe page behind the link in every mail: the GET shows a button, the POST unsubscribes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advocacy.core.errors import LinkRefused
from advocacy.core.permissions import public
from advocacy.outreach.unsubscribe import services


@public
@csrf_exempt  # RFC 8058: the mail client POSTs without a session; the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            services.unsubscribe_customer(token=token)
            return render(request, "outreach/unsubscribed.html")
        services.unsubscribe_check(token=token)
    except LinkRefused as exc:
        return render(request, "core/link_refused.html", {"reason": exc.reason, "code": exc.code}, status=400)
    return render(request, "outreach/unsubscribe.html")
