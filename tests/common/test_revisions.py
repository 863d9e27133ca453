"""Revisions in the admin: stale saves refused and merged, history with differences, restore."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from tests.conftest import in_role
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, StaffFactory
from tests.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors():
    clients = []
    for username, first in (("first", "Farida"), ("second", "Sami")):
        client = Client()
        client.force_login(
            in_role(StaffFactory(username=username, first_name=first, last_name="Ed"), "Editor")
        )
        clients.append(client)
    return clients


def _errors(response) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    return " ".join(item.get_text(" ", strip=True) for item in page.select(".errornote, .errorlist"))


def test_the_second_of_two_stale_saves_is_refused_merged_and_then_keeps_both(two_editors):
    first, second = two_editors
    article = ArticleFactory(title="Old title", dek="Old line", body="Old text.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))

    assert first.post(url, {**mine, "title": "New title", "body": "New text."}).status_code == 302
    refused = second.post(url, {**theirs, "dek": "Second's line"})

    assert refused.status_code == 200
    message = _errors(refused)
    assert "Farida Ed saved this article after you opened it" in message
    assert "Nothing of yours is saved yet" in message
    page = BeautifulSoup(refused.content, "html.parser")
    diffs = {d.summary.get_text(): d.select_one(".diff") for d in page.select("details.conflict")}
    assert set(diffs) == {"Title", "Body"}
    assert [d.get_text() for d in diffs["Title"].select("del")] == ["Old"]
    assert [i.get_text() for i in diffs["Title"].select("ins")] == ["New"]
    article.refresh_from_db()
    assert (article.title, article.dek, article.body) == ("New title", "Old line", "New text.")

    merged = form_data(refused)
    assert (merged["title"], merged["dek"], merged["body"]) == ("New title", "Second's line", "New text.")
    assert second.post(url, merged).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.dek, article.body) == ("New title", "Second's line", "New text.")


def test_when_both_change_the_same_field_the_form_keeps_yours_and_shows_theirs(two_editors):
    first, second = two_editors
    article = ArticleFactory(title="Old title")
    url = reverse("admin:articles_article_change", args=[article.pk])
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    first.post(url, {**mine, "title": "First's title"})

    refused = second.post(url, {**theirs, "title": "Second's title"})

    assert "You both changed title: the form keeps yours." in _errors(refused)
    assert form_data(refused)["title"] == "Second's title"
    article.refresh_from_db()
    assert article.title == "First's title"


@pytest.mark.parametrize(
    ("make", "admin_name", "field", "value"),
    [
        (ClaimFactory, "claim", "statement", "Reworded."),
        (SourceFactory, "source", "title", "Retitled"),
    ],
)
def test_stale_saves_of_claims_and_sources_are_refused_too(two_editors, make, admin_name, field, value):
    first, second = two_editors
    record = make()
    url = reverse(f"admin:articles_{admin_name}_change", args=[record.pk])
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    assert first.post(url, {**mine, field: value}).status_code == 302

    refused = second.post(url, {**theirs, "publisher" if admin_name == "source" else "quote": "Other"})

    assert refused.status_code == 200
    assert "Farida Ed saved this" in _errors(refused)
    record.refresh_from_db()
    assert getattr(record, field) == value


def test_a_save_that_nobody_raced_goes_through_and_keeps_a_revision(admin_client, superuser):
    source = SourceFactory(title="Before")
    url = reverse("admin:articles_source_change", args=[source.pk])
    for title in ("Once", "Twice"):
        assert admin_client.post(url, {**form_data(admin_client.get(url)), "title": title}).status_code == 302
    versions = Version.objects.get_for_object(source)
    assert [version.field_dict["title"] for version in versions] == ["Twice", "Once", "Before"]
    assert [version.revision.user for version in versions] == [superuser, superuser, None]
    assert versions[0].revision.comment == "Changed Title."


def test_the_history_compares_any_two_revisions_word_by_word(admin_client):
    article = ArticleFactory(body="Trade grew fast.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    for body in ("Trade grew very fast in 2022.", "Trade fell."):
        admin_client.post(url, {**form_data(admin_client.get(url)), "body": body})
    newest, _, oldest = Version.objects.get_for_object(article)
    history = reverse("admin:articles_article_history", args=[article.pk])

    page = BeautifulSoup(
        admin_client.get(history, {"older": oldest.pk, "newer": newest.pk}).content, "html.parser"
    )

    assert len(page.select(".revision-list tbody tr")) == 3
    assert page.select(".revision-list tbody tr td")[-2].get_text() == "As it was when its revisions began."
    [body] = [
        h3.find_next_sibling("div") for h3 in page.select(".revision-diff h3") if h3.get_text() == "Body"
    ]
    assert [d.get_text() for d in body.select("del")] == ["grew fast"]
    assert [i.get_text() for i in body.select("ins")] == ["fell"]


def test_restoring_from_the_history_brings_back_the_first_text(admin_client):
    article = ArticleFactory(title="First", body="First text.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.post(url, {**form_data(admin_client.get(url)), "title": "Second", "body": "Second."})
    first = Version.objects.get_for_object(article).last()
    kept = Version.objects.get_for_object(article).count()

    response = admin_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, first.pk]), follow=True
    )

    assert "Restored the revision of" in " ".join(str(m) for m in response.context["messages"])
    article.refresh_from_db()
    assert (article.title, article.body) == ("First", "First text.")
    assert Version.objects.get_for_object(article).count() == kept + 1


def test_an_analyst_cannot_restore_an_article_they_may_not_edit(client, analyst_user, admin_client):
    article = ArticleFactory(title="Published")
    url = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.get(url)
    version = Version.objects.get_for_object(article).get()
    client.force_login(analyst_user)
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, version.pk]))
    assert response.status_code == 403


def test_a_change_page_says_who_else_has_it_open(two_editors):
    first, second = two_editors
    claim = ClaimFactory()
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    first.get(url)

    page = BeautifulSoup(second.get(url).content, "html.parser")

    notice = page.select_one(".presence")
    assert not notice.has_attr("hidden")
    assert notice.select_one(".presence__names").get_text() == "Farida Ed"
    beat = second.get(notice["data-heartbeat-url"]).json()
    assert beat == {"others": ["Farida Ed"]}
    assert first.get(notice["data-heartbeat-url"]).json() == {"others": ["Sami Ed"]}


def test_the_heartbeat_is_for_those_who_may_see_the_record(client):
    article = ArticleFactory()
    client.force_login(StaffFactory())
    url = reverse("admin:articles_article_heartbeat", args=[article.pk])
    assert client.get(url).status_code == 404
