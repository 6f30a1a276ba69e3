"""The API's own endpoint: who the caller is (which key or session, which role)."""

from django.http import HttpRequest
from ninja import Router, Schema

from advocacy.core.api.auth import api_auth
from advocacy.core.roles import STAFF_ROLES

router = Router(tags=["me"])


class MeOut(Schema):
    role: str
    kind: str
    name: str
    acts_as: str


@router.get("/me", response=MeOut, auth=api_auth(*STAFF_ROLES), summary="Who the caller is")
def me(request: HttpRequest) -> MeOut:
    principal = request.auth  # type: ignore[attr-defined]
    if hasattr(principal, "prefix"):
        return MeOut(role=principal.role, kind="api_key", name=principal.name, acts_as=principal.acts_as.username)
    return MeOut(role=principal.role, kind="session", name=principal.username, acts_as=principal.username)
