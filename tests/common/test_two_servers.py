"""Two app servers behind a load balancer: a spreadsheet previewed on one and confirmed on the other;
public pages cached in one Redis, where a change made anywhere shows on both at the next request.

Two gunicorn processes share the test database but not a temporary folder: each has its own TMPDIR,
so a file kept in one server's /tmp could not be confirmed on the other.
"""

import datetime
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import connection
from django.utils import timezone

from articles.models import Article, Source
from common.models import ImportJob
from tests.factories import ArticleFactory, SuperuserFactory

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmpdir: Path, **settings_env: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    tmpdir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TMPDIR": str(tmpdir),
        "DEBUG": "true",
        **settings_env,
    }
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.values[attrs["name"]] = attrs.get("value", "")


def _inputs(html: bytes) -> dict:
    reader = _Inputs()
    reader.feed(html.decode())
    return reader.values


class _Browser:
    """Cookies and CSRF tokens, carried from one server to the other like one browser behind a balancer."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def get(self, url):
        with self.opener.open(url) as response:
            return response.read()

    def post(self, url, fields: dict, files: dict | None = None):
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": content_type, "Referer": url}
        )
        try:
            with self.opener.open(request) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as redirect:
            return redirect.code, redirect.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _signed_in(server: str) -> _Browser:
    editor = SuperuserFactory(username="balanced")
    editor.set_password("a long test password")
    editor.save()
    browser = _Browser()
    login = _inputs(browser.get(f"{server}/admin/login/"))
    status, _ = browser.post(
        f"{server}/admin/login/",
        {**login, "username": "balanced", "password": "a long test password", "next": "/admin/"},
    )
    assert status == 302
    return browser


@pytest.fixture
def two_servers(tmp_path):
    servers = [_serve(tmp_path / "server-a"), _serve(tmp_path / "server-b")]
    yield [url for _, url in servers]
    for process, _ in servers:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_file_previewed_on_one_server_is_imported_by_a_confirm_on_another(two_servers):
    first, second = two_servers
    browser = _signed_in(first)

    form = _inputs(browser.get(f"{first}/admin/articles/source/import/"))
    csv = b"key,url,title\nbalanced,https://example.org/balanced,Behind a balancer\n"
    status, preview = browser.post(
        f"{first}/admin/articles/source/import/",
        {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"], "format": "0"},
        files={"import_file": ("sources.csv", csv)},
    )
    assert status == 200
    confirm = _inputs(preview)
    assert ImportJob.objects.filter(pk=confirm["import_file_name"]).exists()

    status, _ = browser.post(f"{second}/admin/articles/source/process_import/", confirm)

    assert status == 302
    assert Source.objects.get(key="balanced").title == "Behind a balancer"
    assert not ImportJob.objects.exists()


# Public pages cached in one Redis shared by both servers

REDIS_FOR_TESTS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def shared_redis(settings):
    """An emptied Redis database; this test process writes through it too, as a worker would."""
    client = redis.Redis.from_url(REDIS_FOR_TESTS)
    try:
        client.ping()
    except redis.ConnectionError:
        message = f"No Redis at {REDIS_FOR_TESTS}: two servers sharing a page cache need one"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and CI must run this test.")
        pytest.skip(message + ".")
    client.flushdb()
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_FOR_TESTS}
    settings.CACHES = {
        **settings.CACHES,
        "default": backend,
        "public": {**backend, "KEY_PREFIX": "public", "TIMEOUT": None},
    }
    yield
    client.flushdb()


@pytest.fixture
def two_cached_servers(tmp_path, shared_redis):
    cached = {"REDIS_URL": REDIS_FOR_TESTS, "PAGE_CACHE_SECONDS": "3600"}
    servers = [_serve(tmp_path / "server-a", **cached), _serve(tmp_path / "server-b", **cached)]
    yield [url for _, url in servers]
    for process, _ in servers:
        process.terminate()
        process.wait(timeout=10)


def _page(url: str, **headers) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), dict(answer.headers)


def _title(html: str) -> str:
    return BeautifulSoup(html, "html.parser").h1.get_text(strip=True)


@pytest.mark.django_db(transaction=True)
def test_a_change_made_anywhere_shows_on_both_servers_at_the_next_request(two_cached_servers):
    first, second = two_cached_servers
    article = ArticleFactory(title="Water talks resume")
    address = article.get_absolute_url()

    status, html, headers = _page(first + address)
    assert (status, _title(html)) == (200, "Water talks resume")
    assert _page(second + address)[2]["ETag"] == headers["ETag"]  # one generation for both
    assert _page(second + address, **{"If-None-Match": headers["ETag"]})[0] == 304

    Article.objects.filter(pk=article.pk).update(title="Water talks stall")
    assert _title(_page(second + address)[1]) == "Water talks resume"  # a write that said nothing
    retitled = Article.objects.get(pk=article.pk)
    retitled.save()  # as the admin, an import or a command saves: committed, it moves the generation on
    for server in (first, second):
        status, html, _ = _page(server + address, **{"If-None-Match": headers["ETag"]})
        assert (status, _title(html)) == (200, "Water talks stall")

    ArticleFactory(title="Due in three seconds", published_at=timezone.now() + datetime.timedelta(seconds=3))
    listed = BeautifulSoup(_page(first + "/articles/")[1], "html.parser").get_text()
    assert "Due in three seconds" not in listed
    time.sleep(3.5)
    listed = BeautifulSoup(_page(second + "/articles/")[1], "html.parser").get_text()
    assert "Due in three seconds" in listed

    browser = _signed_in(first)
    form = _inputs(browser.get(f"{first}/admin/articles/article/{article.pk}/change/"))
    status, _ = browser.post(
        f"{first}/admin/articles/article/{article.pk}/step/withdraw/",
        {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"], "note": "The talks never took place."},
    )
    assert status == 302
    status, html, _ = _page(second + address)
    assert status == 410
    assert "The talks never took place." in html
