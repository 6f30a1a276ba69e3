"""Settings come from the environment and fail loudly; the `advocacy` command wraps Django's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ADVOCACY = [sys.executable, "-m", "advocacy"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "ADVOCACY_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update({"ADVOCACY_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run([*ADVOCACY, *args], capture_output=True, text=True, env=base, timeout=120, check=False)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], tmp_path, ADVOCACY_ENV="production", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when ADVOCACY_ENV=production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run(["check"], tmp_path, ADVOCACY_ENV="production", SECRET_KEY="x" * 40 + "abcdefghij1234567890")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        ADVOCACY_ENV="production",
        SECRET_KEY="k9" * 30 + "-Zq7",
        ALLOWED_HOSTS="advocacy.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_bad_setting_value_is_named(tmp_path):
    result = run(["check"], tmp_path, DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'perhaps'" in result.stderr


def test_a_development_secret_key_is_generated_once_and_kept(tmp_path):
    run(["check"], tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    run(["check"], tmp_path)
    assert key_file.read_text() == first and len(first) >= 50


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="uses its own SQLite file")
def test_the_advocacy_command_runs_djangos_commands(tmp_path):
    assert run(["migrate", "--no-input"], tmp_path).returncode == 0
    result = run(
        ["shell", "-c", "from advocacy.customers.models import Customer; print(Customer.objects.count())"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"
