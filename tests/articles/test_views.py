import datetime
import itertools
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Citation, Claim, ClaimEvidence, ClaimLink, Source
from articles.workflow import (
    article_mark_updated,
    article_publish,
    article_withdraw,
    claim_set_status,
    source_assess,
)
from tests.conftest import in_role
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    CorrectionFactory,
    DevelopmentFactory,
    RelationFactory,
    SourceFactory,
    StaffFactory,
    TopicFactory,
    UserFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries, future, past, start_tags

pytestmark = pytest.mark.django_db

_unique = itertools.count()


def only_own_scripts_and_data(html: str) -> bool:
    """Every script element is the site's own file or JSON-LD data: nothing inline runs."""
    scripts = [attrs for tag, attrs in start_tags(html) if tag == "script"]
    return all(
        a.get("src", "").startswith("/static/") or a.get("type") == "application/ld+json" for a in scripts
    )


def elements(response) -> list[tuple[str, dict[str, str]]]:
    return start_tags(response.content.decode())


def article_with(notes: int, **fields) -> Article:
    """A published article with `notes` numbered notes and as many claims, each with evidence and an actor."""
    prefix = next(_unique)
    body = " ".join(f"Point [{i}](https://example.org/{prefix}/{i})." for i in range(1, notes + 1))
    article = ArticleFactory(body=body, **fields)
    ArticleAuthorFactory(article=article, author=AuthorFactory(), position=0)
    article.topics.add(TopicFactory())
    article.actors.add(ActorFactory())
    CorrectionFactory(article=article)
    for position in range(notes):
        claim = ClaimFactory(article=article, position=position, quantity_value=1, quantity_unit="USD")
        ClaimEvidenceFactory(claim=claim, source=SourceFactory())
        claim.actors.add(ActorFactory())
    return article


unpublished_states = pytest.mark.parametrize(
    "state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES)
)


def editor_with_change_permission():
    return in_role(StaffFactory(), "Editor")


# Home and the article list


def test_home_shows_the_latest_published_articles_with_the_lead_first(client):
    older = ArticleFactory(title="Older piece", published_at=past(days=5))
    lead = ArticleFactory(title="Newest piece", summary="The lead summary.", published_at=past(days=1))

    response = client.get(reverse("articles:home"))

    assert response.status_code == 200
    assert response.context["lead"] == lead
    assert list(response.context["articles"]) == [older]
    html = response.content.decode()
    assert html.index("Newest piece") < html.index("Older piece")
    assert 'class="card card--lead"' in html
    assert "The lead summary." in html


def _link(response, rel: str) -> str:
    return next(
        attrs["href"] for tag, attrs in start_tags(response.content.decode()) if attrs.get("rel") == rel
    )


def test_article_list_shows_twenty_articles_a_page_newest_first_and_back(client):
    articles = [ArticleFactory(published_at=past(days=n)) for n in range(1, 26)]
    url = reverse("articles:article-list")

    first = client.get(url)
    second = client.get(url + _link(first, "next"))
    back = client.get(url + _link(second, "prev"))

    assert list(first.context["articles"]) == articles[:20]
    assert list(second.context["articles"]) == articles[20:]
    assert list(back.context["articles"]) == articles[:20]
    assert 'rel="next"' not in second.content.decode()


@pytest.mark.parametrize("cursor", ["x", "0", "-1", "MjAyMi0wMS0wMXwx", "bm90IGEgY3Vyc29y", "%00"])
def test_a_cursor_that_is_not_ours_answers_404(client, cursor):
    ArticleFactory()
    for side in ("older", "newer"):
        assert client.get(reverse("articles:article-list"), {side: cursor}).status_code == 404


def test_an_empty_article_list_still_has_a_first_page(client):
    response = client.get(reverse("articles:article-list"))
    assert response.status_code == 200
    assert "No published articles yet." in response.content.decode()


# The article page


