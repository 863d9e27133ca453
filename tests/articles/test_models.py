import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import quantities
from articles.models import Approximation, Article, Author, Claim, Source
from tests.factories import (
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    CitationFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_published_means_published_status_and_a_publish_time_that_has_come():
    now = timezone.now()
    public = ArticleFactory(published_at=now - datetime.timedelta(minutes=1))
    ArticleFactory(published_at=now + datetime.timedelta(days=1))  # scheduled
    for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.WITHDRAWN):
        ArticleFactory(status=status)
    assert list(Article.objects.published()) == [public]


def test_a_published_article_needs_a_publish_time():
    _violates(lambda: ArticleFactory(published_at=None))
    with pytest.raises(ValidationError):
        Article(title="t", slug="t", status=Article.Status.PUBLISHED).full_clean()


def test_slugs_are_unique():
    ArticleFactory(slug="same")
    _violates(lambda: ArticleFactory(slug="same"))
    AuthorFactory(slug="same")
    _violates(lambda: AuthorFactory(slug="same"))


def test_citation_numbers_are_unique_within_an_article():
    citation = CitationFactory(number=1)
    _violates(lambda: CitationFactory(article=citation.article, number=1))
    CitationFactory(number=1)  # another article may have its own note 1


def test_citation_numbers_start_at_one():
    _violates(lambda: CitationFactory(number=0))


def test_a_claim_quantity_needs_a_unit():
    _violates(lambda: ClaimFactory(quantity_value=70_000_000_000, quantity_unit=""))
    with pytest.raises(ValidationError):
        Claim(article=ArticleFactory(), statement="s", quantity_value=1).full_clean()
    ClaimFactory(quantity_value=70_000_000_000, quantity_unit="USD")


def test_sources_are_unique_by_normal_address_and_key():
    SourceFactory(url="https://example.org/a")
    _violates(lambda: SourceFactory(url="http://www.example.org/a/"))
    SourceFactory(url="", key="lost-1")
    SourceFactory(url="", key="lost-2")  # many sources may have lost their address
    _violates(lambda: SourceFactory(key="lost-1"))


def test_source_full_clean_reports_a_duplicate_address():
    SourceFactory(url="https://example.org/a")
    with pytest.raises(ValidationError, match="already has this address"):
        Source(key="k", title="t", url="https://example.org/a/").full_clean()


def test_published_claims_and_sources_follow_their_articles():
    public_claim = ClaimEvidenceFactory().claim
    draft = ArticleFactory(status=Article.Status.DRAFT, body="")
    hidden_evidence = ClaimEvidenceFactory(claim=ClaimFactory(article=draft))
    CitationFactory(article=draft)

    assert list(Claim.objects.published()) == [public_claim]
    assert hidden_evidence.source not in Source.objects.published()
    assert set(Source.objects.published()) >= {e.source for e in public_claim.evidence.all()}


def test_published_authors_have_a_public_article():
    byline = ArticleAuthorFactory()
    ArticleAuthorFactory(article=ArticleFactory(status=Article.Status.DRAFT))
    assert list(Author.objects.published()) == [byline.author]


def test_string_forms_name_things():
    claim = ClaimFactory(statement="x" * 100)
    assert str(claim).endswith("…") and len(str(claim)) == 80
    assert str(ArticleFactory(title="Title")) == "Title"


def test_an_article_whose_links_are_not_web_addresses_does_not_validate():
    article = ArticleFactory.build(
        body="[fine](https://example.org) [broken](https://exa..mple) "
        f"[long](https://example.org/{'x' * 2100})"
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean(exclude=["slug"])
    assert error.value.message_dict["body"] == [
        "Note 2: “https://exa..mple” is not a web address.",
        "Note 3: the address is longer than 2000 characters.",
    ]


def test_the_approximation_wordings_are_the_ones_the_figure_reader_gives():
    constants = {value for name, value in vars(quantities.Approximation).items() if name.isupper()}
    assert {choice.value for choice in Approximation} == constants


def test_a_placeholder_source_has_no_address():
    _violates(
        lambda: Source.objects.bulk_create(
            [Source(key="x", title="x", url="https://example.org/x", placeholder=True)]
        )
    )


def test_giving_a_placeholder_an_address_makes_it_a_source_in_its_own_right():
    source = Source.objects.create(key="lost", title="lost", placeholder=True)
    source.url = "https://example.org/found"
    source.save()
    assert not source.placeholder
