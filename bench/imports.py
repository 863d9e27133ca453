"""How fast papers come in, and that saving an article costs no query per note.

In a throw-away test database (DATABASE_URL picks the engine, SQLite by default):
- imports a paper in the shape of a real one (tests/papers/a-year-on.md) once, then 200
  generated papers of its size (notes with lost addresses,
  new addresses and addresses shared between papers), and prints articles per second and SQL
  queries per note, beside the time the same 200 papers take only to be read and rendered;
- saves articles with 100 and 400 links all worded "here" (each a new placeholder), and prints
  queries and time as a ratio to the 100-link article;
- renders one paragraph at the body size limit and one a tenth of it, and prints the time per
  kilobyte of each: rendering must stay linear in the body's size.

    .venv/bin/python bench/imports.py            (or: make bench)
"""

import time
from pathlib import Path

import environment  # noqa: F401  (sets Django up before anything imports it)

# isort: split

from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment

PAPER = Path(settings.BASE_DIR) / "tests" / "papers" / "a-year-on.md"  # in the shape of a real paper
PAPERS = 200


class Queries:
    """Counts the SQL queries run inside it."""

    def __enter__(self):
        self.count = 0
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def generated_papers(paper: str) -> list[str]:
    """Papers of its size: a title of their own, and links of every kind."""
    title = "Central Asia, One Year Into Russia's War"
    papers = []
    for n in range(PAPERS):
        text = paper.replace(title, f"{title}, part {n}", 1)
        parts = text.split("(#)")
        links = [
            "(#)" if i % 3 == 0 else f"(https://bench.example.org/shared/{i})" if i % 3 == 1 else
            f"(https://bench.example.org/{n}/{i})"
            for i in range(len(parts) - 1)
        ]  # fmt: skip
        papers.append("".join(part + link for part, link in zip(parts, [*links, ""], strict=True)))
    return papers


def bench_imports() -> None:
    from articles.importer import article_import
    from articles.ingest import read_text
    from articles.models import Citation
    from articles.rendering import render_body

    paper = PAPER.read_text()
    start = time.perf_counter()
    article_import(document=read_text(paper, name="paper"))
    print(f"one paper: imported in {(time.perf_counter() - start) * 1000:.0f} ms")

    papers = generated_papers(paper)
    start = time.perf_counter()
    for text in papers:
        render_body(read_text(text, name="paper").body)
    reading = time.perf_counter() - start

    notes_before = Citation.objects.count()
    with Queries() as queries:
        start = time.perf_counter()
        for n, text in enumerate(papers):
            article_import(document=read_text(text, name=f"paper-{n}"))
        importing = time.perf_counter() - start
    notes = Citation.objects.count() - notes_before
    print(
        f"{PAPERS} papers: {PAPERS / importing:.1f} articles/s, "
        f"{queries.count / notes:.2f} SQL queries per note ({queries.count / PAPERS:.0f} per article, "
        f"{notes} notes); reading and rendering alone "
        f"{PAPERS / reading:.1f} articles/s (importing takes {importing / reading:.1f}x reading)"
    )


def bench_here_links() -> None:
    from articles.models import Article
    from articles.services import article_render

    results = {}
    for count in (100, 400):
        article = Article.objects.create(title=f"Here {count}", slug=f"here-{count}")
        article.body = " ".join(["Read it [here](#)."] * count)
        with Queries() as queries:
            start = time.perf_counter()
            article_render(article=article)
            results[count] = (queries.count, time.perf_counter() - start)
    base_queries, base_time = results[100]
    for count, (queries, seconds) in results.items():
        print(
            f"{count} links all worded 'here': {queries} queries ({queries / base_queries:.2f}x), "
            f"{seconds * 1000:.0f} ms ({seconds / base_time:.2f}x the 100-link article)"
        )


def bench_long_paragraph() -> None:
    from articles.rendering import render_body

    limit = settings.FOOTNOTE_MAX_BODY_CHARS
    sentence = 'Russia\'s "partners" -- the [five states](#) -- trade more. '
    for size in (limit // 10, limit):
        body = (sentence * (size // len(sentence) + 1))[:size]
        start = time.perf_counter()
        render_body(body)
        seconds = time.perf_counter() - start
        print(f"one paragraph of {size:,} characters: rendered in {seconds * 1000:.0f} ms, "
              f"{seconds * 1000 / (size / 1024):.2f} ms per KB")  # fmt: skip


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        bench_imports()
        bench_here_links()
        bench_long_paragraph()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
