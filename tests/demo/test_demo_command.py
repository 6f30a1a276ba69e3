"""``advocacy demo --no-serve``: migrates, generates once, prints how to sign in."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from advocacy.customers.models import Customer


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_generates_the_company_and_prints_the_sign_ins(tmp_path: Path) -> None:
    manifest = tmp_path / "demo-manifest.json"
    output = run_demo("--customers", "300", "--no-serve", "--manifest", str(manifest))
    assert Customer.objects.count() == 300
    assert manifest.exists()
    assert "advocacy-demo" in output
    assert "http://127.0.0.1:8000/sign-in/" in output
    assert "/portal/sign-in/" in output
    for username in ("admin", "pm", "advocate", "head", "sales", "analyst"):
        assert f" {username} " in output


@pytest.mark.django_db
def test_running_demo_again_keeps_the_company_and_reset_makes_a_new_one(tmp_path: Path) -> None:
    manifest = str(tmp_path / "demo-manifest.json")
    run_demo("--customers", "40", "--no-serve", "--manifest", manifest)
    output = run_demo("--customers", "80", "--no-serve", "--manifest", manifest)
    assert "keeping them" in output
    assert Customer.objects.count() == 40
    run_demo("--customers", "80", "--no-serve", "--reset", "--manifest", manifest)
    assert Customer.objects.count() == 80
