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