def test_article_page_shows_title_dek_kind_bylines_in_order_and_linked_topics(client):
    article = ArticleFactory(title="Trade in the steppe", dek="Why the corridor matters.", kind="brief")
    second = AuthorFactory(name="Zhanna Second", affiliation="Almaty Desk", bio="Covers energy.")
    first = AuthorFactory(name="Aibek First", affiliation="Eurasia Programme", bio="Covers trade.")
    ArticleAuthorFactory(article=article, author=second, position=2)
    ArticleAuthorFactory(article=article, author=first, position=1)
    topic = TopicFactory(name="Trade")
    article.topics.add(topic)

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Trade in the steppe — Footnote</title>" in html
    assert '<meta name="description" content="Why the corridor matters.">' in html
    assert "Why the corridor matters." in html
    assert "Brief" in html
    assert html.index("Aibek First") < html.index("Zhanna Second")
    for text in ("Eurasia Programme", "Covers trade.", "Almaty Desk", "Covers energy."):
        assert text in html
    assert f'href="{topic.get_absolute_url()}"' in html
    assert f'<time datetime="{article.published_at.isoformat()}"' in html


def test_article_page_renders_the_body_html_and_numbers_its_notes_with_back_links(client):
    article = ArticleFactory(
        body="Trade [grew](https://example.org/trade) and [migration](https://example.org/migration) rose."
    )
    Citation.objects.filter(article=article, number=1).update(source=SourceFactory(title="Customs report"))

    response = client.get(article.get_absolute_url())

    found = elements(response)
    notes = [attrs["id"] for tag, attrs in found if tag == "li" and attrs.get("id", "").startswith("note-")]
    refs = [attrs["id"] for tag, attrs in found if tag == "sup" and attrs.get("id", "").startswith("ref-")]
    back_links = [
        attrs["href"] for tag, attrs in found if tag == "a" and "note-back" in attrs.get("class", "")
    ]
    note_links = [
        attrs["href"] for tag, attrs in found if tag == "a" and attrs.get("href", "").startswith("#note-")
    ]
    assert notes == ["note-1", "note-2"]
    assert refs == ["ref-1", "ref-2"]
    assert back_links == ["#ref-1", "#ref-2"]
    assert note_links == ["#note-1", "#note-2"]
    html = response.content.decode()
    assert "Customs report" in html
    assert 'href="https://example.org/migration"' in html


def test_a_note_names_its_source_with_publisher_date_and_address(client):
    source = SourceFactory(
        title="Trade statistics 2022",
        publisher="Customs Office",
        published_on=datetime.date(2023, 1, 13),
        url="https://customs.example/stats",
    )
    article = ArticleFactory(body="Trade [grew](https://customs.example/stats).")
    assert article.citations.get().source == source

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Trade statistics 2022" in html
    assert "Customs Office" in html
    assert '<time datetime="2023-01-13">13 January 2023</time>' in html
    assert '<a class="note-url" href="https://customs.example/stats"' in html
    assert "Link missing" not in html


