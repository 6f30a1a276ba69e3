"""Sign-in, sign-out, the staff home page and API key management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core import queries, services
from advocacy.core.errors import InvalidInput
from advocacy.core.forms import ApiKeyForm
from advocacy.core.models import ApiKey
from advocacy.core.permissions import allow, public, redirect_home, staff_only, staff_user
from advocacy.core.roles import Role
from advocacy.customers.records import queries as customer_queries


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, refusing further guesses at a username after repeated failures."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if not services.signin_allowed(username=username):
            # An unbound form: the password is not even checked while the username is locked.
            context = self.get_context_data(form=self.form_class(request), throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        services.signin_record_failure(username=self.request.POST.get("username", ""))
        return super().form_invalid(form)


login = public(ThrottledLoginView.as_view())
logout = public(auth_views.LogoutView.as_view())


@public
def root(request: HttpRequest) -> HttpResponse:
    return redirect_home(request)


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"stats": customer_queries.headline_counts()})


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.apikey_create(
                name=form.cleaned_data["name"], role=form.cleaned_data["role"], by=staff_user(request)
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
