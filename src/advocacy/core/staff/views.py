"""Sign-in, sign-out and the staff home page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from advocacy.core import limits
from advocacy.core.home import sections_for
from advocacy.core.permissions import public, redirect_home, staff_only, staff_user
from advocacy.core.staff import services


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, refusing further guesses after repeated failures.

    Failures count per (username, IP) and per IP, never per username alone: a stranger who guesses at a
    colleague's name locks out only their own address, and an address that tries many names is stopped.
    Names are compared NFKC + casefold (as Django's form reads them, and more), so another spelling of a
    locked name gets no fresh budget.
    """

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def budgets(self) -> list[tuple[limits.Limit, str]]:
        ip = limits.client_ip(self.request)
        username = limits.normalized(self.request.POST.get("username", ""))
        return [(limits.SIGNIN_FAILURES_PER_USER_AND_IP, f"{username}\n{ip}"), (limits.SIGNIN_FAILURES_PER_IP, ip)]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = limits.over(request, self.budgets(), count=False)
        if wait is not None:
            # An unbound form: the password is not even checked while the budget is spent.
            context = self.get_context_data(form=self.form_class(request), throttled=True, wait=limits.wait_words(wait))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.signin_record_success(user=form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        limits.over(self.request, self.budgets())
        services.signin_record_failure(username=self.request.POST.get("username", ""))
        return super().form_invalid(form)


login = public(ThrottledLoginView.as_view())
logout = public(auth_views.LogoutView.as_view())


@public
def root(request: HttpRequest) -> HttpResponse:
    return redirect_home(request)


@public
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (Django's admin): the product's icon."""
    return HttpResponsePermanentRedirect(static("advocacy/icon.svg"))


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": sections_for(staff_user(request))})
