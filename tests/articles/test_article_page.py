"""An article page as a reader reads it: notes that open in place, sentences that carry a claim
marked and leading to it, a compact claims section, calm missing links and related articles."""

import datetime
import itertools

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from articles.models import Article, Claim, ClaimEvidence
from articles.selectors import related_articles_published
from articles.services import article_render, claim_anchor
from tests.conftest import in_role
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    SourceFactory,
    StaffFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries, past

pytestmark = pytest.mark.django_db

_unique = itertools.count()

BODY = (
    "Moscow courted the region. Vladimir Putin [made five trips to Central Asia](https://a.example/trips) "
    "in 2022, more than anywhere else.\n\n"
    "Trade with China [exceeded $70 billion](https://a.example/customs) in 2022."
)
TRIPS = "Vladimir Putin made five trips to Central Asia in 2022"
TRADE = "Trade with China exceeded $70 billion in 2022"


def page(client, article: Article) -> BeautifulSoup:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def anchored(article: Article, quote: str, **fields) -> Claim:
    """A claim on `quote`, anchored to the text as the admin does it."""
    return claim_anchor(claim=ClaimFactory(article=article, quote=quote, **fields))


def marked(soup: BeautifulSoup) -> dict[str, str]:
    """The words marked for each claim, by claim id, and the claim page each sign leads to."""
    words: dict[str, str] = {}
    for piece in soup.select(".article-body .claim-mark"):
        words[piece["data-claim"]] = words.get(piece["data-claim"], "") + piece.get_text()
    signs = {sign["data-claim"]: sign["href"] for sign in soup.select(".article-body a.claim-ref")}
    assert set(signs) == set(words)
    return {claim: " ".join(text.split()) for claim, text in words.items()}


def signs(soup: BeautifulSoup) -> dict[str, str]:
    return {sign["data-claim"]: sign["href"] for sign in soup.select(".article-body a.claim-ref")}


# Notes in place


def test_each_note_number_links_to_its_note_and_the_sites_own_script_opens_it_in_place(client):
    article = ArticleFactory(body=BODY)

    soup = page(client, article)

    triggers = soup.select(".article-body sup.note-ref > a")
    assert [trigger["href"] for trigger in triggers] == ["#note-1", "#note-2"]
    assert [trigger["aria-label"] for trigger in triggers] == ["Note 1", "Note 2"]
    for trigger in triggers:  # the target a popover copies is in the page, in the notes list
        note = soup.find(id=trigger["href"][1:])
        assert note.name == "li" and note.find_parent("ol")["class"] == ["notes"]
        assert note.select_one("a.note-source")
    scripts = soup.find_all("script")
    own = [script for script in scripts if script.get("src", "").endswith("js/notes.js")]
    assert len(own) == 1 and own[0].has_attr("defer")
    assert own[0]["src"].startswith(settings.STATIC_URL)
    assert all(script.get("src") or script.get("type") == "application/ld+json" for script in scripts)


def test_a_note_whose_source_lost_its_address_says_so_calmly(client):
    article = ArticleFactory(body="Many [workers](#) left.")

    note = page(client, article).find(id="note-1")

    missing = note.select_one(".link-missing")
    assert missing.get_text() == "Link missing: the address of this source was lost."
    assert not note.select("a.note-url")


# Sentences that carry a claim


def test_a_sentence_carrying_a_claim_is_marked_and_leads_to_the_public_claim(client):
    article = ArticleFactory(body=BODY)
    trips = anchored(article, TRIPS)

    soup = page(client, article)

    assert marked(soup) == {str(trips.pk): TRIPS}
    assert signs(soup) == {str(trips.pk): trips.get_absolute_url()}
    assert client.get(trips.get_absolute_url()).status_code == 200
    sign = soup.select_one("a.claim-ref")
    assert sign["aria-label"] == f"Claim, verified: {trips.statement}"
    # The popover copies the claim from the claims section, where the sign finds it by id.
    assert soup.find(id=f"claim-{trips.pk}").find_parent("section")["class"] == ["claims-section"]


