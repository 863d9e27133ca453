"""The desk, the admin's front page: each role sees what waits for them, and what needs curating."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.urls import reverse

from articles.desk import COUNTS_KEY, curation_counts
from articles.models import Article, Citation, Claim, ClaimEvidence, Source
from articles.workflow import article_send_back, article_submit, source_assess
from tests.factories import (
    ArticleFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DevelopmentFactory,
    SourceFactory,
)
from tests.helpers import count_queries, future, past

pytestmark = pytest.mark.django_db


def _desk(client) -> dict[str, list[str]]:
    page = BeautifulSoup(client.get(reverse("admin:index")).content, "html.parser")
    return {
        section.h2.get_text(): [item.get_text(" ", strip=True) for item in section.select("li")]
        or [section.select_one(".desk__empty").get_text()]
        for section in page.select(".desk section")
    }


def test_an_analyst_sees_their_drafts_with_what_was_sent_back_and_why(client, analyst_user, editor_user):
    mine = ArticleFactory(title="My draft", status="draft", published_at=None, created_by=analyst_user)
    returned = ArticleFactory(title="Came back", status="draft", published_at=None, created_by=analyst_user)
    article_submit(article=returned, user=analyst_user)
    article_send_back(article=returned, user=editor_user, note="Name the customs source.")
    ArticleFactory(title="Someone else's", status="draft", published_at=None)
    client.force_login(analyst_user)

    desk = _desk(client)

    assert sorted(desk["Your drafts"]) == sorted(["My draft", "Came back sent back Name the customs source."])
    assert desk["Yours in review"] == ["None of yours is in review."]
    assert "Waiting for review" not in desk
    assert mine.title in " ".join(desk["Your drafts"])


def test_an_editor_sees_what_waits_for_review_what_is_scheduled_and_what_went_out(client, editor_user):
    ArticleFactory(title="To review", status=Article.Status.IN_REVIEW)
    ArticleFactory(title="Tomorrow", published_at=future(days=1))
    ArticleFactory(title="Yesterday", published_at=past(days=1))
    ArticleFactory(title="Last year", published_at=past(days=365))
    client.force_login(editor_user)

    desk = _desk(client)

    assert desk["Waiting for review"] == ["To review"]
    assert [line.split(" ")[0] for line in desk["Scheduled"]] == ["Tomorrow"]
    assert [line.split(" ")[0] for line in desk["Published lately"]] == ["Yesterday"]


def test_the_curation_counts_link_to_the_lists_that_show_them(admin_client):
    unverified = ClaimFactory(status=Claim.Status.UNVERIFIED, statement="Unverified, no source.")
    contradicted = ClaimFactory(statement="Verified, contradicted.")
    ClaimEvidenceFactory(claim=contradicted, stance=ClaimEvidence.Stance.CONTRADICTS)
    disputed = ClaimFactory(status=Claim.Status.DISPUTED, statement="Disputed.")
    ClaimEvidenceFactory(claim=disputed)
    orphan = ClaimFactory(orphaned=True, statement="Orphaned.")
    ClaimEvidenceFactory(claim=orphan)
    broken = SourceFactory(title="Broken")
    Source.objects.filter(pk=broken.pk).update(link_status=Source.LinkStatus.BROKEN)
    source_assess(source=broken, reliability="C", credibility=3, user=None)
    confirmed, unconfirmed = DevelopmentFactory(title="Confirmed"), DevelopmentFactory(title="Unconfirmed")
    contradicted.developments.add(confirmed)
    unverified.developments.add(unconfirmed)
    page = BeautifulSoup(admin_client.get(reverse("admin:index")).content, "html.parser")

    counts = {
        link.get_text(" ", strip=True).split(" ", 1)[1]: (int(link.get_text().split()[0]), link["href"])
        for link in page.select(".desk__counts a")
    }

    def listed(label):
        number, url = counts[label]
        rows = admin_client.get(url).context["cl"].queryset
        assert rows.count() == number, label
        return {str(row) for row in rows}

    assert listed("claims to verify") == {str(unverified)}
    assert listed("claims without any source") == {str(unverified)}
    assert listed("contradicted or disputed claims") == {str(contradicted), str(disputed)}
    assert listed("orphaned claims") == {str(orphan)}
    # Each article the factories made has one note whose address was lost.
    assert counts["notes with a missing link"] == (
        Citation.objects.filter(source__placeholder=True).count(),
        reverse("admin:articles_missinglink_changelist"),
    )
    placeholders = {str(source) for source in Source.objects.filter(placeholder=True)}
    assert listed("sources with a missing or broken link") == {"Broken", *placeholders}
    assert "Broken" not in listed("sources not graded yet")
    assert listed("developments without verified evidence") == {"Unconfirmed"}


def test_the_desk_costs_the_same_queries_with_few_articles_or_many(client, editor_user):
    client.force_login(editor_user)
    ArticleFactory(status=Article.Status.IN_REVIEW)
    before = count_queries(client, reverse("admin:index"))
    for _ in range(12):
        ArticleFactory(status=Article.Status.IN_REVIEW)
        ArticleFactory(published_at=future(days=2))
        ClaimFactory()
    cache.delete(COUNTS_KEY)
    assert count_queries(client, reverse("admin:index")) == before


def test_the_curation_counts_are_kept_for_a_minute_and_the_lists_stay_current(admin_client):
    ClaimFactory(status=Claim.Status.UNVERIFIED)
    first = count_queries(admin_client, reverse("admin:index"))
    ClaimFactory(status=Claim.Status.UNVERIFIED)

    again = count_queries(admin_client, reverse("admin:index"))
    page = BeautifulSoup(admin_client.get(reverse("admin:index")).content, "html.parser")

    assert again == first - len(curation_counts())
    link = page.select_one(".desk__counts a[href$='curate=unverified']")
    assert link.get_text(" ", strip=True) == "1 claims to verify"
    assert admin_client.get(link["href"]).context["cl"].result_count == 2
    cache.delete(COUNTS_KEY)  # as when the minute is up
    page = BeautifulSoup(admin_client.get(reverse("admin:index")).content, "html.parser")
    assert page.select_one(".desk__counts a[href$='curate=unverified']").get_text(" ", strip=True) == (
        "2 claims to verify"
    )
