"""The HTTP API under /api/v1/: every app's Router, one error format, OpenAPI docs at /api/v1/docs.

Errors follow RFC 9457 (problem details): 422 lists each bad field with a JSON pointer.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from advocacy.core.errors import InvalidInput, NotAllowed, ServiceError
from advocacy.core.middleware import contains_nul
from advocacy.core.permissions import public


class StrictJsonParser(Parser):
    """Say what is wrong with a malformed body instead of a bare 'cannot parse'."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            body = json.loads(request.body)
        except json.JSONDecodeError as exc:
            raise HttpError(
                400, f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from exc
        except UnicodeDecodeError as exc:
            raise HttpError(400, "The request body is not valid JSON: it is not UTF-8 text.") from exc
        if contains_nul(body):
            raise HttpError(400, "The request body contains a NUL character (\\u0000), which no field accepts.")
        return body


PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
    "required": ["title", "status"],
}
ERROR_STATUSES = {
    "400": "The request cannot be read (malformed JSON, a NUL character).",
    "401": "No valid API key or session.",
    "403": "The role may not do this, or the record is not the caller's to change.",
    "404": "No such record, or not one the caller may see.",
    "409": "The request conflicts with the record's state, or an Idempotency-Key is reused.",
    "413": "The body or file is larger than the limit.",
    "422": "A field is invalid; `errors` lists each with a JSON pointer.",
    "429": "Over a limit; retry after `Retry-After` seconds.",
}


class AdvocacyAPI(NinjaAPI):
    """The API whose OpenAPI document lists the error answers every operation can give."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Status codes as strings, as OpenAPI writes them: an operation that declares a 422 of its
                # own (as the number 422) would otherwise get a second "422" key in the JSON, which Swagger
                # UI refuses ("duplicated mapping key"), showing no operation at all.
                responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, "content": problem_ref})
                operation["responses"] = responses
        return schema


api = AdvocacyAPI(
    title="Advocacy API",
    version="1",
    description=(
        "Authenticate with `Authorization: Bearer <api key>` (keys are made on the API keys page "
        "and carry one role) or a signed-in staff session. Every POST accepts an `Idempotency-Key` "
        "header. Errors are RFC 9457 problem details; 422 responses list each bad field with a "
        "JSON pointer."
    ),
    urls_namespace="api",
    parser=StrictJsonParser(),
    docs_decorator=public,
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


def pointer(loc: list[Any] | tuple[Any, ...]) -> str:
    """A JSON pointer into the request for one of pydantic's error locations."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file"}:
        source, rest = parts[0], parts[1:]
        # ninja nests the body under the parameter name; the client never saw that name.
        if source == "body" and rest and rest[0] in {"payload", "data", "body"}:
            rest = rest[1:]
        return f"/{source}/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in rest)
    return "/" + "/".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"pointer": pointer(e.get("loc", ())), "detail": str(e.get("msg", "invalid"))} for e in exc.errors]
    return problem(request, 422, "Invalid input", "Some fields are invalid; nothing was written.", errors)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    errors = [{"pointer": f"/body/{field}", "detail": message} for field, message in exc.errors.items()]
    return problem(request, 422, "Invalid input", "Some fields are invalid; nothing was written.", errors)


@api.exception_handler(NotAllowed)
def on_not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc))


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problem(request, 409, "Conflict", str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found", "No such record, or not one you may see.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, 401, "Unauthorized", "Send an API key as 'Authorization: Bearer …' or sign in.")


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def on_data_error(request: HttpRequest, exc: DataError | OverflowError) -> HttpResponse:
    # The last line of defence: a value the schema let through but the database cannot hold (a
    # number past its column's range, a time zone offset PostgreSQL cannot hold). Nothing is kept.
    # SQLite's driver refuses an integer past 64 bits itself, with OverflowError, before the database.
    if connection.in_atomic_block:
        transaction.set_rollback(True)
    return problem(
        request, 422, "Invalid input", "A value is out of the range the database can store; nothing was written."
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, HttpError):
        exc = exc.__cause__  # ninja wraps the parser's own, more specific, message
    titles = {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        413: "Too large",
    }
    return problem(request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc))


# Every sub-domain's Router, in the order the OpenAPI document lists them.
ROUTERS = (
    "advocacy.core.apikeys.api",
    "advocacy.customers.records.api",
    "advocacy.customers.importing.api",
    "advocacy.customers.privacy.api",
    "advocacy.feedback.surveys.api",
    "advocacy.feedback.answers.api",
    "advocacy.casework.cases.api",
    "advocacy.casework.appointments.api",
    "advocacy.casework.recommendations.api",
    "advocacy.casework.replies.api",
    "advocacy.advocates.scoring.api",
    "advocacy.advocates.hub.api",
    "advocacy.advocates.program.api",
    "advocacy.advocates.referrals.api",
    "advocacy.advocates.references.api",
    "advocacy.advocates.stories.api",
    "advocacy.outreach.webhooks.api",
    "advocacy.insights.attribution.api",
    "advocacy.insights.costs.api",
    "advocacy.insights.money.api",
    "advocacy.insights.roi.api",
    "advocacy.insights.holdout.api",
    "advocacy.listening.sources.api",
    "advocacy.listening.mentions.api",
    "advocacy.listening.alerts.api",
    "advocacy.insights.retention.api",
    "advocacy.insights.lifetime.api",
    "advocacy.insights.status.api",
)


def mount_routers() -> None:
    for module in ROUTERS:
        api.add_router("/", import_module(module).router)


mount_routers()