def test_a_note_whose_source_lost_its_address_says_link_missing(client):
    article = ArticleFactory(body="Many [workers](#) left.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert article.citations.get().source.url == ""
    assert '<span class="link-missing">Link missing: the address of this source was lost.</span>' in html


def test_article_page_lists_its_claims_with_status_and_one_line_of_evidence(client):
    article = ArticleFactory()
    claim = ClaimFactory(
        article=article,
        statement="Trade exceeded $70 billion in 2022.",
        status=Claim.Status.DISPUTED,
        quantity_value=Decimal("70000000000"),
        quantity_unit="USD",
        quantity_approximation="more_than",
        quantity_period="2022",
    )
    ClaimEvidenceFactory(
        claim=claim, source=SourceFactory(title="Customs yearbook"), stance="contradicts", locator="table 3"
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Claims in this article" in html
    assert f'<a href="{claim.get_absolute_url()}">Trade exceeded $70 billion in 2022.</a>' in html
    assert '<span class="badge badge--disputed">' in html
    assert "1 source contradicts." in html
    assert "Customs yearbook" not in html  # the sources, their stances and figures are on the claim page


def test_article_page_links_the_actors_it_mentions_and_shows_corrections(client):
    article = ArticleFactory()
    actor = ActorFactory(name="Kazakhstan")
    article.actors.add(actor)
    CorrectionFactory(article=article, text="An earlier version gave the wrong year.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'<a href="{actor.get_absolute_url()}">Kazakhstan</a>' in html
    assert "Corrections" in html
    assert "An earlier version gave the wrong year." in html


def _updated_dates(client, article) -> list[str]:
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    texts = [span.get_text(" ", strip=True) for span in page.find_all("span")]
    return [text for text in texts if text.startswith("· Updated")]


def test_an_updated_date_shows_only_once_an_editor_marks_the_change_as_an_update(client):
    article = ArticleFactory(published_at=past(days=10))
    article.title = "Edited since"
    article.save()
    assert _updated_dates(client, article) == []

    article_mark_updated(article=article, user=None, note="New figures for 2023.")

    today = timezone.localdate().strftime("%-d %B %Y")
    assert _updated_dates(client, article) == [f"· Updated {today}"]


def test_a_hostile_body_or_title_never_reaches_the_page_unescaped(client):
    article = ArticleFactory(
        title='<script>alert("title")</script>',
        dek="<img src=x onerror=alert(1)>",
        body='Hi <script>alert("body")</script> [x](javascript:alert(1)) <a href="#" onclick="evil()">y</a>',
    )
    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>" not in html
    assert only_own_scripts_and_data(html)
    assert "<img" not in html
    assert 'href="javascript:' not in html
    assert all(not name.startswith("on") for _, attrs in start_tags(html) for name in attrs)
    assert "&lt;script&gt;" in html


# What the public may not see


@unpublished_states
def test_anonymous_reader_cannot_see_an_unpublished_article(client, state):
    article = ArticleFactory(**state())
    assert client.get(article.get_absolute_url()).status_code == 404


@unpublished_states
def test_the_claims_of_an_unpublished_article_answer_404(client, state):
    claim = ClaimFactory(article=ArticleFactory(**state()))
    assert client.get(claim.get_absolute_url()).status_code == 404


@unpublished_states
def test_sources_cited_or_used_only_by_an_unpublished_article_answer_404(client, state):
    article = ArticleFactory(body="[cited](https://example.org/only-in-draft)", **state())
    cited = article.citations.get().source
    evidence = ClaimEvidenceFactory(claim=ClaimFactory(article=article)).source

    assert client.get(cited.get_absolute_url()).status_code == 404
    assert client.get(evidence.get_absolute_url()).status_code == 404


@unpublished_states
def test_an_author_of_only_unpublished_articles_answers_404(client, state):
    author = AuthorFactory()
    ArticleAuthorFactory(article=ArticleFactory(**state()), author=author)
    assert client.get(author.get_absolute_url()).status_code == 404


@unpublished_states
def test_unpublished_articles_are_absent_from_every_list(client, state):
    author, topic, actor = AuthorFactory(), TopicFactory(), ActorFactory()
    shown = ArticleFactory(title="Public piece")
    hidden = ArticleFactory(title="Hidden piece", **state())
    for article in (shown, hidden):
        ArticleAuthorFactory(article=article, author=author)
        article.topics.add(topic)
        article.actors.add(actor)

    pages = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        author.get_absolute_url(),
        topic.get_absolute_url(),
        actor.get_absolute_url(),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "Public piece" in html, url
        assert "Hidden piece" not in html, url
    home = client.get(reverse("articles:home")).content.decode()
    assert topic.name in home


@unpublished_states
def test_a_source_page_lists_only_public_citations_and_claims(client, state):
    source = SourceFactory(url="https://example.org/shared")
    shown = ArticleFactory(title="Public piece", body="[a](https://example.org/shared)")
    hidden = ArticleFactory(title="Hidden piece", body="[a](https://example.org/shared)", **state())
    ClaimEvidenceFactory(claim=ClaimFactory(article=shown, statement="Public claim."), source=source)
    ClaimEvidenceFactory(claim=ClaimFactory(article=hidden, statement="Hidden claim."), source=source)

    html = client.get(source.get_absolute_url()).content.decode()

    assert "Public piece" in html
    assert "Public claim." in html
    assert "Hidden piece" not in html
    assert "Hidden claim." not in html


# Staff preview


def test_an_editor_previews_an_unpublished_article_with_a_banner_and_no_caching(client):
    article = article_with(2, status=Article.Status.DRAFT, published_at=None, title="Work in progress")
    client.force_login(editor_with_change_permission())

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview — not published" in html
    assert "Work in progress" in html
    assert '<li id="note-2" value="2">' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private", "max-age=0"):
        assert directive in cache_control


def test_an_editor_sees_a_published_article_without_the_preview_banner(client):
    article = ArticleFactory()
    client.force_login(editor_with_change_permission())

    response = client.get(article.get_absolute_url())

    assert "Preview — not published" not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_analyst_previews_their_own_draft_but_not_another_analysts(client, analyst_user):
    own = ArticleFactory(status=Article.Status.DRAFT, published_at=None, created_by=analyst_user)
    other = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(analyst_user)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_user_who_is_not_staff_cannot_preview_even_with_the_change_permission(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, created_by=user)
    client.force_login(user)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_staff_user_without_the_change_permission_cannot_preview(client):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(StaffFactory())
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_superuser_previews_a_scheduled_article(admin_client):
    article = ArticleFactory(published_at=future())
    response = admin_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()


def test_preview_does_not_open_claim_and_source_pages_of_a_draft(client):
    article = ArticleFactory(
        status=Article.Status.DRAFT, published_at=None, body="[a](https://example.org/d)"
    )
    claim = ClaimFactory(article=article)
    client.force_login(editor_with_change_permission())
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert client.get(article.citations.get().source.get_absolute_url()).status_code == 404


# Claim, source, author and topic pages


def test_claim_page_shows_statement_status_quote_quantity_evidence_and_article(client):
    article = ArticleFactory(title="The summit")
    claim = ClaimFactory(
        article=article,
        statement="Kazakhstan accounted for $31 billion.",
        status=Claim.Status.FALSE,
        quote="accounted for about $31 billion",
        quote_prefix="Kazakhstan alone",
        quantity_value=Decimal("31000000000.5000"),
        quantity_unit="USD",
        quantity_as_of=datetime.date(2022, 12, 31),
    )
    evidence = ClaimEvidenceFactory(
        claim=claim, source=SourceFactory(title="Bureau summary"), locator="p. 12"
    )
    claim.actors.add(ActorFactory(name="Kazakhstan"))

    response = client.get(claim.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kazakhstan accounted for $31 billion." in html
    assert '<span class="badge badge--false">' in html
    assert "<mark>accounted for about $31 billion</mark>" in html
    assert '<data value="31000000000.5000">31,000,000,000.5</data> USD' in html
    assert '<time datetime="2022-12-31">31 December 2022</time>' in html
    assert f'href="{evidence.source.get_absolute_url()}">Bureau summary</a>' in html
    assert "(p. 12)" in html
    assert f'<a href="{article.get_absolute_url()}">The summit</a>' in html
    assert "Kazakhstan</a>" in html


def _facts(page: BeautifulSoup) -> dict[str, str]:
    return {
        term.get_text(strip=True): term.find_next_sibling("dd").get_text(" ", strip=True)
        for term in page.select("dl.facts dt")
    }


def test_claim_page_shows_the_ledger_a_reader_may_see(client, editor_user):
    kazakhstan = ActorFactory(name="Kazakhstan")
    earlier = ClaimFactory(statement="Arrivals were counted in September.")
    claim = ClaimFactory(
        statement="Close to half a million Russians entered Kazakhstan.",
        claimant_actor=kazakhstan,
        claimant_name="Kazakh officials",
        quantity_value=Decimal("500000"),
        quantity_lower=Decimal("400000"),
        quantity_upper=Decimal("600000"),
        quantity_unit="people",
        quantity_approximation="close_to",
        quantity_period_start=datetime.date(2022, 9, 1),
        quantity_as_of=datetime.date(2022, 10, 31),
        quantity_time_precision="month",
        derived_from=earlier,
    )
    later = ClaimFactory(statement="Most of them have left again.")
    ClaimLink.objects.create(from_claim=later, kind=ClaimLink.Kind.UPDATES, to_claim=claim)
    hidden = ClaimFactory(article=ArticleFactory(status=Article.Status.DRAFT, published_at=None))
    ClaimLink.objects.create(from_claim=claim, kind=ClaimLink.Kind.CONTRADICTS, to_claim=hidden)
    ministry = SourceFactory(title="Border service data")
    source_assess(source=ministry, reliability="B", credibility=3, origin="primary", user=None, note="Secret")
    ClaimEvidenceFactory(
        claim=claim, source=ministry, stance="contradicts", locator="table 2", passage="Fewer than 400,000."
    )
    AuthorFactory(name="Dana Editor", user=editor_user)
    claim_set_status(claim=claim, status=Claim.Status.DISPUTED, user=editor_user, note="Reviewer's own note")

    page = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")

    facts = _facts(page)
    assert facts["Claimed by"] == "Kazakh officials"
    assert page.select_one(f"dl.facts a[href='{kazakhstan.get_absolute_url()}']")
    figure = page.select_one(".quantity").get_text()
    assert figure == "close to 500,000 people (range 400,000–600,000), September 2022–October 2022"
    assert [Decimal(data["value"]) for data in page.select(".quantity data")] == [500000, 400000, 600000]
    assert facts["Derived from"].startswith("“Arrivals were counted in September.”")
    status = page.select_one(".record__status").get_text(" ", strip=True)
    assert status.startswith("Status: Disputed last reviewed") and status.endswith("by Dana Editor")
    evidence = page.select_one("ul.evidence li")
    assert evidence.select_one(".stance").get_text() == "Contradicts"
    assert evidence.select_one(".grade__code").get_text() == "B3"
    assert evidence.select_one("blockquote.passage").get_text() == "Fewer than 400,000."
    related = [item.get_text(" ", strip=True) for item in page.select(".claim-links li")]
    assert len(related) == 1 and related[0].startswith("“Most of them have left again.”")
    assert "updates this claim" in related[0]
    html = str(page)
    assert "Reviewer's own note" not in html and "Secret" not in html
    assert hidden.statement not in html


def test_a_reviewer_without_a_byline_is_shown_as_the_editors(client, editor_user):
    claim = claim_set_status(claim=ClaimFactory(), status=Claim.Status.VERIFIED, user=editor_user)
    page = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")
    status = page.select_one(".record__status").get_text(" ", strip=True)
    assert status.endswith("by Footnote’s editors")


def test_claim_page_leads_to_each_development_in_its_relations_timeline(client):
    relation = RelationFactory()
    outsider = ActorFactory()
    development = DevelopmentFactory(
        title="Treaty signed", participants=[relation.actor_a, relation.actor_b, outsider]
    )
    claim = ClaimFactory()
    claim.developments.add(development)

    page = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")

    [item] = page.select("[aria-labelledby=developments-heading] li")
    assert "Treaty signed" in item.get_text()
    assert [link["href"] for link in item.select("a")] == [
        f"{relation.get_absolute_url()}#development-{development.slug}"
    ]
    timeline = BeautifulSoup(client.get(relation.get_absolute_url()).content, "html.parser")
    assert timeline.select_one(f"#development-{development.slug}")


def test_source_page_shows_the_record_the_grade_and_the_link_health(client):
    source = SourceFactory(
        title="Migration statistics",
        author="Bureau of National Statistics; Sadykova, Aigerim",
        container_title="Statistical Bulletin",
        doi="10.1000/xyz123",
        accessed_on=datetime.date(2026, 11, 1),
    )
    ArticleFactory(body=f"[Figures]({source.url}) show it.")
    source_assess(source=source, reliability="A", credibility=2, state_affiliated=True, user=None, note="why")
    checked = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        link_status=Source.LinkStatus.BROKEN, link_checked_at=checked, link_error="404 Not Found"
    )

    page = BeautifulSoup(client.get(source.get_absolute_url()).content, "html.parser")

    facts = _facts(page)
    assert facts["Authors"] == "Bureau of National Statistics; Sadykova, Aigerim"
    assert facts["In"] == "Statistical Bulletin"
    assert page.select_one("a[href='https://doi.org/10.1000/xyz123']")
    assert facts["Assessment"].startswith("A2 : completely reliable; probably true. State-affiliated outlet.")
    assert "why" not in facts["Assessment"]
    assert facts["Link"].startswith("Broken when last checked") and "(404 Not Found)" in facts["Link"]
    downloads = {link.get_text(): link["href"] for link in page.select(".cite-downloads a")}
    assert downloads == {
        "CSL-JSON": reverse("articles:source-cite-json", args=[source.pk]),
        "BibTeX": reverse("articles:source-cite-bib", args=[source.pk]),
    }


def test_source_page_shows_the_source_and_where_it_is_cited(client):
    source = SourceFactory(title="Customs yearbook", publisher="Customs Office", url="https://example.org/y")
    article = ArticleFactory(title="Trade piece", body="[Trade](https://example.org/y) grew.")

    html = client.get(source.get_absolute_url()).content.decode()

    assert "Customs yearbook" in html
    assert "Customs Office" in html
    assert '<a class="note-url" href="https://example.org/y"' in html
    assert f'href="{article.get_absolute_url()}#note-1">note 1</a>' in html


def test_source_page_says_link_missing_for_a_source_without_an_address(client):
    article = ArticleFactory(body="[lost](#)")
    html = client.get(article.citations.get().source.get_absolute_url()).content.decode()
    assert "Link missing" in html


def test_author_page_shows_the_author_and_their_published_articles(client):
    author = AuthorFactory(name="Aigerim S.", affiliation="Senior fellow", bio="Covers trade corridors.")
    ArticleAuthorFactory(article=ArticleFactory(title="Corridor piece"), author=author)
    ArticleFactory(title="Someone else's piece")

    html = client.get(author.get_absolute_url()).content.decode()

    assert "Aigerim S." in html
    assert "Senior fellow" in html
    assert "Covers trade corridors." in html
    assert "Corridor piece" in html
    assert "Someone else&#x27;s piece" not in html


def test_topic_page_lists_its_published_articles(client):
    topic = TopicFactory(name="Energy")
    ArticleFactory(title="Pipeline piece").topics.add(topic)
    ArticleFactory(title="Unrelated piece")

    response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Energy" in html
    assert "Pipeline piece" in html
    assert "Unrelated piece" not in html


def test_a_topic_with_only_unpublished_articles_is_not_public(client):
    topic = TopicFactory(name="Secret pipeline deal")
    ArticleFactory(status=Article.Status.DRAFT).topics.add(topic)

    assert client.get(topic.get_absolute_url()).status_code == 404
    assert "Secret pipeline deal" not in client.get("/").content.decode()


def test_unknown_addresses_answer_404_in_the_site_style(client):
    for url in ("/articles/nope/", "/claims/999/", "/sources/999/", "/authors/nope/", "/topics/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_the_server_error_page_renders_without_any_context():
    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
    assert "Footnote" in html


def test_robots_txt_allows_everything_but_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert not any(line.strip() == "Disallow: /" for line in lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_pages_link_only_the_feeds_icon_and_stylesheet_and_run_no_inline_script(client):
    article = article_with(1)
    html = client.get(article.get_absolute_url()).content.decode()
    link_hrefs = [a["href"] for tag, a in start_tags(html) if tag == "link"]
    assert link_hrefs == [
        f"http://testserver{article.get_absolute_url()}",
        "/feeds/articles.rss",
        "/feeds/articles.atom",
        "/feed.json",
        "/static/favicon.svg",
        "/static/css/footnote.css",
        "/static/css/print.css",
    ]
    assert only_own_scripts_and_data(html)
    assert " style=" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


# Speed: a fixed number of queries whatever the number of rows


def test_article_page_runs_the_same_queries_for_one_note_or_forty(client):
    small, large = article_with(1), article_with(40)
    assert large.citations.count() == 40
    assert ClaimEvidence.objects.filter(claim__article=large).count() == 40

    small_count = count_queries(client, small.get_absolute_url())
    large_count = count_queries(client, large.get_absolute_url())

    assert small_count == large_count
    assert large_count <= 13


def test_preview_runs_the_same_queries_for_one_note_or_forty(client):
    client.force_login(editor_with_change_permission())
    small = article_with(1, status=Article.Status.DRAFT, published_at=None)
    large = article_with(40, status=Article.Status.DRAFT, published_at=None)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


def test_home_and_article_list_run_the_same_queries_for_one_article_or_many(client):
    article_with(1)
    urls = [reverse("articles:home"), reverse("articles:article-list")]
    before = [count_queries(client, url) for url in urls]
    for _ in range(24):
        article_with(0)
    after = [count_queries(client, url) for url in urls]
    assert before == after
    assert max(after) <= 7


def test_author_and_topic_pages_run_the_same_queries_for_one_article_or_many(client):
    author, topic = AuthorFactory(), TopicFactory()

    def add_article():
        article = article_with(0)
        ArticleAuthorFactory(article=article, author=author, position=1)
        article.topics.add(topic)

    add_article()
    urls = [author.get_absolute_url(), topic.get_absolute_url()]
    before = [count_queries(client, url) for url in urls]
    for _ in range(24):
        add_article()
    after = [count_queries(client, url) for url in urls]
    assert before == after
    assert max(after) <= 6


def test_claim_page_runs_the_same_queries_for_one_evidence_row_or_many(client):
    def claim_with(rows):
        claim = ClaimFactory(derived_from=ClaimFactory(), claimant_actor=ActorFactory())
        for _ in range(rows):
            ClaimEvidenceFactory(claim=claim)
            claim.actors.add(ActorFactory())
            ClaimFactory(derived_from=claim)
            ClaimLink.objects.create(from_claim=claim, kind=ClaimLink.Kind.UPDATES, to_claim=ClaimFactory())
            ClaimLink.objects.create(from_claim=ClaimFactory(), kind=ClaimLink.Kind.RESTATES, to_claim=claim)
            relation = RelationFactory()
            development = DevelopmentFactory(participants=[relation.actor_a, relation.actor_b])
            claim.developments.add(development)
        return claim

    small, large = claim_with(1), claim_with(30)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
    assert count_queries(client, large.get_absolute_url()) <= 11


def test_source_page_runs_the_same_queries_for_one_use_or_many(client):
    def source_used(times):
        source = SourceFactory()
        for _ in range(times):
            article = ArticleFactory(body="", render=False)
            Citation.objects.create(article=article, number=1, source=source)
            ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=source)
        return source

    small, large = source_used(1), source_used(30)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
    assert count_queries(client, large.get_absolute_url()) <= 4


def test_a_stored_address_that_is_not_http_never_becomes_a_link(client):
    article = ArticleFactory(body="[a](https://example.org/fine)")
    # Imports and scripts can store what a form would refuse.
    Source.objects.filter(pk=article.citations.get().source_id).update(
        url="javascript:alert(1)", archive_url="javascript:alert(2)"
    )

    for url in (article.get_absolute_url(), article.citations.get().source.get_absolute_url()):
        html = client.get(url).content.decode()
        hrefs = [attrs.get("href", "") for tag, attrs in start_tags(html) if tag == "a"]
        assert not any(href.lower().startswith("javascript") for href in hrefs), url
        assert "archived copy" not in html


def test_a_source_without_an_address_says_link_missing_only_when_it_is_a_placeholder(client):
    interview = SourceFactory(key="interview", url="", title="Interview with an official, Ashgabat")
    article = ArticleFactory(body="[an official said](source:interview) and [lost](#).")
    page = client.get(article.get_absolute_url()).content.decode()
    notes = page[page.index('id="note-1"') :]
    first, second = notes.split('id="note-2"')
    assert interview.title in first and "Link missing" not in first
    assert "Link missing" in second


def test_a_source_page_lists_an_address_only_for_a_source_that_has_or_lost_one(client):
    interview = SourceFactory(key="interview", url="", title="Interview with an official, Ashgabat")
    article = ArticleFactory(body="[an official said](source:interview) and [lost](#).")
    lost = article.citations.get(number=2).source

    def facts(source) -> dict[str, str]:
        page = BeautifulSoup(client.get(source.get_absolute_url()).content, "html.parser")
        names = [term.get_text(strip=True) for term in page.select("dl.facts dt")]
        return dict(
            zip(names, [value.get_text(strip=True) for value in page.select("dl.facts dd")], strict=True)
        )

    assert "Address" not in facts(interview)
    assert facts(lost)["Address"] == "Link missing: the address of this source was lost."


# A withdrawn article


def _withdrawn(client, editor_user, note: str) -> Article:
    article = article_with(2, title="Ferghana water talks")
    article_withdraw(article=article, user=editor_user, note=note)
    return article


def test_a_withdrawn_article_answers_410_with_when_and_why_and_none_of_its_text(client, editor_user):
    article = _withdrawn(client, editor_user, "A figure in it could not be confirmed.\nSee the correction.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text() == "Ferghana water talks"
    assert "could not be confirmed" in page.blockquote.get_text()
    article.refresh_from_db()
    withdrawn = [t["datetime"] for t in page.select(".meta time")]
    assert withdrawn == [article.first_published_at.isoformat(), article.withdrawn_at.isoformat()]
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not page.select(".article-body, .notes, .claims")
    assert client.get(article.claims.first().get_absolute_url()).status_code == 404


def test_an_article_withdrawn_without_a_reason_says_none_was_given(client, editor_user):
    article = _withdrawn(client, editor_user, "")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    page = BeautifulSoup(response.content, "html.parser")
    assert page.blockquote is None
    assert "gave no public reason" in page.select_one(".prose p").get_text()


def test_an_article_withdrawn_before_its_scheduled_time_was_never_public_and_answers_404(client, editor_user):
    article = ArticleFactory(published_at=future(), title="Not yet out")
    article_withdraw(article=article, user=editor_user, note="Pulled before publication.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert b"Not yet out" not in response.content


def test_republishing_a_withdrawn_article_removes_its_notice(client, editor_user):
    article = _withdrawn(client, editor_user, "Legal review.")
    article_publish(article=article, user=editor_user)
    article.refresh_from_db()
    assert (article.withdrawn_at, article.withdrawal_notice) == (None, "")
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_withdrawn_article_notice_is_escaped(client, editor_user):
    article = _withdrawn(client, editor_user, "<script>alert(1)</script>")
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    assert page.select("main script") == []
    assert page.blockquote.get_text() == "<script>alert(1)</script>"
