"""Survey pages for the program team: the list, the editor with its mail preview, waves, the contact policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.links import absolute_url
from advocacy.core.pages import form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.feedback.links import survey_link_token
from advocacy.feedback.models import Survey
from advocacy.feedback.surveys import queries, services
from advocacy.feedback.surveys.forms import FatiguePolicyForm, SurveyCreateForm, SurveyForm
from advocacy.feedback.surveys.mail import invitation_preview
from advocacy.outreach.budget import queries as budget
from advocacy.outreach.budget.services import fatigue_policy_update


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc, {"audience": "audience_json"})
        else:
            return redirect("feedback:survey_edit", survey_id=survey.pk)
    return render(request, "feedback/survey_list.html", {"surveys": queries.surveys_with_counts(), "form": form})


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    form = SurveyForm(request.POST or None, instance=Survey.objects.get(pk=survey_id))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SurveyForm.Meta.fields}
        fields["audience"] = form.cleaned_data["audience_json"]
        try:
            services.survey_update(survey=survey, by=staff_user(request), **fields)
        except InvalidInput as exc:
            form_errors(form, exc, {"audience": "audience_json"})
        else:
            messages.success(request, "Survey saved.")
            return redirect("feedback:survey_detail", survey_id=survey.pk)
    return render(
        request,
        "feedback/survey_edit.html",
        {"survey": survey, "form": form, "preview": invitation_preview(survey)},
    )


@allow(*PROGRAM_TEAM)
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    return render(request, "feedback/_preview.html", {"preview": invitation_preview(survey)})


@allow(*PROGRAM_TEAM)
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    status = request.GET.get("status", "")
    return render(
        request,
        "feedback/survey_detail.html",
        {
            "survey": survey,
            "distribution": queries.distribution_status(survey),
            "waves": queries.waves_of(survey),
            "invitations": queries.recent_invitations(survey, status=status),
            "status": status,
            "audience_size": queries.audience(survey).count(),
            "share_url": absolute_url("feedback:web_survey", token=survey_link_token(survey)),
        },
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def wave_open(request: HttpRequest, survey_id: int) -> HttpResponse:
    """A wave mails many customers at once: the GET says how many, and only a POST that confirms that
    same count opens it (if the audience changed meanwhile, the new count is shown to confirm)."""
    survey = get_object_or_404(Survey, pk=survey_id)
    audience = queries.audience(survey).count()
    if request.method == "GET" or request.POST.get("audience") != str(audience):
        return render(request, "feedback/wave_confirm.html", {"survey": survey, "audience": audience})
    try:
        opened = services.wave_open(survey=survey, by=staff_user(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Wave {opened.wave.number} opened: {opened.queued} invitations are being sent, "
            f"{opened.held} held back (reasons below).",
        )
    return redirect("feedback:survey_detail", survey_id=survey.pk)


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def fatigue_policy(request: HttpRequest) -> HttpResponse:
    form = FatiguePolicyForm(request.POST or None, instance=budget.fatigue_policy())
    if request.method == "POST" and form.is_valid():
        fatigue_policy_update(by=staff_user(request), **form.cleaned_data)
        messages.success(request, "Contact policy saved; it applies to every ask from now on.")
        return redirect("feedback:fatigue_policy")
    return render(request, "feedback/fatigue_policy.html", {"form": form})
