"""The demo content: `load_demo` loads it safely and it holds together; `demo_account` is development-only."""

import datetime
import html
import re
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from articles.anchoring import fold
from articles.links import normalise_url
from articles.management.commands.load_demo import FIXTURE
from articles.models import Article, Citation, Claim, ClaimEvidence, Source
from articles.rendering import render_body
from relations.models import Actor, Development, Membership, Relation
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

SLUG = "central-asia-a-year-into-russias-war"

# A few notes and the sources they must name: lost addresses (the fixture's Citation rows decide)
# and addresses (the renderer finds the source by URL).
EXPECTED_NOTES = {
    1: "sanctions-outlook-central-asia-2022",
    3: "gas-union-proposal-2022",
    7: "kazakhstan-russian-entries-2022",
    8: "kyrgyzstan-russian-arrivals-2022",
    13: "russia-bases-redeployment-2022",
    16: "china-customs-2022",
    17: "xinhua-china-central-asia-trade-2022",
    22: "iran-drone-factory-tajikistan-2022",
    23: "eu-central-asia-summit-2022",
    24: "us-central-asia-policy-2022",
    27: "kyrgyzstan-president-cholpon-ata-2022",
}


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def article():
    load_demo()
    return Article.objects.get(slug=SLUG)


def fixture_rows(model: str) -> list[dict]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return [row["fields"] for row in yaml.safe_load(handle) if row["model"] == model]


def plain_text_from_html(body_html: str) -> str:
    """What a reader sees, without the note numbers."""
    text = re.sub(r'<sup class="note-ref"[^>]*>.*?</sup>', "", body_html)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+([.,:;])", r"\1", text)  # the tag-stripping spaces before punctuation
    return " ".join(text.split())


