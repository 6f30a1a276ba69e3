"""Survey pages for program managers, and the customer-facing answer pages behind signed links.

Mail scanners open every link in a mail. A GET here never writes: the score page records the score
with a POST it sends itself (and shows a button where scripts do not run).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import PORTAL_SESSION_KEY, allow, public, staff_user
from advocacy.core.roles import Role
from advocacy.customers.models import Customer
from advocacy.feedback.models import SCALES, Channel, Survey
from advocacy.feedback.surveys import queries, services
from advocacy.feedback.surveys.forms import CommentForm, FatiguePolicyForm, ScoreForm, SurveyCreateForm, SurveyForm

MANAGERS = (Role.ADMIN, Role.PROGRAM_MANAGER)


def form_errors(form: Any, exc: InvalidInput) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else ("audience_json" if field == "audience" else None), message)


@allow(*MANAGERS)
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            return redirect("feedback:survey_edit", survey_id=survey.pk)
    return render(request, "feedback/survey_list.html", {"surveys": queries.surveys_with_counts(), "form": form})


@allow(*MANAGERS)
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
            form_errors(form, exc)
        else:
            messages.success(request, "Survey saved.")
            return redirect("feedback:survey_detail", survey_id=survey.pk)
    return render(
        request,
        "feedback/survey_edit.html",
        {"survey": survey, "form": form, "preview": services.invitation_preview(survey)},
    )


@allow(*MANAGERS)
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    return render(request, "feedback/_preview.html", {"preview": services.invitation_preview(survey)})


@allow(*MANAGERS)
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
            "audience_size": services.audience(survey).count(),
            "share_url": services.absolute(
                reverse("feedback:web_survey", kwargs={"token": services.survey_link_token(survey)})
            ),
        },
    )


@allow(*MANAGERS)
@require_POST
def wave_open(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
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


@allow(*MANAGERS)
@require_http_methods(["GET", "POST"])
def fatigue_policy(request: HttpRequest) -> HttpResponse:
    form = FatiguePolicyForm(request.POST or None, instance=services.fatigue_policy())
    if request.method == "POST" and form.is_valid():
        services.fatigue_policy_update(by=staff_user(request), **form.cleaned_data)
        messages.success(request, "Contact policy saved; it applies to every ask from now on.")
        return redirect("feedback:fatigue_policy")
    return render(request, "feedback/fatigue_policy.html", {"form": form})


# Customer-facing pages behind signed links


def refused(request: HttpRequest, exc: services.TokenRefused) -> HttpResponse:
    return render(request, "feedback/link_refused.html", {"reason": exc.reason, "code": exc.code}, status=400)


@public
@csrf_exempt  # the signed token in the URL is the credential; there is no session to forge a request for
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str, score: int) -> HttpResponse:
    try:
        if request.method == "POST":
            services.answer_record(token=token, score=score)
            return redirect("feedback:comment", token=token)
        invitation = services.invitation_from_token(token)
        services.check_score(invitation.survey, score)
    except services.TokenRefused as exc:
        return refused(request, exc)
    except InvalidInput as exc:
        return render(
            request, "feedback/link_refused.html", {"reason": exc.errors["score"], "code": "score"}, status=400
        )
    return render(request, "feedback/answer.html", {"score": score, "survey": invitation.survey})


@public
@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, token: str) -> HttpResponse:
    try:
        response = services.response_for_token(token)
    except services.TokenRefused as exc:
        return refused(request, exc)
    form = CommentForm(request.POST or None, initial={"comment": response.comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_add(response=response, comment=form.cleaned_data["comment"])
        except services.TokenRefused as exc:
            return refused(request, exc)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            return render(request, "feedback/thanks.html", {"response": response})
    low, high = SCALES[response.survey.kind]
    scores = [
        {"score": s, "url": reverse("feedback:answer", kwargs={"token": token, "score": s})}
        for s in range(low, high + 1)
    ]
    return render(
        request,
        "feedback/comment.html",
        {"response": response, "form": form, "scores": scores, "survey": response.survey},
    )


@public
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without any session or token field
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            services.unsubscribe_customer(token=token)
            return render(request, "feedback/unsubscribed.html")
        services.unsubscribe_check(token=token)
    except services.TokenRefused as exc:
        return refused(request, exc)
    return render(request, "feedback/unsubscribe.html")


@public
@require_http_methods(["GET", "POST"])
def web_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The shareable link for web and in-app use; a signed-in portal customer's answer carries their name."""
    try:
        survey = services.survey_from_link(token)
    except services.TokenRefused as exc:
        return refused(request, exc)
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer_id = request.session.get(PORTAL_SESSION_KEY)
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        channel = Channel.IN_APP if request.GET.get("channel") == "in_app" else Channel.WEB
        try:
            services.web_response_create(
                survey_token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                customer=customer,
                channel=channel,
            )
        except InvalidInput as exc:
            form_errors(form, exc)
        except services.TokenRefused as exc:
            return refused(request, exc)
        else:
            return render(request, "feedback/thanks.html", {})
    low, high = SCALES[survey.kind]
    return render(
        request,
        "feedback/web_survey.html",
        {"survey": survey, "form": form, "question": services.survey_question(survey), "scores": range(low, high + 1)},
    )
