"""The spike alert mail to the program team, with a link to each alert's mentions."""

from __future__ import annotations

from django.utils import timezone

from advocacy.core.links import absolute_url
from advocacy.core.models import User
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.listening.alerts.services import mark_mailed
from advocacy.listening.models import Alert
from advocacy.outreach.mail.services import mail_queue


def alerts_mail(alert_ids: list[int]) -> int:
    """One mail per program-team member listing the new alerts; keyed so a rerun sends nothing twice."""
    alerts = list(Alert.objects.filter(pk__in=alert_ids, mailed_at__isnull=True).select_related("query"))
    if not alerts:
        return 0
    lines = [
        f"- {a.get_kind_display()} for {a.query.name} on {a.day}: {a.observed:.2f} against a usual "
        f"{a.baseline:.2f} (score {a.score:.1f}, {a.mentions_count} mentions)\n"
        f"  {absolute_url('listening:alert_detail', alert_id=a.pk)}"
        for a in alerts
    ]
    sent = 0
    for user in User.objects.filter(role__in=PROGRAM_TEAM, is_active=True).exclude(email=""):
        mail_queue(
            key=f"listening-alerts:{user.pk}:{min(alert_ids)}-{max(alert_ids)}",
            to=user.email,
            subject=f"Listening: {len(alerts)} spike alert{'s' if len(alerts) != 1 else ''}",
            text="Mentions stood out from their usual level:\n\n" + "\n".join(lines) + "\n",
        )
        sent += 1
    mark_mailed([a.pk for a in alerts], timezone.now())
    return sent
