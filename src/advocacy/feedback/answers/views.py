"""The customer-facing answer pages behind signed links: a score, a comment, the shareable web survey.

Mail scanners open every link in a mail, some in a headless browser that runs the page's scripts. A GET
here never writes, and no page submits itself: the score page shows the chosen score with one button,
and only that button's POST (a person's click) records it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advocacy.core import limits
from advocacy.core.errors import InvalidInput, LinkRefused
from advocacy.core.pages import form_errors
from advocacy.core.permissions import PORTAL_SESSION_KEY, public
from advocacy.customers.models import Customer
from advocacy.feedback.answers import queries, services
from advocacy.feedback.answers.forms import CommentForm, ScoreForm
from advocacy.feedback.links import invitation_from_token, survey_from_link
from advocacy.feedback.models import SCALES, Channel
from advocacy.feedback.surveys.mail import survey_question

ANSWERED_COOKIE = "adv_answered_"
ANSWERED_COOKIE_AGE = 365 * 24 * 3600


def refused(request: HttpRequest, exc: LinkRefused) -> HttpResponse:
    return render(request, "core/link_refused.html", {"reason": exc.reason, "code": exc.code}, status=400)


@public
@csrf_exempt  # the signed token in the URL is the credential; there is no session to forge a request for
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str, score: int) -> HttpResponse:
    wait = limits.over(request, [(limits.ANSWERS_PER_IP, limits.client_ip(request))])
    if wait is not None:
        return limits.too_many(request, wait)
    try:
        if request.method == "POST":
            services.answer_record(token=token, score=score)
            return redirect("feedback:comment", token=token)
        invitation = invitation_from_token(token)
        services.check_score(invitation.survey, score)
    except LinkRefused as exc:
        return refused(request, exc)
    except InvalidInput as exc:
        return render(request, "core/link_refused.html", {"reason": exc.errors["score"], "code": "score"}, status=400)
    return render(request, "feedback/answer.html", {"score": score, "survey": invitation.survey})


@public
@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, token: str) -> HttpResponse:
    try:
        response = queries.response_for_token(token)
    except LinkRefused as exc:
        return refused(request, exc)
    form = CommentForm(request.POST or None, initial={"comment": response.comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_add(response=response, comment=form.cleaned_data["comment"])
        except LinkRefused as exc:
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
@require_http_methods(["GET", "POST"])
def web_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The shareable link for web and in-app use; a signed-in portal customer's answer carries their name.

    One answer per browser (a signed cookie says this browser answered), a ceiling per IP (429), and an
    answer from a network that answered this survey already in the window is kept but flagged as a
    likely duplicate, shown as such and left out of the scores.
    """
    try:
        survey = survey_from_link(token)
    except LinkRefused as exc:
        return refused(request, exc)
    answered_cookie = f"{ANSWERED_COOKIE}{survey.pk}"
    if request.get_signed_cookie(answered_cookie, default=None, salt=ANSWERED_COOKIE) is not None:
        return render(request, "feedback/thanks.html", {"already": True})
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = limits.client_ip(request)
        wait = limits.over(request, [(limits.WEB_SURVEY_ANSWERS_PER_IP, ip)])
        if wait is not None:
            return limits.too_many(request, wait)
        customer_id = request.session.get(PORTAL_SESSION_KEY)
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        channel = Channel.IN_APP if request.GET.get("channel") == "in_app" else Channel.WEB
        repeat = limits.over(request, [(limits.WEB_SURVEY_ANSWERS_PER_SURVEY_AND_IP, f"{survey.pk}\n{ip}")])
        try:
            services.web_response_create(
                survey_token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                customer=customer,
                channel=channel,
                duplicate=repeat is not None,
            )
        except InvalidInput as exc:
            form_errors(form, exc)
        except LinkRefused as exc:
            return refused(request, exc)
        else:
            response = render(request, "feedback/thanks.html", {})
            response.set_signed_cookie(
                answered_cookie,
                "1",
                salt=ANSWERED_COOKIE,
                max_age=ANSWERED_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    low, high = SCALES[survey.kind]
    return render(
        request,
        "feedback/web_survey.html",
        {"survey": survey, "form": form, "question": survey_question(survey), "scores": range(low, high + 1)},
    )
