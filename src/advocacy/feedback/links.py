"""The signed links a survey mails or shares, and reading them back.

An invitation's link carries its id, signed; a score link adds the score. Reading a link never
writes, so a mail scanner that fetches every link records nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from advocacy.core.errors import LinkRefused
from advocacy.core.links import absolute_url
from advocacy.feedback.models import Invitation, Survey

INVITATION_SALT = "advocacy.feedback.invitation"


SURVEY_LINK_SALT = "advocacy.feedback.survey-link"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=False)


def survey_link_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SURVEY_LINK_SALT)


def score_url(token: str, score: int) -> str:
    return absolute_url("feedback:answer", token=token, score=score)


def invitation_id_from_token(token: str) -> int:
    """The invitation a link names, by its signature alone: no query. A link that was not signed here,
    or was copied incompletely, is refused."""
    try:
        invitation_id = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature as exc:
        raise LinkRefused("This survey link is not valid. It may have been copied incompletely.", "invalid") from exc
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        raise LinkRefused("This survey link is not valid. It may have been copied incompletely.", "invalid")
    return invitation_id


def invitation_from_token(token: str) -> Invitation:
    invitation_id = invitation_id_from_token(token)
    invitation = Invitation.objects.select_related("survey", "customer", "wave").filter(pk=invitation_id).first()
    if invitation is None:
        raise LinkRefused("This survey is no longer available.", "gone")
    created = invitation.sent_at or invitation.created_at
    if timezone.now() - created > timedelta(days=invitation.survey.link_valid_days):
        raise LinkRefused("This survey has closed. Thank you for your time.", "expired")
    return invitation


def survey_from_link(token: str) -> Survey:
    try:
        survey_id = signing.loads(token, salt=SURVEY_LINK_SALT)
    except signing.BadSignature as exc:
        raise LinkRefused("This survey link is not valid.", "invalid") from exc
    survey = Survey.objects.filter(pk=survey_id, active=True).first()
    if survey is None:
        raise LinkRefused("This survey is closed.", "closed")
    return survey
