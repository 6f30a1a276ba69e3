"""What a survey mails: the invitation with one link per score, rendered from the survey's own templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template

from advocacy.customers.models import Customer
from advocacy.feedback.links import invitation_token, score_url
from advocacy.feedback.models import SCALES, Invitation, Survey, SurveyKind
from advocacy.outreach.mail.services import customer_message
from advocacy.outreach.unsubscribe.services import unsubscribe_url

DEFAULT_EMAIL_TEXT = """Hello {{ first_name|default:"there" }},

{{ question }}

{% for link in score_links %}{{ link.score }}: {{ link.url }}
{% endfor %}
{{ scale_min }} = {{ low_label }}, {{ scale_max }} = {{ high_label }}.
Choose a number, then press "Record my score" on the page that opens; you can add a comment next.

Unsubscribe from surveys: {{ unsubscribe_url }}
"""


DEFAULT_EMAIL_HTML = """<p>Hello {{ first_name|default:"there" }},</p>
<p><strong>{{ question }}</strong></p>
<table role="presentation" style="border-collapse:collapse"><tr>
{% for link in score_links %}<td style="padding:2px"><a href="{{ link.url }}"
 style="display:inline-block;min-width:28px;padding:8px 6px;border:1px solid #99a;border-radius:4px;
 text-align:center;text-decoration:none;color:#123">{{ link.score }}</a></td>{% endfor %}
</tr></table>
<p style="color:#555;font-size:12px">{{ scale_min }} = {{ low_label }}, {{ scale_max }} = {{ high_label }}.
Choose a number, then press “Record my score” on the page that opens.</p>
<p style="color:#555;font-size:12px"><a href="{{ unsubscribe_url }}">Unsubscribe from surveys</a></p>
"""


SCALE_LABELS = {
    SurveyKind.NPS: ("not at all likely", "extremely likely"),
    SurveyKind.CSAT: ("very dissatisfied", "very satisfied"),
    SurveyKind.CES: ("strongly disagree", "strongly agree"),
}


def survey_question(survey: Survey) -> str:
    return Template(survey.question).render(Context({"company": settings.COMPANY_NAME}))


def email_context(invitation: Invitation, token: str | None) -> dict[str, Any]:
    """What the survey's templates may use; without a token (a preview) the links lead nowhere."""
    survey, customer = invitation.survey, invitation.customer
    low, high = SCALES[survey.kind]
    low_label, high_label = SCALE_LABELS[SurveyKind(survey.kind)]
    company = {"company": settings.COMPANY_NAME}
    return {
        **company,
        "first_name": customer.first_name,
        "question": Template(survey.question).render(Context(company)),
        "score_links": [
            {"score": s, "url": score_url(token, s) if token else f"#score-{s}"} for s in range(low, high + 1)
        ],
        "scale_min": low,
        "scale_max": high,
        "low_label": low_label,
        "high_label": high_label,
        "unsubscribe_url": unsubscribe_url(customer) if token else "#unsubscribe",
    }


def invitation_email(invitation: Invitation, *, preview: bool = False) -> EmailMultiAlternatives:
    token = None if preview else invitation_token(invitation)
    values = email_context(invitation, token)
    context, plain = Context(values), Context(values, autoescape=False)  # text parts are not HTML
    survey = invitation.survey
    return customer_message(
        customer=invitation.customer,
        subject=Template(survey.email_subject).render(plain),
        text=Template(survey.email_text).render(plain),
        html=Template(survey.email_html).render(context),
    )


def invitation_preview(survey: Survey) -> dict[str, str]:
    """The mail as a sample customer would get it; renders only, writes nothing."""
    sample = Customer(pk=0, email="sample.customer@example.com", first_name="Sam", last_name="Sample")
    invitation = Invitation(pk=0, survey=survey, customer=sample)
    message = invitation_email(invitation, preview=True)  # its links lead nowhere: a preview answers nothing
    html = next((content for content, mime in message.alternatives if mime == "text/html"), "")
    return {
        "subject": str(message.subject),
        "text": str(message.body),
        "html": str(html),
        "list_unsubscribe": message.extra_headers["List-Unsubscribe"],
    }