def plain_text_from_markdown(body: str) -> str:
    """The Markdown with each link written as its words and headings unmarked."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)
    text = re.sub(r"^#+ ", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def all_counts() -> dict[str, int]:
    counts = {}
    for app in ("articles", "relations"):
        for model in apps.get_app_config(app).get_models():
            counts[model._meta.label] = model.objects.count()
            for field in model._meta.many_to_many:
                counts[f"{model._meta.label}.{field.name}"] = field.remote_field.through.objects.count()
    return counts


def test_load_demo_twice_gives_the_same_rows_and_says_what_it_loaded():
    first_output = load_demo()
    first = all_counts()
    second_output = load_demo()
    assert all_counts() == first
    assert first_output == second_output
    assert re.fullmatch(
        r"Demo content: 1 article, \d+ sources, \d+ claims, \d+ actors, \d+ relations, \d+ developments\.\n",
        first_output,
    )
    assert first["articles.Article"] == 1
    # Rendering created no placeholder sources: every source is one the fixture names.
    assert first["articles.Source"] == len(fixture_rows("articles.source"))


def test_load_demo_is_atomic_and_refuses_an_address_held_by_another_source():
    SourceFactory(key="someone-elses-source", url="https://www.state.gov/")
    with pytest.raises(CommandError, match="someone-elses-source"):
        load_demo()
    assert not Article.objects.exists()
    assert Source.objects.count() == 1


def test_the_demo_article_is_a_public_feature_with_byline_topics_and_actors(article):
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert article.kind == Article.Kind.FEATURE
    assert article.first_published_at == article.published_at
    assert article.dek and article.summary
    assert [author.slug for author in article.authors.all()] == ["mirela-aster"]
    assert {topic.name for topic in article.topics.all()} == {
        "Security",
        "Energy",
        "Migration",
        "Trade",
        "Diplomacy",
    }
    assert {"kazakhstan", "russia", "china", "csto", "gazprom"} <= set(
        article.actors.values_list("slug", flat=True)
    )
    assert article.developments.count() >= 10
    assert 900 <= len(plain_text_from_markdown(article.body).split()) <= 1350


def test_the_body_renders_numbered_notes_each_with_a_source(article):
    links = render_body(article.body).links
    assert len(links) >= 18
    assert article.body_html.count('class="note-ref"') == len(links) >= 15
    assert "](" not in article.body_html
    assert article.citations.count() == len(links)
    citations = Citation.objects.filter(article=article).select_related("source")
    assert all(citation.source_id for citation in citations)
    lost = {citation.source for citation in citations if not citation.source.url}
    assert len(lost) >= 5
    assert {source.link_status for source in lost} == {Source.LinkStatus.MISSING}
    assert sum(1 for link in links if not link.url) >= 5


def test_every_note_names_the_right_source(article):
    citations = {citation.number: citation for citation in article.citations.select_related("source")}
    for number, key in EXPECTED_NOTES.items():
        assert citations[number].source.key == key, number
    for link in render_body(article.body).links:
        citation = citations[link.number]
        assert citation.anchor_text == link.anchor_text
        if link.url:
            assert citation.source.normalised_url == normalise_url(link.url)
        else:
            assert citation.source.url == ""
            assert citation.source.title != link.anchor_text  # a real source, not a placeholder


def test_fixture_sources_keep_their_normalised_addresses_in_step():
    for fields in fixture_rows("articles.source"):
        assert fields["normalised_url"] == normalise_url(fields["url"]), fields["key"]
    load_demo()
    for source in Source.objects.all():
        assert source.normalised_url == normalise_url(source.url)


def test_every_claim_quote_is_in_the_article_text(article):
    texts = [plain_text_from_html(article.body_html), plain_text_from_markdown(article.body)]
    claims = list(article.claims.all())
    assert len(claims) >= 12
    for claim in claims:
        assert not claim.orphaned, claim.quote
        for text in texts:
            assert claim.quote in text, claim.quote
            # The context is kept as readers see it (curly quotes); matching ignores typography.
            assert fold(f"{claim.quote_prefix}{claim.quote}{claim.quote_suffix}") in fold(text), claim.quote


def test_every_claim_has_evidence_and_statuses_vary(article):
    claims = Claim.objects.filter(article=article).prefetch_related("evidence", "actors")
    for claim in claims:
        assert claim.evidence.exists(), claim.statement
        assert claim.actors.exists(), claim.statement
    statuses = [claim.status for claim in claims]
    assert statuses.count(Claim.Status.DISPUTED) == 1
    assert statuses.count(Claim.Status.UNVERIFIED) == 2
    assert statuses.count(Claim.Status.VERIFIED) >= 10
    disputed = claims.get(status=Claim.Status.DISPUTED)
    assert disputed.evidence.filter(stance=ClaimEvidence.Stance.CONTRADICTS).exists()
    assert disputed.evidence.filter(stance=ClaimEvidence.Stance.SUPPORTS).exists()
    assert Claim.objects.filter(evidence__stance=ClaimEvidence.Stance.SUPPORTS).count() > len(claims)


def test_quantities_have_units(article):
    with_quantity = Claim.objects.filter(quantity_value__isnull=False)
    assert with_quantity.count() >= 5
    assert not with_quantity.filter(quantity_unit="").exists()
    china = Claim.objects.get(quote__contains="$70 billion")
    assert (china.quantity_value, china.quantity_unit, china.quantity_period) == (
        Decimal("70000000000"),
        "USD",
        "2022",
    )
    assert sorted(china.sources.values_list("key", flat=True)) == [
        "china-customs-2022",
        "xinhua-china-central-asia-trade-2022",
    ]
    assert Claim.objects.get(quote__contains="45 per cent").quantity_unit == "per cent"
    kyrgyz = Claim.objects.get(quote__contains="184,000")
    assert (kyrgyz.quantity_value, kyrgyz.quantity_unit) == (Decimal("184000"), "people")
    assert Claim.objects.get(quote__contains="395,000").quantity_value == Decimal("395000")
    kazakh = Claim.objects.get(quote__contains="half a million")
    assert (kazakh.quantity_value, kazakh.quantity_as_of) == (Decimal("500000"), datetime.date(2022, 10, 31))


def test_the_ledger_shows_each_kind_of_record(article):
    kazakh = Claim.objects.get(quote__contains="half a million")
    # An attributed estimate with bounds, for a period known to the month.
    assert (kazakh.claimant, kazakh.claimant_actor.slug) == ("Kazakh officials", "kazakhstan")
    assert (kazakh.quantity_lower, kazakh.quantity_upper) == (Decimal("450000"), Decimal("500000"))
    assert (kazakh.quantity_period_start, kazakh.quantity_time_precision) == (
        datetime.date(2022, 1, 1),
        "month",
    )
    # A contradicting source with its passage, and graded sources behind it.
    against = kazakh.evidence.get(stance=ClaimEvidence.Stance.CONTRADICTS)
    assert "every crossing" in against.passage
    assert {item.source.grade for item in kazakh.evidence.select_related("source")} == {"B3", "A2", "B2"}
    assert kazakh.evidence.filter(stance=ClaimEvidence.Stance.CONTEXT).exists()
    # Its review history ends where the claim stands, and a later claim updates it.
    history = list(kazakh.reviews.order_by("at").values_list("from_status", "to_status", "user_name"))
    assert history == [("unverified", "verified", "Dana Analyst"), ("verified", "disputed", "Eli Editor")]
    assert (kazakh.checked_by_name, kazakh.checked_at) == ("Eli Editor", kazakh.reviews.first().at)
    update = kazakh.links_in.get()
    assert (update.kind, update.from_claim.quote) == ("updates", "of whom tens of thousands stayed")
    # A derived figure.
    growth = Claim.objects.get(quote__contains="45 per cent")
    assert growth.derived_from == Claim.objects.get(quote__contains="$70 billion")
    # A grade with a history, the latest kept on the source.
    xinhua = Source.objects.get(key="xinhua-china-central-asia-trade-2022")
    assert [a.grade for a in xinhua.assessments.all()] == ["C2", "C4"]
    assert xinhua.grade == "C2"
    # Every checked claim's history explains its status.
    for claim in Claim.objects.exclude(checked_at=None):
        assert claim.reviews.first().to_status == claim.status, claim.statement


def test_actors_and_memberships():
    load_demo()
    states = Actor.objects.filter(kind=Actor.Kind.STATE)
    assert {"KZ", "KG", "TJ", "TM", "UZ", "RU", "UA", "CN", "TR", "IR", "AF", "US"} <= set(
        states.values_list("iso_code", flat=True)
    )
    assert Actor.objects.get(slug="kazakhstan").wikidata_id == "Q232"
    assert "Astana" in Actor.objects.get(slug="kazakhstan").alias_list
    assert Actor.objects.get(slug="central-asia").kind == Actor.Kind.REGION
    assert Actor.objects.get(slug="gazprom").kind == Actor.Kind.COMPANY

    def members(organisation, role=Membership.Role.MEMBER):
        rows = Membership.objects.filter(organisation__slug=organisation, role=role)
        return set(rows.values_list("member__slug", flat=True))

    assert members("organization-of-turkic-states", Membership.Role.OBSERVER) == {"turkmenistan"}
    assert {"turkey", "kazakhstan", "kyrgyzstan", "uzbekistan"} == members("organization-of-turkic-states")
    assert {"russia", "kazakhstan", "kyrgyzstan", "tajikistan"} <= members("csto")
    assert {"russia", "kazakhstan", "kyrgyzstan", "armenia", "belarus"} == members("eaeu")
    assert not Membership.objects.exclude(organisation__kind=Actor.Kind.ORGANISATION).exists()


def test_developments_have_participants_dates_and_evidence():
    load_demo()
    developments = Development.objects.prefetch_related("participants")
    assert developments.count() >= 10
    for development in developments:
        assert development.participants.count() >= 2, development.slug
        assert development.description, development.slug
        assert -2 <= development.tone <= 2
    fighting = Development.objects.get(slug="kyrgyz-tajik-border-fighting-2022")
    assert (fighting.dimension, fighting.tone) == (Development.Dimension.SECURITY, -2)
    assert fighting.claims.exists()
    assert Development.objects.get(slug="eu-central-asia-summit-2022").date == datetime.date(2022, 10, 27)


def test_relations_are_stored_in_canonical_order_with_timelines():
    load_demo()
    relations = list(Relation.objects.all())
    assert len(relations) >= 6
    for relation in relations:
        assert relation.actor_a_id < relation.actor_b_id, relation.slug
        assert relation.developments().exists(), relation.slug
    assert Relation.objects.get(slug="kyrgyzstan-tajikistan").developments().filter(tone=-2).exists()


def test_demo_account_refuses_outside_development_mode():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match=r"DEBUG=true"):
        call_command("demo_account", stdout=StringIO())
    assert not get_user_model().objects.filter(username="editor").exists()


def _logs_in(client, username: str) -> bool:
    """Log in through the admin's own form, as a person would (and as login throttling sees it)."""
    response = client.post(
        reverse("admin:login"), {"username": username, "password": "footnote-demo", "next": "/admin/"}
    )
    logged_in = response.status_code == 302 and response["Location"] == "/admin/"
    client.logout()
    return logged_in


def test_demo_account_creates_or_resets_one_account_per_desk_role(client):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo_account", "--port", "8123", stdout=out)
    assert (
        "Admin: http://127.0.0.1:8123/admin/  users: analyst, editor, admin  password: footnote-demo "
        "(development only)" in out.getvalue()
    )
    users = {user.username: user for user in get_user_model().objects.prefetch_related("groups")}
    roles = {name: [group.name for group in user.groups.all()] for name, user in users.items()}
    assert roles == {"analyst": ["Analyst"], "editor": ["Editor"], "admin": ["Administrator"]}
    assert [name for name, user in users.items() if user.is_superuser] == ["admin"]
    assert all(_logs_in(client, name) for name in users)

    editor = users["editor"]
    editor.set_password("something-else")
    editor.is_active = False
    editor.save()
    with override_settings(DEBUG=True):
        call_command("demo_account", stdout=StringIO())
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert _logs_in(client, "editor")
