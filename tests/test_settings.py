"""Settings come from the environment, with safe production defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly `env` and print a few of them."""
    script = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.CACHES['default']['BACKEND'], "
        "settings.DATABASES['default']['ENGINE'], settings.SECURE_SSL_REDIRECT, settings.ALLOWED_HOSTS)"
    )
    clean_env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean_env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():
    result = _settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    debug, cache, engine, ssl_redirect, hosts = result.stdout.split(" ", 4)
    assert (debug, ssl_redirect, hosts.strip()) == ("False", "True", "[]")
    assert cache.endswith("LocMemCache")
    assert engine.endswith("sqlite3")


def test_development_mode_needs_no_configuration():
    result = _settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")
    assert "'127.0.0.1'" in result.stdout


def test_database_and_cache_come_from_urls():
    result = _settings(
        DEBUG="true",
        DATABASE_URL="postgres://user@db.example:5432/footnote",
        REDIS_URL="redis://cache:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout
    assert "django.db.backends.postgresql" in result.stdout


def test_deploy_checks_pass_with_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "footnote.example.org",
        "DATABASE_URL": "sqlite:////tmp/footnote-deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_admin_login_locks_out_after_repeated_wrong_passwords(client, settings, db):
    from django.urls import reverse

    from tests.factories import StaffFactory

    StaffFactory(username="target", password="the-right-password")
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "target", "password": "guess"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(login, {"username": "target", "password": "guess"}).status_code == 429
    locked = client.post(login, {"username": "target", "password": "the-right-password", "next": "/admin/"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out with it.
    StaffFactory(username="colleague", password="another-password")
    response = client.post(
        login, {"username": "colleague", "password": "another-password", "next": "/admin/"}
    )
    assert response.status_code == 302


def test_hsts_preload_is_off_unless_a_deployer_asks_for_it():
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "footnote.example.org",
    }
    script = (
        "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_SECONDS)"
    )
    for extra, expected in (({}, "False 31536000"), ({"SECURE_HSTS_PRELOAD": "true"}, "True 31536000")):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip().splitlines()[-1] == expected
