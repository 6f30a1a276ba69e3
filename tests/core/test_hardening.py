"""Browser hardening on every response: a strict Content-Security-Policy with a per-page nonce, a
Permissions-Policy, and no DEBUG in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.core.test_settings_and_cli import run

SRC = Path(__file__).resolve().parents[2] / "src" / "advocacy"
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_a_page_allows_only_its_own_scripts_and_only_with_its_nonce(client_as):
    response = client_as("analyst").get("/nps/")
    directives = policy(response)

    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    assert nonce is not None and "'unsafe-inline'" not in directives["script-src"]
    tags = SCRIPT_TAG.findall(response.content.decode())
    assert tags and all(f'nonce="{nonce.group(1)}"' in tag for tag in tags if "application/json" not in tag)
    assert directives["object-src"] == "object-src 'none'" and directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_each_page_gets_a_fresh_nonce_and_the_api_gets_the_headers_too(client_as):
    analyst = client_as("analyst")
    first, second = (policy(analyst.get("/nps/"))["script-src"] for _ in range(2))
    assert first != second

    api = analyst.get("/api/v1/me")
    assert "Content-Security-Policy" in api.headers and "Permissions-Policy" in api.headers


def test_every_script_tag_in_every_template_carries_the_nonce():
    missing = [
        f"{path.relative_to(SRC)}: {tag}"
        for path in SRC.rglob("templates/**/*.html")
        for tag in SCRIPT_TAG.findall(path.read_text())
        if "nonce=" not in tag and "application/json" not in tag
    ]
    assert missing == []


def test_production_refuses_debug(tmp_path):
    result = run(
        ["check"],
        tmp_path,
        ADVOCACY_ENV="production",
        DEBUG="true",
        SECRET_KEY="k9" * 30 + "-Zq7",
        ALLOWED_HOSTS="advocacy.example.com",
    )
    assert result.returncode != 0
    assert "DEBUG must be false when ADVOCACY_ENV=production" in result.stderr


@pytest.mark.django_db
def test_sign_ins_and_reads_of_personal_data_are_audited(client, client_as, staff):
    from advocacy.core.models import AuditEvent
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    client.post("/sign-in/", {"username": "pat", "password": "pw-for-tests-only"})
    analyst = client_as("analyst")
    analyst.get(f"/customers/{customer.pk}/")
    analyst.get("/nps/responses.csv")

    trail = set(AuditEvent.objects.values_list("actor_label", "verb", "object_id"))
    assert ("pat", "signin.succeeded", str(staff["program_manager"].pk)) in trail
    assert ("ana", "customer_360.read", str(customer.pk)) in trail
    assert any(verb == "responses_csv.read" for _, verb, _ in trail)
