"""The admins' webhooks pages: endpoints, their secrets, their delivery log, and a try-it ping."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.pages import form_errors, show_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import Role
from advocacy.outreach.models import WebhookDelivery, WebhookEndpoint
from advocacy.outreach.webhooks import queries, services
from advocacy.outreach.webhooks.forms import EndpointForm

DELIVERIES_PER_PAGE = 50


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, new_secret = services.endpoint_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            return render_detail(request, endpoint, new_secret=new_secret)
    context = {"form": form, "endpoints": queries.endpoints(), "event_types": queries.event_types()}
    return render(request, "outreach/webhooks/list.html", context)


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    form = None
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(endpoint=endpoint, by=staff_user(request), **form.cleaned_data)
            except InvalidInput as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "Endpoint saved.")
                return redirect("outreach:webhook_detail", endpoint_id=endpoint.pk)
    return render_detail(request, endpoint, form=form)


def render_detail(
    request: HttpRequest, endpoint: WebhookEndpoint, *, new_secret: str | None = None, form: EndpointForm | None = None
) -> HttpResponse:
    initial = {"url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types}
    status = request.GET.get("status", "")
    page = Paginator(queries.deliveries_of(endpoint, status=status), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    log = queries.delivery_log([d.pk for d in page])
    for delivery in page:
        delivery.attempt_log = log[delivery.pk]  # type: ignore[attr-defined]
    context = {
        "endpoint": endpoint,
        "form": form or EndpointForm(initial=initial),
        "new_secret": new_secret,
        "deliveries": page,
        "status": status,
    }
    return render(request, "outreach/webhooks/detail.html", context)


@allow(Role.ADMIN)
@require_POST
def webhook_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    secret = services.endpoint_secret_rotate(endpoint=endpoint, by=staff_user(request))
    messages.success(request, "New secret made; the previous one also signs until the date shown.")
    return render_detail(request, endpoint, new_secret=secret)


@allow(Role.ADMIN)
@require_POST
def webhook_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    enable = not endpoint.enabled
    services.endpoint_update(endpoint=endpoint, by=staff_user(request), enabled=enable)
    messages.success(request, "Endpoint enabled." if enable else "Endpoint disabled: it receives nothing.")
    return redirect("outreach:webhook_detail", endpoint_id=endpoint.pk)


@allow(Role.ADMIN)
@require_POST
def webhook_ping(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    services.endpoint_ping(endpoint=endpoint, by=staff_user(request))
    messages.success(request, "A webhook.ping is on its way; its delivery appears below.")
    return redirect("outreach:webhook_detail", endpoint_id=endpoint.pk)


@allow(Role.ADMIN)
@require_POST
def webhook_delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id)
    try:
        services.delivery_retry(delivery=delivery, by=staff_user(request))
    except ServiceError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, f"Delivery {delivery.pk} is queued again.")
    return redirect("outreach:webhook_detail", endpoint_id=delivery.endpoint_id)