def test_a_deleted_claim_is_no_longer_marked(client):
    article = ArticleFactory(body=BODY)
    trips, trade = anchored(article, TRIPS), anchored(article, TRADE)
    assert set(marked(page(client, article))) == {str(trips.pk), str(trade.pk)}

    trips.delete()

    assert marked(page(client, article)) == {str(trade.pk): TRADE}


def test_a_claim_whose_words_were_edited_out_of_the_text_is_no_longer_marked(client):
    article = ArticleFactory(body=BODY)
    trips, trade = anchored(article, TRIPS), anchored(article, TRADE)
    assert set(marked(page(client, article))) == {str(trips.pk), str(trade.pk)}

    article.body = BODY.replace("made five trips", "travelled")
    article_render(article=article)

    trips.refresh_from_db()
    assert trips.orphaned
    assert marked(page(client, article)) == {str(trade.pk): TRADE}


def test_a_claim_whose_words_moved_is_marked_where_they_are_now(client):
    article = ArticleFactory(body=BODY)
    trade = anchored(article, TRADE)

    article.body = "A new opening paragraph.\n\n" + BODY.replace("in 2022.", "in 2022, customs said.")
    article_render(article=article)

    assert marked(page(client, article)) == {str(trade.pk): TRADE}


def test_a_claim_re_anchored_to_other_words_is_marked_there(client):
    article = ArticleFactory(body=BODY)
    claim = anchored(article, TRIPS)

    claim.quote = "more than anywhere else"
    claim.save()  # as the admin saves it, then anchors it again
    claim_anchor(claim=claim)

    assert marked(page(client, article)) == {str(claim.pk): "more than anywhere else"}


def test_a_claims_new_status_shows_on_its_sign_at_the_next_request(client):
    article = ArticleFactory(body=BODY)
    claim = anchored(article, TRIPS)
    assert "claim-ref--verified" in page(client, article).select_one("a.claim-ref")["class"]

    claim.status = Claim.Status.DISPUTED
    claim.save()

    assert "claim-ref--disputed" in page(client, article).select_one("a.claim-ref")["class"]


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_the_claims_of_an_article_readers_cannot_see_are_never_marked_not_even_in_preview(client, state):
    article = ArticleFactory(body=BODY)
    claim = anchored(article, TRIPS)

    for field, value in state().items():
        setattr(article, field, value)
    article.save()

    assert client.get(article.get_absolute_url()).status_code in {404, 410}
    assert client.get(claim.get_absolute_url()).status_code == 404
    client.force_login(in_role(StaffFactory(), "Editor"))
    preview = page(client, article)
    assert preview.select_one(".preview-banner")
    assert not preview.select(".claim-mark, .claim-ref")


# The claims section


def test_the_claims_section_shows_each_claims_statement_status_and_one_line_of_evidence(client):
    article = ArticleFactory(body=BODY)
    trips = anchored(article, TRIPS, status=Claim.Status.DISPUTED)
    for stance in ["supports", "supports", "contradicts"]:
        ClaimEvidenceFactory(claim=trips, stance=stance, source=SourceFactory(title=f"Report on {stance}"))
    trade = anchored(article, TRADE)
    ClaimEvidenceFactory(claim=trade, stance=ClaimEvidence.Stance.CONTEXT)
    bare = ClaimFactory(article=article, statement="A claim with no evidence yet.")

    section = page(client, article).select_one(".claims-section")

    items = section.select("li.claim")
    assert [item["id"] for item in items] == [f"claim-{c.pk}" for c in (trips, trade, bare)]
    first = items[0]
    assert first.select_one(".badge--disputed").get_text(" ", strip=True) == "Status: Disputed"
    statement = first.select_one(".claim__statement a")
    assert (statement["href"], statement.get_text()) == (trips.get_absolute_url(), trips.statement)
    lines = [item.select_one(".evidence-line").get_text() for item in items]
    assert lines == [
        "2 sources support, 1 contradicts.",
        "1 source gives context.",
        "No evidence recorded yet.",
    ]
    assert "Report on" not in section.get_text()  # the sources themselves are on the claim's page
    assert not section.select(".evidence, .passage, .quantity")


