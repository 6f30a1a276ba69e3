"""Secrets and signatures of Standard Webhooks (the ``standardwebhooks`` package signs and verifies).

A secret is ``whsec_`` and 24 random bytes in base64. While a rotated-out secret is still valid, a
message carries one signature per secret, space-separated, so a receiver holding either verifies it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "new_msg_id", "new_secret", "signature_header", "verify"]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def signature_header(*, secrets_in_force: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    when = timestamp.astimezone(UTC)
    return " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=body) for secret in secrets_in_force)


def verify(*, secrets_in_force: list[str], body: bytes, headers: dict[str, str]) -> None:
    """Return when a secret in force signed ``body`` with these headers within the tolerance (5 minutes,
    either way); else raise WebhookVerificationError saying why."""
    error = WebhookVerificationError("no secret in force")
    for secret in secrets_in_force:
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
            return
        except WebhookVerificationError as exc:
            error = exc
        except ValueError as exc:  # a malformed signature header, or a body that is not UTF-8
            error = WebhookVerificationError(f"the signature or body is malformed ({exc})")
    raise error
