import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import quantities
from articles.models import Approximation, Article, Author, Claim, ClaimLink, Source
from tests.factories import (
    ActorFactory,
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


@pytest.mark.parametrize(
    "figure, field",
    [
        ({"quantity_lower": 400_000, "quantity_upper": 600_000}, "quantity_unit"),
        ({"quantity_lower": 600_000, "quantity_upper": 400_000, "quantity_unit": "people"}, "quantity_upper"),
        ({"quantity_value": 300_000, "quantity_lower": 400_000, "quantity_unit": "people"}, "quantity_lower"),
        ({"quantity_value": 700_000, "quantity_upper": 600_000, "quantity_unit": "people"}, "quantity_upper"),
        ({"quantity_period_start": datetime.date(2022, 10, 1)}, "quantity_as_of"),
        (
            {
                "quantity_period_start": datetime.date(2022, 10, 1),
                "quantity_as_of": datetime.date(2022, 9, 30),
            },
            "quantity_as_of",
        ),
    ],
)
def test_a_figure_that_cannot_be_is_refused_by_the_form_and_by_the_database(figure, field):
    with pytest.raises(ValidationError) as refused:
        Claim(article=ArticleFactory(), statement="s", **figure).full_clean()
    assert field in refused.value.message_dict
    _violates(lambda: ClaimFactory(**figure))


def test_a_figure_with_bounds_and_a_period_is_kept():
    claim = ClaimFactory(
        quantity_value=500_000,
        quantity_lower=400_000,
        quantity_upper=600_000,
        quantity_unit="people",
        quantity_period_start=datetime.date(2022, 1, 1),
        quantity_as_of=datetime.date(2022, 10, 31),
        quantity_time_precision="month",
    )
    claim.full_clean()
    assert claim.has_quantity


def test_a_figure_is_not_derived_from_itself_and_a_claim_not_linked_to_itself():
    claim = ClaimFactory()
    claim.derived_from = claim
    with pytest.raises(ValidationError) as refused:
        claim.full_clean()
    assert "derived_from" in refused.value.message_dict
    _violates(lambda: Claim.objects.filter(pk=claim.pk).update(derived_from=claim))
    _violates(lambda: ClaimLink.objects.create(from_claim=claim, kind="updates", to_claim=claim))


def test_the_claimant_is_its_wording_else_its_actor_else_the_articles_own_assessment():
    kazakhstan = ActorFactory(name="Kazakhstan")
    assert ClaimFactory().claimant == ""
    assert ClaimFactory(claimant_actor=kazakhstan).claimant == "Kazakhstan"
    assert (
        ClaimFactory(claimant_actor=kazakhstan, claimant_name="Kazakh officials").claimant
        == "Kazakh officials"
    )


def test_claim_links_are_public_only_between_public_claims():
    public, other_public = ClaimFactory(), ClaimFactory()
    draft = ClaimFactory(article=ArticleFactory(status=Article.Status.DRAFT, published_at=None))
    shown = ClaimLink.objects.create(from_claim=public, kind="updates", to_claim=other_public)
    ClaimLink.objects.create(from_claim=public, kind="contradicts", to_claim=draft)
    ClaimLink.objects.create(from_claim=draft, kind="restates", to_claim=public)
    assert list(ClaimLink.objects.published()) == [shown]


def test_a_source_grade_reads_as_the_admiralty_code():
    source = SourceFactory()
    assert source.grade == ""
    source.reliability, source.credibility = "B", 2
    assert source.grade == "B2"


def test_a_new_address_starts_unchecked_and_no_address_is_a_missing_link():
    source = SourceFactory(url="https://example.org/old")
    Source.objects.filter(pk=source.pk).update(
        link_status="broken", link_checked_at=timezone.now(), link_error="404 Not Found"
    )
    source.refresh_from_db()
    source.title = "Same address"
    source.save()
    assert (source.link_status, source.link_error) == ("broken", "404 Not Found")
    source.url = "https://example.org/new"
    source.save()
    assert (source.link_status, source.link_checked_at, source.link_error) == ("unchecked", None, "")
    source.url = ""
    source.save()
    assert source.link_status == "missing"


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
