"""The program's switches and numbers: the referral landing URL, the attribution and return windows, the
referral points, each fraud rule's switch, the reference quota and rest period, the disclosure text and
the version of the programme terms. One row (``ProgramSettings``), changed only here, with an audit row.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from advocacy.advocates.models import ProgramSettings
from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User

SWITCHES = {"rule_self_referral", "rule_same_device", "rule_ip_burst", "rule_similar_email", "rule_first_time_friend"}
# field → (least, most): days and points are whole numbers in a range a person would mean.
NUMBERS = {
    "attribution_days": (1, 365),
    "return_window_days": (0, 365),
    "referrer_points": (0, 1_000_000),
    "friend_points": (0, 1_000_000),
    "ip_burst_per_week": (1, 10_000),
    "reference_quota_per_quarter": (0, 52),
    "reference_rest_days": (0, 365),
}
TEXTS = {"landing_url": 200, "disclosure_text": 300, "terms_version": 20}
FIELDS = SWITCHES | set(NUMBERS) | set(TEXTS)


def program_settings() -> ProgramSettings:
    found, _ = ProgramSettings.objects.get_or_create(id=1)
    return found


def number_error(name: str, value: Any) -> str:
    least, most = NUMBERS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        return f"a whole number from {least} to {most}"
    return ""


def text_error(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return "must not be empty"
    if len(value.strip()) > TEXTS[name]:
        return f"at most {TEXTS[name]} characters"
    if name == "landing_url" and (urlsplit(value.strip()).scheme not in {"http", "https"} or "." not in value):
        return "an http(s) address, e.g. https://shop.example/welcome"
    return ""


def check_program_settings(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {name: "no such setting" for name in sorted(set(fields) - FIELDS)}
    for name, value in fields.items():
        if name in SWITCHES and not isinstance(value, bool):
            errors[name] = "on or off (true or false)"
        elif name in NUMBERS and number_error(name, value):
            errors[name] = number_error(name, value)
        elif name in TEXTS and text_error(name, value):
            errors[name] = text_error(name, value)
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def program_settings_update(*, by: User | None, **fields: Any) -> ProgramSettings:
    """Change some settings; what changed (before → after) goes to the audit log, as switching a fraud
    rule off is a decision someone has to be able to account for."""
    check_program_settings(fields)
    row = ProgramSettings.objects.select_for_update().get(pk=program_settings().pk)
    changed = {}
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(row, name) != value:
            changed[name] = [getattr(row, name), value]
            setattr(row, name, value)
    if changed:
        row.save(update_fields=sorted(changed))
        events.audit(actor=by, verb="program_settings.updated", obj=row, data={"changed": changed})
    return row
