"""Pages for reply templates: the program team keeps them; customer advocates use them on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.casework.models import ReplyTemplate
from advocacy.casework.replies import queries, services
from advocacy.casework.replies.forms import ReplyTemplateForm
from advocacy.core.errors import InvalidInput
from advocacy.core.pages import form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def reply_templates(request: HttpRequest) -> HttpResponse:
    form = ReplyTemplateForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.reply_template_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"Template “{template.name}” saved; customer advocates see it on every open case."
            )
            return redirect("casework:reply_templates")
    status = 422 if form.errors else 200
    return render(
        request, "casework/replies/list.html", {"form": form, "templates": queries.templates_all()}, status=status
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def reply_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(ReplyTemplate, pk=template_id)
    form = ReplyTemplateForm(request.POST or None, instance=ReplyTemplate.objects.get(pk=template.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_template_update(template=template, by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect("casework:reply_templates")
    status = 422 if form.errors else 200
    return render(request, "casework/replies/edit.html", {"form": form, "template": template}, status=status)
