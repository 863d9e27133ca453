"""Test data for every model, built with factory_boy."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    ClaimSuggestion,
    Correction,
    Source,
    Topic,
)
from articles.services import article_render
from relations.models import Actor, Development, Membership, Relation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(StaffFactory):
    is_superuser = True


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Analyst {n}")
    slug = factory.Sequence(lambda n: f"analyst-{n}")
    affiliation = "Footnote Institute"
    bio = "Writes on Central Asia."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article by default; pass status=... for drafts and the rest."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    dek = "A line under the title."
    kind = Article.Kind.ANALYSIS
    body = "Trade [grew](https://example.org/trade) and [migration](#) rose."
    summary = "A summary."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    first_published_at = factory.LazyAttribute(
        lambda article: article.published_at if article.status == Article.Status.PUBLISHED else None
    )

    @factory.post_generation
    def render(article, create, extracted, **kwargs):
        if create and extracted is not False:
            article_render(article=article)


class ArticleAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleAuthor

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(AuthorFactory)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version gave the wrong year."


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"report-key-{n}")
    url = factory.Sequence(lambda n: f"https://example.org/report/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Example Publisher"
    published_on = datetime.date(2022, 11, 1)
    kind = Source.Kind.REPORT
    language = "en"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    article = factory.SubFactory(ArticleFactory, body="", render=False)
    number = factory.Sequence(lambda n: n + 1)
    source = factory.SubFactory(SourceFactory)
    anchor_text = "linked words"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    statement = factory.Sequence(lambda n: f"Claim number {n} can be checked.")
    quote = "can be checked"
    status = Claim.Status.VERIFIED


class ClaimEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimEvidence

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    stance = ClaimEvidence.Stance.SUPPORTS
    locator = "p. 3"


class ClaimSuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimSuggestion

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    statement = "Trade rose by 45 per cent in 2022."
    quote = "Trade rose by 45 per cent in 2022."
    quantity_value = 45
    quantity_unit = "per cent"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = Actor.Kind.STATE


class OrganisationFactory(ActorFactory):
    kind = Actor.Kind.ORGANISATION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(ActorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
    start_date = datetime.date(2002, 10, 7)


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    actor_a = factory.SubFactory(ActorFactory)
    actor_b = factory.SubFactory(ActorFactory)
    slug = factory.Sequence(lambda n: f"relation-{n}")
    state = Relation.State.COOPERATIVE
    summary = "Close, and growing closer."


class DevelopmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Development
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Development {n}")
    slug = factory.Sequence(lambda n: f"development-{n}")
    date = datetime.date(2022, 9, 14)
    dimension = Development.Dimension.DIPLOMATIC
    tone = Development.Tone.COOPERATION

    @factory.post_generation
    def participants(development, create, extracted, **kwargs):
        if create and extracted:
            development.participants.set(extracted)
