"""Requests per second of the API's article list, beside the same cards written by hand and hello world.

Generates an archive of published articles with authors and topics (make_scale_data) in a scratch
database and serves it with gunicorn as deployed (production settings, two sync workers) with the page
cache off, so that every request renders: what a partner's first sync of 100 articles costs. Three
addresses are measured in alternating rounds on that one server:

- the API's list, `/api/v1/articles/?page_size=100`;
- `/bench/article-cards/` (bench/urls.py), the same 100 cards from `values()` queries and a JsonResponse;
- `/bench/hello/`, a view that only says hello, through the same middleware.

The goal is the API within 2x of the hand-written view (a ratio of 0.5 or more); a missed goal is
reported, not an error. The API's rate limit is lifted (API_ANON_RATE) so that no answer is a 429.

    .venv/bin/python bench/api.py [--rounds 5] [--seconds 3] [--clients 4] [--articles 200]

With --profile it serves nothing and instead prints where 200 in-process requests for the API's list
spend their time (cProfile, top 25 by cumulative time), on the same data.

The database is SQLite, or with DATABASE_URL set (postgres://...) a scratch database on that
PostgreSQL server, dropped afterwards.
"""

import cProfile
import os
import pstats
import sys
import tempfile
from contextlib import ExitStack

from serving import (
    ROOT,
    free_port,
    gunicorn,
    manage,
    measuring_options,
    medians_in_rounds,
    production_environment,
    scratch_database,
)

API = "/api/v1/articles/?page_size=100"
HAND_WRITTEN = "/bench/article-cards/"
HELLO = "/bench/hello/"
WORKERS = ("--workers", "2", "--worker-class", "sync")
GOAL = 0.5  # the API's requests per second over the hand-written view's
PROFILED_REQUESTS = 200


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="footnote-bench-api-") as scratch, ExitStack() as stack:
        database = scratch_database(stack, scratch, "footnote_bench_api")
        env = production_environment(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=database,
            JOBS_CACHE_DIR=f"{scratch}/shared-cache",
            PAGE_CACHE_SECONDS="0",
            API_ANON_RATE="1000000/minute",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "make_scale_data", "--articles", str(options.articles))
        if options.profile:
            _profile(env)
            return
        port = free_port()
        stack.enter_context(gunicorn(env, port, *WORKERS))
        _measure(port, options, database.split(":", 1)[0])


def _options():
    parser = measuring_options(__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200, help="published articles generated")
    parser.add_argument("--profile", action="store_true", help="profile the API's list in-process instead")
    return parser.parse_args()


def _measure(port: int, options, database: str) -> None:
    addresses = {"hello world": HELLO, "API list": API, "hand-written list": HAND_WRITTEN}
    pages = {name: (port, path) for name, path in addresses.items()}
    rates = medians_in_rounds(pages, rounds=options.rounds, seconds=options.seconds, clients=options.clients)
    print(
        f"gunicorn, 2 sync workers, page cache off, {options.clients} clients, {os.cpu_count()} CPUs, "
        f"median of {options.rounds} rounds of {options.seconds:g} s, {database}, "
        f"{options.articles} articles, 100 per answer"
    )
    print(f"{'address':20} {'requests/s':>10} {'/ hello':>8}")
    for name, rate in rates.items():
        print(f"{name:20} {rate:10.0f} {rate / rates['hello world']:7.2f}x")
    ratio = rates["API list"] / rates["hand-written list"]
    verdict = "pass" if ratio >= GOAL else "MISSED"
    print(f"API / hand-written: {ratio:.2f} (goal {GOAL:.2f}, within {1 / GOAL:g}x): {verdict}")


def _profile(env: dict[str, str]) -> None:
    """The API's list asked for in this process, as gunicorn's workers would be asked."""
    os.environ.update({**env, "ALLOWED_HOSTS": "testserver"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    client = Client()
    assert client.get(API).status_code == 200  # warm: the URL resolver, the schema of the serializers
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(PROFILED_REQUESTS):
        client.get(API)
    profile.disable()
    print(f"{PROFILED_REQUESTS} requests for {API}, in-process, page cache off; top 25 by cumulative time")
    pstats.Stats(profile).strip_dirs().sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
