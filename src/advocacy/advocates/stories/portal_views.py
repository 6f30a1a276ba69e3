"""Stories in the portal: the advocate tells one, with the consent that comes with it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.advocates.hub.portal_views import not_a_member, own_advocate
from advocacy.advocates.stories import queries
from advocacy.advocates.stories import services as stories
from advocacy.advocates.stories.forms import StoryForm
from advocacy.core.errors import InvalidInput
from advocacy.core.permissions import allow
from advocacy.core.roles import Role


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def story_page(request: HttpRequest) -> HttpResponse:
    """Submit a story with its consent (where, named or not, until when), and see my stories."""
    advocate = own_advocate(request)
    if advocate is None:
        return not_a_member(request)
    form = StoryForm(request.POST or None, advocate_id=advocate.pk)
    if request.method == "POST" and form.is_valid():
        try:
            stories.story_submit(advocate=advocate, **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Thank you for your story. We will let you know before it goes anywhere.")
            return redirect("hub:stories")
    return render(
        request,
        "advocates/program_portal/stories.html",
        {"form": form, "stories": queries.stories_of(advocate)},
    )
