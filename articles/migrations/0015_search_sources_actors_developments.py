"""Search reads an index for sources, actors and developments too: a GIN index on each one's weighted
document on PostgreSQL, FTS5 tables kept by triggers on SQLite (articles.search_index)."""

from django.db import migrations

from articles.search_index import ACTORS, DEVELOPMENTS, SOURCES, install, uninstall


def install_search(apps, schema_editor):
    install(schema_editor.connection)


def uninstall_search(apps, schema_editor):
    uninstall(schema_editor.connection, tables=(SOURCES, ACTORS, DEVELOPMENTS))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_article_withdrawal"),
        ("relations", "0003_evidence_ledger"),
    ]

    operations = [
        migrations.RunPython(install_search, uninstall_search, elidable=False),
    ]
