"""Existing articles move to notes that name their sources without losing a single note's source."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0002_placeholders_suggestions_anchors")]
AFTER = [("articles", "0003_pin_notes_to_their_sources")]


@pytest.fixture
def migrate(transactional_db):
    executor = MigrationExecutor(connection)

    def to(target):
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    yield to
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_lost_addresses_are_pinned_to_the_sources_their_notes_cite(migrate):
    apps = migrate(BEFORE)
    Article, Source, Citation = (
        apps.get_model("articles", name) for name in ("Article", "Source", "Citation")
    )
    made = Source.objects.create(key="lost-words", title="lost words")  # what the old renderer made
    picked = Source.objects.create(key="ministry", title="Entry statistics", publisher="Interior Ministry")
    known = Source.objects.create(
        key="known", title="Known", url="https://example.org/k", normalised_url="https://example.org/k"
    )
    body = "[lost words](#) then [known](https://example.org/k)\n\n> and [picked later](#)."
    article = Article.objects.create(title="Old", slug="old", body=body)
    for number, source, words in [(1, made, "lost words"), (2, known, "known"), (3, picked, "picked later")]:
        Citation.objects.create(article=article, number=number, source=source, anchor_text=words)

    apps = migrate(AFTER)

    article = apps.get_model("articles", "Article").objects.get(slug="old")
    assert article.body == (
        "[lost words](source:lost-words) then [known](https://example.org/k)\n\n"
        "> and [picked later](source:ministry)."
    )
    placeholders = apps.get_model("articles", "Source").objects.filter(placeholder=True)
    assert list(placeholders.values_list("key", flat=True)) == ["lost-words"]