# Related articles


def article_about(*, topics=(), actors=(), days_ago: int = 1, **fields) -> Article:
    article = ArticleFactory(**{"published_at": past(days_ago), **fields})
    article.topics.add(*topics)
    article.actors.add(*actors)
    return article


def test_related_articles_share_topics_or_actors_the_most_shared_first_then_the_newest():
    energy, security = TopicFactory(), TopicFactory()
    russia, china = ActorFactory(), ActorFactory()
    article = article_about(topics=[energy, security], actors=[russia, china])
    one_old = article_about(topics=[energy], days_ago=30)
    one_new = article_about(actors=[china], days_ago=2)
    three = article_about(topics=[energy, security], actors=[russia], days_ago=90)
    two = article_about(topics=[security], actors=[russia], days_ago=60)
    article_about(topics=[TopicFactory()], actors=[ActorFactory()])  # shares nothing

    assert list(related_articles_published(article=article)) == [three, two, one_new, one_old]


def test_related_articles_are_at_most_four_and_never_the_article_itself():
    topic = TopicFactory()
    article = article_about(topics=[topic])
    others = [article_about(topics=[topic], days_ago=days) for days in range(2, 8)]

    assert list(related_articles_published(article=article)) == others[:4]


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_related_articles_are_never_unpublished_ones(state):
    topic = TopicFactory()
    article = article_about(topics=[topic])
    article_about(topics=[topic], **state())

    assert list(related_articles_published(article=article)) == []


def test_the_article_page_ends_with_its_related_articles(client):
    topic = TopicFactory()
    article = article_about(topics=[topic])
    other = article_about(topics=[topic], title="Gas across the Caspian")
    article_about(topics=[topic], status=Article.Status.DRAFT, published_at=None, title="A draft")

    section = page(client, article).select_one("section.related")

    links = [(link["href"], link.get_text()) for link in section.select("a.related__title")]
    assert links == [(other.get_absolute_url(), "Gas across the Caspian")]


def test_an_article_sharing_nothing_shows_no_related_articles_section(client):
    article = article_about(topics=[TopicFactory()])
    article_about(topics=[TopicFactory()])

    assert page(client, article).select_one("section.related") is None


# Speed


def article_with(claims: int) -> Article:
    """A published article with as many notes and claims, each claim marked, with evidence and an
    actor, and as many related articles."""
    prefix = next(_unique)
    sentences = [
        f"Point {prefix} number {i} [holds](https://example.org/{prefix}/{i})." for i in range(claims)
    ]
    article = ArticleFactory(body=" ".join(sentences))
    ArticleAuthorFactory(article=article, author=AuthorFactory(), position=0)
    topic = TopicFactory()
    article.topics.add(topic)
    article.actors.add(ActorFactory())
    for i in range(claims):
        claim = anchored(article, f"Point {prefix} number {i} holds", position=i)
        ClaimEvidenceFactory(claim=claim, source=SourceFactory())
        claim.actors.add(ActorFactory())
        related = ArticleFactory(published_at=past(2) - datetime.timedelta(minutes=i))
        related.topics.add(topic)
        ArticleAuthorFactory(article=related, author=AuthorFactory(), position=0)
    return article


def test_the_article_page_runs_the_same_queries_for_one_note_and_claim_or_forty(client):
    small, large = article_with(1), article_with(40)
    large_page = page(client, large)
    assert len(large_page.select(".article-body a.claim-ref")) == 40
    assert len(large_page.select("section.related a.related__title")) == 4

    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
