"""``Idempotency-Key`` for every POST under /api/: the same key and body replays the first answer,
the same key with another body is a 409, and a request still in flight is a 409 too.

It is middleware so that no endpoint can forget it. The record is claimed with an INSERT that the
unique constraint guards, so two simultaneous requests with one key cannot both run. A claim that
never got its answer (the process died mid-request) holds for ``IDEMPOTENCY_LEASE_SECONDS``, longer
than the enforced request timeout; after that a retry with the same request takes it over and runs.
An answer larger than ``IDEMPOTENCY_MAX_BODY_BYTES`` is not kept: a replay says so with its status.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from advocacy.core.apikeys.services import apikey_from_token, hash_secret
from advocacy.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255


def problem(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


def request_principal(request: HttpRequest) -> str | None:
    """Who the key belongs to; a key is only ever matched against the same caller's records."""
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
        return f"key:{hash_secret(token)}" if apikey_from_token(token) else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b"\0" + request.get_full_path().encode() + b"\0")
    if request.content_type == "multipart/form-data":
        # Uploads may be far larger than Django lets request.body hold: hash the parsed parts,
        # files chunk by chunk (Django keeps the parsed form, so the endpoint reads it again free).
        for name, value in sorted(request.POST.items()):
            digest.update(f"{name}={value}\0".encode())
        for name, upload in sorted(request.FILES.items()):
            assert isinstance(upload, UploadedFile)
            digest.update(f"{name}:{upload.name}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return problem(
                422, "Invalid Idempotency-Key", f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters."
            )
        principal = request_principal(request)
        if principal is None:
            return self.get_response(request)  # unauthenticated: the endpoint answers 401
        return self.run_once(request, principal, key)

    def run_once(self, request: HttpRequest, principal: str, key: str) -> HttpResponse:
        print_ = fingerprint(request)
        now = timezone.now()
        expired_before = now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
        IdempotencyRecord.objects.filter(principal=principal, key=key, created_at__lt=expired_before).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(principal=principal, key=key, fingerprint=print_)
        except IntegrityError:
            taken = self.take_over(principal, key, print_, now)
            if taken is None:
                return self.replay(principal, key, print_)
            record = taken
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            record.delete()  # let the client retry a failure
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        if len(response.content) > settings.IDEMPOTENCY_MAX_BODY_BYTES:
            record.body, record.body_omitted = b"", len(response.content)
        else:
            record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body", "body_omitted"])
        return response

    def take_over(self, principal: str, key: str, print_: str, now: datetime) -> IdempotencyRecord | None:
        """The same request again after the first one's lease ran out without an answer: it runs now."""
        lease_start = now - timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
        taken = IdempotencyRecord.objects.filter(
            principal=principal, key=key, fingerprint=print_, status_code__isnull=True, created_at__lt=lease_start
        ).update(created_at=now)
        return IdempotencyRecord.objects.filter(principal=principal, key=key).first() if taken else None

    def replay(self, principal: str, key: str, print_: str) -> HttpResponse:
        record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if record is None:
            return problem(409, "Idempotency-Key conflict", "Retry: the earlier request with this key just failed.")
        if record.fingerprint != print_:
            return problem(
                409,
                "Idempotency-Key reused",
                "This Idempotency-Key was already used with a different request body or path.",
            )
        response: HttpResponse
        if record.status_code is None:
            lease_end = record.created_at + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
            wait = max(1, int((lease_end - timezone.now()).total_seconds()) + 1)
            response = problem(
                409,
                "Request in progress",
                f"A request with this Idempotency-Key is still running. If it never answers, "
                f"the same request may run again in {wait} s.",
            )
            response["Retry-After"] = str(wait)
            return response
        if record.body_omitted:
            body = {
                "replayed": True,
                "status": record.status_code,
                "detail": (
                    f"The first answer to this Idempotency-Key was {record.body_omitted:,} bytes, over the "
                    f"{settings.IDEMPOTENCY_MAX_BODY_BYTES:,} bytes kept for replays. The request was not run again."
                ),
            }
            response = HttpResponse(json.dumps(body), status=record.status_code, content_type="application/json")
        else:
            response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
        response["Idempotent-Replayed"] = "true"
        return response


def idempotency_records_prune() -> int:
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=expired_before).delete()
    return deleted
