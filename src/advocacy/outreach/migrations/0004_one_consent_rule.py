"""Data for the one consent rule (customers/consent.py).

- An unsubscribe now withdraws marketing as well as surveys; customers who unsubscribed before get the
  marketing withdrawal they would get today, dated as their unsubscribe, so nothing they refused
  reaches them under the new rule.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

UNSUBSCRIBE = "unsubscribe link"


def unsubscribe_withdraws_marketing(apps, schema_editor):
    Consent = apps.get_model("customers", "Consent")

    def latest(purpose):
        rows = Consent.objects.filter(customer=OuterRef("customer_id"), purpose=purpose).order_by("-recorded_at", "-id")
        return Subquery(rows.values("granted")[:1])

    unsubscribed = (
        Consent.objects.filter(purpose="surveys", granted=False, source=UNSUBSCRIBE)
        .annotate(surveys_now=latest("surveys"), marketing_now=latest("marketing"))
        .filter(surveys_now=False)
        .exclude(marketing_now=False)
    )
    Consent.objects.bulk_create(
        [
            Consent(
                customer_id=row.customer_id,
                purpose="marketing",
                granted=False,
                source=UNSUBSCRIBE,
                recorded_at=row.recorded_at,
                note="the unsubscribe link now stops every ask (migration outreach 0004)",
            )
            for row in unsubscribed
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_ask_kinds"), ("customers", "0001_initial")]

    operations = [
        migrations.RunPython(unsubscribe_withdraws_marketing, migrations.RunPython.noop),
    ]
