"""How much memory an export of 100,000 rows takes, streamed, beside building the file in memory first.

In a throw-away test database (DATABASE_URL picks the engine, SQLite by default), creates 100,000
sources, then exports them as CSV and XLSX the way the admin does (streamed) and the way the library
does on its own (a whole dataset, then the file), and prints rows per second and the peak of Python's
memory during each (tracemalloc), with the ratio.

    .venv/bin/python bench/exports.py [--rows N]     (or: make bench)
"""

import argparse
import time
import tracemalloc

import environment  # noqa: F401  (sets Django up before anything imports it)

# isort: split

from django.db import connection
from django.test.utils import setup_test_environment


def make_sources(count: int) -> None:
    from articles.links import normalise_url
    from articles.models import Source

    for start in range(0, count, 10_000):
        Source.objects.bulk_create(
            Source(
                key=f"bench-{n}",
                url=f"https://bench.example.org/{n}",
                normalised_url=normalise_url(f"https://bench.example.org/{n}"),
                title=f"Доклад {n}: trade across the Caspian, 中亚 {n}",
                publisher="Statistics agency",
            )
            for n in range(start, min(start + 10_000, count))
        )


def measured(produce) -> tuple[float, float]:
    """Seconds and peak megabytes of Python memory while `produce` runs."""
    tracemalloc.start()
    start = time.perf_counter()
    produce()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def bench_exports(rows: int) -> None:
    from articles.models import Source
    from articles.resources import SourceResource
    from common.exports import export_response, export_rows
    from common.formats import CSV, XLSX

    make_sources(rows)
    for file_format in (CSV(), XLSX()):

        def streamed(file_format=file_format):
            response = export_response(
                export_rows(SourceResource(), Source.objects.all()), file_format, filename="x"
            )
            for _ in response.streaming_content:
                pass
            response.close()

        def in_memory(file_format=file_format):
            file_format.export_data(SourceResource().export(Source.objects.all()))

        stream_s, stream_mb = measured(streamed)
        memory_s, memory_mb = measured(in_memory)
        name = file_format.get_title().upper()
        print(
            f"{rows:,} sources as {name}: streamed {rows / stream_s:,.0f} rows/s, peak {stream_mb:.1f} MB; "
            f"built in memory {rows / memory_s:,.0f} rows/s, peak {memory_mb:.1f} MB "
            f"(streaming takes {stream_mb / memory_mb:.2f}x the memory)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        bench_exports(rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
