"""Footnote at archive scale: 100,000 generated articles on PostgreSQL, served by gunicorn.

Creates a scratch PostgreSQL database, migrates it, generates the archive (make_scale_data), serves
it with gunicorn as deployed (two workers, four threads each, Redis for the cache), and prints p50
and p95 of one client's requests for each page beside a hello-world page (robots.txt) measured in
the same run; then how fast that plain page answers while twenty clients search at once.

    .venv/bin/python bench/scale.py [--articles 100000] [--database footnote_bench_scale] [--keep]
    (or: make bench-scale)

`--keep` leaves the database for the next run, which then reuses its articles instead of
generating them again.
"""

import argparse
import base64
import datetime
import http.client
import os
import statistics
import subprocess
import threading
import time
from urllib.parse import urlencode

from serving import gunicorn, manage, production_environment

PORT = 8765
ROUNDS = 40
SEARCHERS = 20
COMMON_WORDS = ["trade", "gas", "border", "security", "migration", "sanctions", "pipeline", "treaty"]


def main() -> None:
    options = _options()
    env = _environment(options.database)
    _prepare_database(options, env)
    paths, session = _paths(env)
    try:
        with gunicorn(env, PORT, "--workers", "2", "--worker-class", "gthread", "--threads", "4"):
            _print_table(paths, session)
            _print_concurrent_searches()
    finally:
        if not options.keep:
            _psql(f"DROP DATABASE IF EXISTS {options.database} WITH (FORCE)")


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", default="footnote_bench_scale")
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    return parser.parse_args()


def _environment(database: str) -> dict[str, str]:
    return production_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    )


def _psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip()


def _prepare_database(options, env) -> None:
    if not _psql(f"SELECT 1 FROM pg_database WHERE datname = '{options.database}'"):
        _psql(f"CREATE DATABASE {options.database}")
    manage(env, "migrate", "--noinput")
    have = int(_psql("SELECT count(*) FROM articles_article", options.database))
    if have < options.articles:
        started = time.perf_counter()
        manage(env, "make_scale_data", "--articles", str(options.articles - have))
        print(f"generated {options.articles - have:,} articles in {time.perf_counter() - started:.0f} s")
    _psql("VACUUM ANALYZE", options.database)
    subprocess.run(["redis-cli", "-n", "15", "FLUSHDB"], check=False, capture_output=True)


def _paths(env) -> tuple[dict[str, str], str]:
    """The pages to time, with what they need from the database (a deep cursor, a staff session)."""
    found = manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article; from django.contrib.auth import get_user_model;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "published = Article.objects.published().order_by('-published_at', '-id');"
        "deep = published[published.count() * 9 // 10];"
        "user, _ = get_user_model().objects.get_or_create("
        "    username='bench', defaults={'is_staff': True, 'is_superuser': True});"
        "s = SessionStore(); s['_auth_user_id'] = str(user.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = user.get_session_auth_hash(); s.create();"
        "print(deep.slug, deep.published_at.isoformat(), deep.pk, s.session_key)",
    ).split()
    slug, moment, pk, session = found[-4:]
    older = base64.urlsafe_b64encode(f"{moment}|{pk}".encode()).decode().rstrip("=")
    drf_position = datetime.datetime.fromisoformat(moment).isoformat(sep=" ")
    api_cursor = base64.b64encode(urlencode({"p": drf_position}).encode()).decode()
    return {
        "hello world (robots.txt)": "/robots.txt",
        "home": "/",
        "article list, page 1": "/articles/",
        "article list, 90% down": f"/articles/?older={older}",
        "an article": f"/articles/{slug}/",
        # A parameter the page ignores makes each request new to the cache: these are searches.
        "search, a common word": "/search/?q=trade&fresh={n}",
        "search, a rare word": "/search/?q=zeppelin&fresh={n}",
        "search, from the cache": "/search/?q=trade",
        "sitemap index": "/sitemap.xml",
        "sitemap section": "/sitemap-articles.xml?p=10",
        "API list": "/api/v1/articles/",
        "API cursor page, 90% down": f"/api/v1/articles/?{urlencode({'cursor': api_cursor})}",
        "claims admin list": "/admin/articles/claim/",
        "claims admin list, page 4,000": "/admin/articles/claim/?p=4000",
    }, session


def _get(connection: http.client.HTTPConnection, path: str, session: str = "", allowed=(200,)) -> float:
    started = time.perf_counter()
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status not in allowed:
        raise RuntimeError(f"{path} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _print_table(paths: dict[str, str], session: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    results = {}
    for name, path in paths.items():
        staff = session if path.startswith("/admin/") else ""
        for n in range(3):  # warm the connection, the workers and the cache
            _get(connection, path.format(n=-n), staff)
        results[name] = _percentiles([_get(connection, path.format(n=n), staff) for n in range(ROUNDS)])
    results["sitemap section, first read"] = _first_reads_of_the_sitemap(connection)
    base = results["hello world (robots.txt)"][0]
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'p50 / hello world':>18}")
    for name, (p50, p95) in results.items():
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {p50 / base:17.1f}x")


def _first_reads_of_the_sitemap(connection) -> tuple[float, float]:
    """Each page of the articles' sitemap read once with nothing cached: what a crawler may meet."""
    subprocess.run(["redis-cli", "-n", "15", "FLUSHDB"], check=False, capture_output=True)
    timings = []
    for page in range(1, 100):
        try:
            timings.append(_get(connection, f"/sitemap-articles.xml?p={page}"))
        except RuntimeError:  # past the last page
            break
    return _percentiles(timings)


def _print_concurrent_searches() -> None:
    stop = threading.Event()

    def search(word: str) -> None:
        connection, page = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60), 1
        while not stop.is_set():
            # A new search each time, so that the cache does not answer; 429 is "busy, try again".
            _get(connection, f"/search/?{urlencode({'q': word, 'fresh': page})}", allowed=(200, 429))
            page += 1

    searchers = [
        threading.Thread(target=search, args=(COMMON_WORDS[n % len(COMMON_WORDS)],)) for n in range(SEARCHERS)
    ]
    for thread in searchers:
        thread.start()
    time.sleep(2)
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    timings = [_get(connection, "/robots.txt") for _ in range(ROUNDS)]
    stop.set()
    for thread in searchers:
        thread.join()
    p50, p95 = _percentiles(timings)
    print(
        f"\nwhile {SEARCHERS} clients search for common words: robots.txt p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
