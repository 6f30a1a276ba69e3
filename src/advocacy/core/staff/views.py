"""Sign-in, sign-out and the staff home page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.core.home import sections_for
from advocacy.core.permissions import public, redirect_home, staff_only, staff_user
from advocacy.core.staff import services


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
    return render(request, "core/home.html", {"sections": sections_for(staff_user(request))})
