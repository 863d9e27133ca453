"""How the article page and the API scale with the number of notes and claims.

Builds articles with 1, 40 and 200 notes and claims (each claim with evidence and actors) in a
throw-away test database, then times the public article page and the API detail for each. It prints
the SQL query count and the median time as a ratio to the 1-note article measured in the same run:
query counts must not grow; times should grow with the HTML and JSON written, not with round trips.

    .venv/bin/python bench/pages.py            (or: make bench)
"""

import statistics
import time

import environment  # noqa: F401  (sets Django up before anything imports it)

# isort: split

from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

SIZES = (1, 40, 200)
ROUNDS = 15


def build_article(size: int):
    from tests.factories import ActorFactory, ArticleFactory, ClaimEvidenceFactory, ClaimFactory

    body = " ".join(f"Fact {n} [source {n}](https://bench.example.org/{size}/{n})." for n in range(size))
    article = ArticleFactory(slug=f"bench-{size}", body=body)
    actors = [ActorFactory(), ActorFactory()]
    for n in range(size):
        claim = ClaimFactory(article=article, statement=f"Claim {n} of {size}.")
        ClaimEvidenceFactory(claim=claim)
        claim.actors.set(actors)
    return article


def measure(client: Client, url: str) -> tuple[int, float]:
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - start)
    return len(queries), statistics.median(timings)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        articles = {size: build_article(size) for size in SIZES}
        client = Client()
        for label, url_of in (
            ("article page", lambda a: a.get_absolute_url()),
            ("API detail", lambda a: f"/api/v1/articles/{a.slug}/"),
        ):
            results = {size: measure(client, url_of(article)) for size, article in articles.items()}
            base_queries, base_time = results[SIZES[0]]
            for size, (queries, seconds) in results.items():
                print(
                    f"{label:13} {size:4} notes+claims: {queries:2} queries ({queries / base_queries:.2f}x), "
                    f"median {seconds * 1000:7.1f} ms ({seconds / base_time:5.2f}x the 1-note baseline)"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
