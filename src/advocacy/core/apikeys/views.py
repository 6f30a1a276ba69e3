"""The admin's API keys page: make a key for one role, see when each was last used, revoke it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.apikeys import queries, services
from advocacy.core.apikeys.forms import ApiKeyForm
from advocacy.core.errors import InvalidInput
from advocacy.core.models import ApiKey
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import Role


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.apikey_create(
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                by=staff_user(request),
                acts_as=form.cleaned_data["acts_as"],
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            form = ApiKeyForm()
    return render(
        request, "core/api_keys.html", {"form": form, "keys": queries.api_keys_for_admin(), "new_token": new_token}
    )


@allow(Role.ADMIN)
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=key_id)
    services.apikey_revoke(key=key, by=staff_user(request))
    messages.success(request, f"Key {key.prefix}… revoked; it stops working at once.")
    return redirect("core:api_keys")
