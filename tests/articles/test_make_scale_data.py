"""`manage.py make_scale_data`: a realistic generated archive, and a refusal to mix it with real data."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Citation, Claim, ClaimEvidence, Source
from articles.search import search_published
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_it_generates_published_articles_with_notes_claims_evidence_and_actors():
    out = StringIO()
    call_command("make_scale_data", "--articles", 30, stdout=out)

    assert out.getvalue().splitlines()[-1].startswith("Generated 30 articles in")
    assert Article.objects.published().count() == 30
    assert Citation.objects.count() == 150 and Claim.objects.count() == 150
    assert ClaimEvidence.objects.count() == 150
    article = Article.objects.order_by("pk").first()
    assert [c.number for c in article.citations.order_by("number")] == [1, 2, 3, 4, 5]
    assert article.body_text
    assert article.bylines.exists() and article.topics.exists() and article.actors.exists()
    assert Source.objects.count() == 50
    # One article in a thousand has the rare word, the first among them.
    assert search_published(query="zeppelin").articles.count() == 1


def test_it_adds_to_an_archive_it_made_and_refuses_one_with_other_data():
    call_command("make_scale_data", "--articles", 3, stdout=StringIO())
    call_command("make_scale_data", "--articles", 2, stdout=StringIO())
    assert Article.objects.count() == 5

    ArticleFactory(slug="a-real-article")
    with pytest.raises(CommandError, match="holds articles, sources or actors that were not generated"):
        call_command("make_scale_data", "--articles", 1, stdout=StringIO())
    call_command("make_scale_data", "--articles", 1, "--force", stdout=StringIO())
    assert Article.objects.count() == 7
