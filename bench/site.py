"""Requests per second of the demo article page, from the page cache and rendered afresh, beside hello world.

Loads the demo content into a scratch database and serves it with two gunicorns as deployed
(production settings, two sync workers each): one with the page cache on, one rendering every request
(PAGE_CACHE_SECONDS=0). Both also serve /bench/hello/ (bench/urls.py), a view that only says hello,
through the same middleware. For scale, the rendering server also gives the site's layout with
nothing in it (/bench/layout/) and the topics index, its lightest real page: what any page rendered
afresh costs at least. Rounds of the pages alternate, so that each is measured under the same load
on the machine; the table gives each page's median requests per second, its ratio to hello world
and the goal of issue 10. A missed goal is reported, not an error.

    .venv/bin/python bench/site.py [--rounds 5] [--seconds 3] [--clients 4]    (or: make bench)

The database is SQLite, or with DATABASE_URL set (postgres://...) a scratch database on that
PostgreSQL server, dropped afterwards. Set REDIS_URL to cache in Redis as in production; without it
the page cache is each worker's memory.
"""

import os
import tempfile
from contextlib import ExitStack

from serving import (
    free_port,
    gunicorn,
    manage,
    measuring_options,
    medians_in_rounds,
    production_environment,
    scratch_database,
)

ARTICLE = "/articles/central-asia-a-year-into-russias-war/"
HELLO = "/bench/hello/"
LAYOUT = "/bench/layout/"
TOPICS = "/topics/"
WORKERS = ("--workers", "2", "--worker-class", "sync")
GOALS = {"cached article page": 0.6, "uncached article page": 0.15}


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="footnote-bench-site-") as scratch, ExitStack() as servers:
        database = scratch_database(servers, scratch, "footnote_bench_site")
        env = production_environment(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=database,
            JOBS_CACHE_DIR=f"{scratch}/shared-cache",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        cached, uncached = free_port(), free_port()
        servers.enter_context(gunicorn(env, cached, *WORKERS))
        servers.enter_context(gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}, uncached, *WORKERS))
        pages = {
            "hello world": (cached, HELLO),
            "cached article page": (cached, ARTICLE),
            "uncached article page": (uncached, ARTICLE),
            "uncached empty layout": (uncached, LAYOUT),
            "uncached topics index": (uncached, TOPICS),
        }
        medians = medians_in_rounds(
            pages, rounds=options.rounds, seconds=options.seconds, clients=options.clients
        )
        _print_table(medians, options, database.split(":", 1)[0])


def _options():
    parser = measuring_options(__doc__.splitlines()[0])
    return parser.parse_args()


def _print_table(rates: dict[str, float], options, database: str) -> None:
    hello = rates["hello world"]
    print(
        f"gunicorn, 2 sync workers per server, {options.clients} clients, {os.cpu_count()} CPUs, "
        f"median of {options.rounds} rounds of {options.seconds:g} s, {database}, cache: "
        f"{'Redis' if os.environ.get('REDIS_URL') else 'local memory'}"
    )
    print(f"{'page':24} {'requests/s':>10} {'/ hello':>8} {'goal':>6}")
    for name, rate in rates.items():
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"{goal:5.2f}x {'pass' if rate / hello >= goal else 'MISSED'}"
        print(f"{name:24} {rate:10.0f} {rate / hello:7.2f}x {verdict}")


if __name__ == "__main__":
    main()
