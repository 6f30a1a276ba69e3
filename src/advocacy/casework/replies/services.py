"""Reply templates: saved answers a customer advocate starts an update from.

Placeholders are filled from a fixed list of the case's facts, never by ``str.format`` (which would
let a template read any attribute of the objects it is given).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction

from advocacy.casework.models import Case, ReplyTemplate
from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User

PLACEHOLDERS = ("customer_first_name", "advocate_name", "case_number", "case_subject", "company")
PLACEHOLDER_HELP = "Placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + "."
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholder_values(case: Case) -> dict[str, str]:
    return {
        "customer_first_name": case.customer.first_name or case.customer.full_name or "there",
        "advocate_name": case.owner.display_name,
        "case_number": f"#{case.pk}",
        "case_subject": case.subject,
        "company": settings.COMPANY_NAME,
    }


def reply_fill(template: ReplyTemplate, case: Case) -> str:
    """The template's text for this case; an unknown placeholder is left as written."""
    values = placeholder_values(case)
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def check_body(body: str) -> None:
    unknown = unknown_placeholders(body)
    if unknown:
        raise InvalidInput(
            {"body": f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}; {PLACEHOLDER_HELP}"}
        )


def check_name_free(name: str, template: ReplyTemplate | None = None) -> None:
    taken = ReplyTemplate.objects.filter(name__iexact=name)
    if template is not None:
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        raise InvalidInput({"name": f"another template is called {name!r}"})


@transaction.atomic
def reply_template_create(*, by: User, name: str, body: str, active: bool = True) -> ReplyTemplate:
    name, body = name.strip(), body.strip()
    if not name or not body:
        raise InvalidInput({k: f"{k} is required" for k, v in (("name", name), ("body", body)) if not v})
    check_body(body)
    check_name_free(name)
    template = ReplyTemplate.objects.create(name=name, body=body, active=active, updated_by=by)
    events.audit(actor=by, verb="reply_template.created", obj=template)
    return template


@transaction.atomic
def reply_template_update(*, template: ReplyTemplate, by: User, **fields: Any) -> ReplyTemplate:
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        if not fields["name"]:
            raise InvalidInput({"name": "name is required"})
        check_name_free(fields["name"], template)
    if "body" in fields:
        fields["body"] = fields["body"].strip()
        if not fields["body"]:
            raise InvalidInput({"body": "body is required"})
        check_body(fields["body"])
    for field, value in fields.items():
        setattr(template, field, value)
    template.updated_by = by
    template.save()
    events.audit(actor=by, verb="reply_template.updated", obj=template, data={"fields": sorted(fields)})
    return template
