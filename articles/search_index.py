"""What the database keeps so that search reads an index instead of every row.

PostgreSQL: each article and claim stores a weighted `search_document` (a tsvector), computed by
a trigger whenever its words change, whoever writes them (the admin, an import, a spreadsheet, a
script), and read through a GIN index. Sources, actors and developments have short texts: a GIN
index on the expression of their weighted document (`document_sql`) serves them without a column.

SQLite: full-text tables (FTS5) shadow every searched table, kept in step by triggers; a build
of SQLite without FTS5 falls back to searching for every word.

`install` is idempotent. The migration that adds the columns runs it, and so does every `migrate`
afterwards (apps.py), because SQLite rebuilds a table, losing its triggers, whenever a later
migration alters it.
"""

from dataclasses import dataclass

SEARCH_CONFIG = "english"


@dataclass(frozen=True)
class Indexed:
    """A table whose rows are searched: its text columns, each with its weight (A is heaviest)."""

    table: str
    columns: dict[str, str]
    stored: bool = False  # the table keeps its document in a `search_document` column

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"


ARTICLES = Indexed(
    "articles_article", {"title": "A", "dek": "B", "summary": "B", "body_text": "C"}, stored=True
)
CLAIMS = Indexed("articles_claim", {"statement": "A", "quote": "B"}, stored=True)
SOURCES = Indexed("articles_source", {"title": "A", "author": "B", "container_title": "B", "publisher": "B"})
ACTORS = Indexed("relations_actor", {"name": "A", "aliases": "A", "description": "C"})
DEVELOPMENTS = Indexed("relations_development", {"title": "A", "description": "B"})
INDEXED = (ARTICLES, CLAIMS, SOURCES, ACTORS, DEVELOPMENTS)
# FTS5's bm25 weights, in the order of the columns: how much more a word in a title counts.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0}


def document_sql(indexed: Indexed, row: str = "") -> str:
    """The weighted tsvector of a row of `indexed`, its columns read from `row` (NEW in a trigger):
    an index on it serves a query that spells it the same way. Unqualified, a column names the
    table of the nearest query, so a subquery reading the table under an alias reads its own rows."""
    qualifier = f"{row}." if row else ""
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce({qualifier}{column}, '')), '{weight}')"
        for column, weight in indexed.columns.items()
    )


def install(connection) -> None:
    """Create what search reads and the triggers that keep it current, for each table that has the
    columns for it (a database migrated back before them has not)."""
    ready = [indexed for indexed in INDEXED if _has_columns(connection, indexed)]
    if connection.vendor == "postgresql":
        _install_postgresql(connection, ready)
    elif connection.vendor == "sqlite" and has_fts5(connection):
        _install_sqlite(connection, ready)


def uninstall(connection, tables: tuple[Indexed, ...] = INDEXED) -> None:
    """Drop it all again, before the columns the triggers read are dropped."""
    with connection.cursor() as cursor:
        for indexed in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {indexed.table}_search_document ON {indexed.table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {indexed.table}_search_document()")
                cursor.execute(f"DROP INDEX IF EXISTS {indexed.table}_search")
            elif connection.vendor == "sqlite":
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {indexed.table}_fts_{event}")
                cursor.execute(f"DROP TABLE IF EXISTS {indexed.fts}")


def _has_columns(connection, indexed: Indexed) -> bool:
    needed = {*indexed.columns, "search_document"} if indexed.stored else set(indexed.columns)
    with connection.cursor() as cursor:
        if indexed.table not in connection.introspection.table_names(cursor):
            return False
        description = connection.introspection.get_table_description(cursor, indexed.table)
        return needed <= {column.name for column in description}


def has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return any(option == "ENABLE_FTS5" for (option,) in cursor.fetchall())


def bm25_weights(indexed: Indexed) -> str:
    return ", ".join(str(BM25_WEIGHTS[weight]) for weight in indexed.columns.values())


def _install_postgresql(connection, tables: list[Indexed]) -> None:
    with connection.cursor() as cursor:
        for indexed in tables:
            if not indexed.stored:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {indexed.table}_search ON {indexed.table} "
                    f"USING gin (({document_sql(indexed)}))"
                )
                continue
            vector = document_sql(indexed, "NEW")
            columns = ", ".join(indexed.columns)
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {indexed.table}_search_document() RETURNS trigger AS $$
                BEGIN NEW.search_document := {vector}; RETURN NEW; END
                $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS {indexed.table}_search_document ON {indexed.table};
                CREATE TRIGGER {indexed.table}_search_document
                    BEFORE INSERT OR UPDATE OF {columns} ON {indexed.table}
                    FOR EACH ROW EXECUTE FUNCTION {indexed.table}_search_document();
                CREATE INDEX IF NOT EXISTS {indexed.table}_search
                    ON {indexed.table} USING gin (search_document);
                """
            )
            # Rows written before the trigger existed get their document now.
            first = next(iter(indexed.columns))
            cursor.execute(f"UPDATE {indexed.table} SET {first} = {first} WHERE search_document IS NULL")


def _install_sqlite(connection, tables: list[Indexed]) -> None:
    with connection.cursor() as cursor:
        for indexed in tables:
            columns = ", ".join(indexed.columns)
            new = ", ".join(f"new.{column}" for column in indexed.columns)
            old = ", ".join(f"old.{column}" for column in indexed.columns)
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [indexed.fts])
            created = cursor.fetchone() is None
            table, fts = indexed.table, indexed.fts
            statements = [
                f"""CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(
                    {columns}, content='{table}', content_rowid='id',
                    tokenize='porter unicode61 remove_diacritics 2')""",
                f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN
                    INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});
                END""",
                f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN
                    INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});
                END""",
                f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE ON {table} BEGIN
                    INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});
                    INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});
                END""",
            ]
            for statement in statements:  # one by one: executescript would commit the migration's transaction
                cursor.execute(statement)
            if created:
                cursor.execute(f"INSERT INTO {indexed.fts}({indexed.fts}) VALUES ('rebuild')")
