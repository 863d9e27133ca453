"""The lookups hot paths make read an index, never every row of a big table.

On PostgreSQL the planner is told to avoid sequential scans wherever it can, so a scan left in the
plan means no index could serve the query. SQLite's plan says SCAN for a table read row by row
(its full-text tables excepted), and also for one read in its own order up to a LIMIT, which stops
at the rows it returns: that one is allowed when nothing has to be sorted.
"""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, Citation, Claim, ClaimEvidence, Source
from articles.search import search_published
from articles.selectors import article_cards_published
from common.paging import beyond

pytestmark = pytest.mark.django_db

BIG_TABLES = (
    "articles_article|articles_claim|articles_source|articles_citation|articles_claimevidence"
    "|relations_actor|relations_development"
)
FULL_SCAN = re.compile(rf"(Seq Scan on|\bSCAN) ({BIG_TABLES})\b(?!_)")
LONG_AGO = timezone.now() - datetime.timedelta(days=3000)

QUERIES = {
    "article list": lambda: article_cards_published()[:20],
    "a deep page of the list": lambda: article_cards_published().filter(
        beyond(["-published_at", "-pk"], [LONG_AGO, 1000])
    )[:20],
    "an article by its address": lambda: Article.objects.published().filter(slug="trade"),
    **{
        f"search for {kind}": lambda kind=kind: search_published(query="trade gas").of_kind(kind)[:20]
        for kind in ("articles", "claims", "sources", "actors", "developments")
    },
    "a source by its address": lambda: Source.objects.filter(normalised_url="https://example.org/a"),
    "an article's claims": lambda: Claim.objects.filter(article_id=1),
    "a source's notes": lambda: Citation.objects.filter(source_id=1),
    "a source's evidence": lambda: ClaimEvidence.objects.filter(source_id=1),
    "the claims admin list": lambda: Claim.objects.order_by("-pk")[:100],
}


def full_scans(queryset) -> list[str]:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
    else:
        plan = queryset.explain()
        if queryset.query.high_mark and not queryset.query.where and "TEMP B-TREE" not in plan:
            return []  # unfiltered, read in the table's own order, stopping at the limit
    return [line.strip() for line in plan.splitlines() if FULL_SCAN.search(line)]


@pytest.mark.parametrize("name", QUERIES)
def test_the_query_reads_an_index(name):
    assert full_scans(QUERIES[name]()) == []
