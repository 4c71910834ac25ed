"""Production settings: `jicai check --deploy` is clean with the environment of docs/deploy.md."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

JICAI = [sys.executable, "-m", "django"]


def _check(tmp_path: Path, **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="jicai.example.cn",
        CSRF_TRUSTED_ORIGINS="https://jicai.example.cn",
        JICAI_VAR=str(tmp_path),
    )
    env.update(overrides)
    return subprocess.run(
        [*JICAI, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = _check(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"SECRET_KEY": "short-key"}, "security.W009"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_check_deploy_catches_a_weak_setting(tmp_path, overrides, check_id):
    result = _check(tmp_path, **overrides)
    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _check(tmp_path, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
