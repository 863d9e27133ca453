"""How fast spreadsheets come in, against the fastest the database can take the same rows.

In a throw-away test database (DATABASE_URL picks the engine, SQLite by default), for 20,000 source
rows and 20,000 claim rows with evidence, actors and developments:
- saves them with a plain `bulk_create` (no validation, no report): the baseline;
- deletes them and imports the same rows from a CSV file through the admin's resource, with every
  row validated and reported; then imports the unchanged file again (every row unchanged);
and prints rows per second and the ratio to the baseline (the goal is 0.25x or better).

    .venv/bin/python bench/spreadsheets.py [--rows N]     (or: make bench)
"""

import argparse
import time

import environment  # noqa: F401  (sets Django up before anything imports it)

# isort: split

from django.db import connection
from django.test.utils import setup_test_environment


def source_rows(count: int) -> list[dict]:
    return [
        {
            "key": f"bench-{n}",
            "url": f"https://bench.example.org/reports/{n}?lang=en",
            "title": f"Customs statistics of Central Asia, table {n}",
            "publisher": "Statistics agency",
            "author": "",
            "published_on": "2022-11-01",
            "kind": "dataset",
            "language": "en",
        }
        for n in range(count)
    ]


def claim_rows(count: int, articles: list[str], sources: list[str], actors: list[str]) -> list[dict]:
    return [
        {
            "article": articles[n % len(articles)],
            "position": n,
            "statement": f"Trade grew by {n % 90} per cent in the year to March.",
            "quote": f"grew by {n % 90} per cent",
            "status": "unverified",
            "quantity_value": str(n % 90),
            "quantity_unit": "per cent",
            "actors": ",".join(sorted({actors[n % len(actors)], actors[(n + 1) % len(actors)]})),
            "evidence": f"{sources[n % len(sources)]} | supports | table {n % 12}\n"
            f"{sources[(n + 7) % len(sources)]} | contradicts",
        }
        for n in range(count)
    ]


def dataset_of(rows: list[dict]):
    import tablib
    from import_export.formats.base_formats import CSV

    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return CSV().create_dataset(dataset.export("csv"))  # read back as an uploaded file is


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def report(name: str, count: int, baseline: float, seconds: float) -> None:
    print(
        f"{name}: {count / seconds:,.0f} rows/s validated and reported; bulk_create "
        f"{count / baseline:,.0f} rows/s; ratio {baseline / seconds:.2f}x"
    )


def check(result) -> None:
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit(f"the import was refused: {result.invalid_rows[:3]} {result.base_errors[:3]}")


def bench_sources(count: int) -> None:
    from articles.links import normalise_url
    from articles.models import Source
    from articles.resources import SourceResource

    rows = source_rows(count)

    def bulk():
        Source.objects.bulk_create(Source(**row, normalised_url=normalise_url(row["url"])) for row in rows)

    baseline = timed(bulk)
    Source.objects.all().delete()
    dataset = dataset_of(rows)
    results = []
    seconds = timed(lambda: results.append(SourceResource().import_data(dataset, dry_run=False)))
    check(results[0])
    report(f"{count:,} source rows", count, baseline, seconds)
    again = timed(lambda: results.append(SourceResource().import_data(dataset, dry_run=False)))
    check(results[1])
    print(f"  the same file again, every row unchanged: {count / again:,.0f} rows/s "
          f"({results[1].totals['skip']:,} unchanged)")  # fmt: skip


def bench_claims(count: int) -> None:
    from articles.models import Article, Claim, ClaimEvidence, Source
    from articles.resources import ClaimResource
    from relations.models import Actor

    articles = [Article.objects.create(title=f"Paper {n}", slug=f"paper-{n}").slug for n in range(20)]
    sources = [source.key for source in Source.objects.order_by("id")[:1000]]
    actors = [
        Actor.objects.create(name=f"Actor {n}", slug=f"actor-{n}", kind=Actor.Kind.STATE).slug
        for n in range(30)
    ]
    rows = claim_rows(count, articles, sources, actors)
    ids = {
        "article": dict(Article.objects.values_list("slug", "pk")),
        "source": dict(Source.objects.filter(key__in=sources).values_list("key", "pk")),
        "actor": dict(Actor.objects.values_list("slug", "pk")),
    }

    def bulk():
        claims = Claim.objects.bulk_create(
            Claim(
                article_id=ids["article"][row["article"]],
                position=row["position"],
                statement=row["statement"],
                quote=row["quote"],
                quantity_value=row["quantity_value"],
                quantity_unit=row["quantity_unit"],
            )
            for row in rows
        )
        evidence, links = [], []
        for claim, row in zip(claims, rows, strict=True):
            for line in row["evidence"].splitlines():
                key, stance, *locator = [part.strip() for part in line.split("|")]
                evidence.append(
                    ClaimEvidence(
                        claim=claim, source_id=ids["source"][key], stance=stance, locator="".join(locator)
                    )
                )
            links += [
                Claim.actors.through(claim=claim, actor_id=ids["actor"][slug])
                for slug in row["actors"].split(",")
            ]
        ClaimEvidence.objects.bulk_create(evidence)
        Claim.actors.through.objects.bulk_create(links)

    baseline = timed(bulk)
    Claim.objects.all().delete()
    dataset = dataset_of(rows)
    results = []
    seconds = timed(lambda: results.append(ClaimResource().import_data(dataset, dry_run=False)))
    check(results[0])
    report(f"{count:,} claim rows with evidence and actors", count, baseline, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    rows = parser.parse_args().rows
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        print(f"database: {connection.vendor}")
        bench_sources(rows)
        bench_claims(rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
