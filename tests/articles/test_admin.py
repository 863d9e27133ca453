import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Citation, Claim, ClaimLink, Source
from articles.services import article_render
from articles.workflow import claim_set_status
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    ClaimSuggestionFactory,
    CorrectionFactory,
    DevelopmentFactory,
    SourceFactory,
    StaffFactory,
    TopicFactory,
)
from tests.helpers import count_queries, form_data, management, start_tags
from tests.http_servers import FakeArchive, LinkSite

pytestmark = pytest.mark.django_db

ARTICLES_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "articles"),
    key=lambda model: model._meta.model_name,
)


@pytest.fixture
def content():
    """One of everything, linked together."""
    article = ArticleFactory()
    article.topics.add(TopicFactory())
    ArticleAuthorFactory(article=article)
    CorrectionFactory(article=article)
    china, kazakhstan = ActorFactory(), ActorFactory()
    claim = ClaimFactory(article=article, quantity_value=70, quantity_unit="billion USD")
    claim.actors.set([china, kazakhstan])
    claim.developments.set([DevelopmentFactory(participants=[china, kazakhstan])])
    ClaimEvidenceFactory(claim=claim)
    ClaimSuggestionFactory(article=article).sources.set([article.citations.first().source])
    return article


# Rows made from articles' texts, never added by hand.
MADE_FROM_TEXTS = {"citation", "claimsuggestion", "missinglink"}


@pytest.mark.parametrize("model", ARTICLES_MODELS, ids=lambda model: model._meta.model_name)
def test_every_admin_page_answers_for_a_superuser(admin_client, content, model):
    info = model._meta.app_label, model._meta.model_name
    obj = model.objects.first()

    assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (403 if info[1] in MADE_FROM_TEXTS else 200)
    assert admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _make_articles(n):
    for _ in range(n):
        article = ArticleFactory()
        ArticleAuthorFactory(article=article)
        ClaimFactory(article=article)


def _make_sources(n):
    for _ in range(n):
        source = SourceFactory()
        ClaimEvidenceFactory(source=source)


def _make_claims(n):
    for _ in range(n):
        ClaimEvidenceFactory(claim=ClaimFactory(checked_by=StaffFactory(), checked_at=timezone.now()))


@pytest.mark.parametrize(
    ("model_name", "make"),
    [("article", _make_articles), ("source", _make_sources), ("claim", _make_claims)],
)
def test_changelists_run_the_same_number_of_queries_for_one_row_or_thirty(admin_client, model_name, make):
    url = reverse(f"admin:articles_{model_name}_changelist")
    make(1)
    admin_client.get(url)  # warm the session and content type caches
    one = _queries(admin_client, url)
    make(29)
    thirty = _queries(admin_client, url)
    assert one == thirty


def test_the_article_changelist_shows_note_and_claim_counts(admin_client):
    article = ArticleFactory(body="[a](https://a.example) [b](https://b.example)")
    ClaimFactory(article=article)
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.citation_count, row.claim_count) == (2, 1)


def test_saving_an_article_from_the_add_form_renders_it_and_makes_a_note_per_link(admin_client):
    author, topic = AuthorFactory(), TopicFactory()
    body = (
        "Trade [grew](https://example.org/trade) while [migrants](https://example.org/migration) "
        "left and [the treaty](#) was signed. <script>alert(1)</script>"
    )
    data = {
        "title": "Trade and migration",
        "slug": "trade-and-migration",
        "dek": "",
        "kind": "analysis",
        "body": body,
        "summary": "",
        "topics": [str(topic.pk)],
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        **management("bylines", total=1),
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "1",
        **management("citations"),
        **management("claims"),
        **management("corrections"),
    }

    response = admin_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="trade-and-migration")
    assert 'id="ref-3"' in article.body_html
    assert "<script" not in article.body_html
    notes = list(article.citations.order_by("number").values_list("number", "anchor_text", "source__url"))
    assert notes == [
        (1, "grew", "https://example.org/trade"),
        (2, "migrants", "https://example.org/migration"),
        (3, "the treaty", ""),
    ]
    assert list(article.authors.all()) == [author]


def test_a_source_picked_for_a_note_without_an_address_is_written_into_the_text(admin_client):
    article = ArticleFactory(body="Trade [grew](https://example.org/trade) and [others](#) left.")
    placeholder = article.citations.get(number=2).source
    chosen = SourceFactory(key="chosen")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    assert data["body"] == "Trade [grew](https://example.org/trade) and [others](source:others) left."
    [index] = [k for k, v in data.items() if k.startswith("citations-") and k.endswith("-id")]
    assert data[index] == str(article.citations.get(number=2).pk)  # only notes without an address
    data[index.replace("-id", "-source")] = str(chosen.pk)
    data["body"] = "Trade [rose](https://example.org/trade) and [other people](source:others) left."

    response = admin_client.post(url, data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Trade [rose](https://example.org/trade) and [other people](source:chosen) left."
    assert article.citations.get(number=2).source == chosen
    assert not Source.objects.filter(pk=placeholder.pk).exists()


def test_a_pick_for_a_note_the_same_save_removed_is_refused_and_the_text_still_saved(admin_client):
    article = ArticleFactory(body="[others](#) left.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    [index] = [k for k, v in data.items() if k.startswith("citations-") and k.endswith("-id")]
    data[index.replace("-id", "-source")] = str(SourceFactory().pk)
    data["body"] = "No links any more."

    response = admin_client.post(url, data, follow=True)

    assert "changed while its source was being picked" in response.content.decode()
    article.refresh_from_db()
    assert (article.body, article.citations.count()) == ("No links any more.", 0)


def test_saving_a_lost_address_warns_and_links_to_the_missing_links_page(admin_client):
    article = ArticleFactory(body="Plain.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = "Now [one](#) and [two](#)."
    response = admin_client.post(url, data, follow=True)
    [message] = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert message.startswith("2 links without an address now each cite a placeholder source.")
    assert reverse("admin:articles_missinglink_changelist") in message


def test_the_article_change_page_shows_the_rendered_text(admin_client):
    article = ArticleFactory(body="Trade [grew](https://example.org/trade).")
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert b'<sup class="note-ref" id="ref-1">' in response.content
    assert b"link missing" not in response.content


def test_the_publish_action_publishes_now_even_what_had_a_later_time(admin_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    planned = ArticleFactory(
        status=Article.Status.IN_REVIEW, published_at=timezone.now() + datetime.timedelta(days=3)
    )

    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk, planned.pk]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == ["2 articles published."]
    for article in (draft, planned):
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert timezone.now() - article.published_at < datetime.timedelta(minutes=1)
        assert article.first_published_at == article.published_at
    assert set(Article.objects.published()) == {draft, planned}


def test_the_withdraw_action_withdraws(admin_client):
    article = ArticleFactory()
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "withdraw", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN


def test_changing_a_claim_status_records_who_checked_it_and_when(admin_client, superuser):
    claim = ClaimFactory(status=Claim.Status.UNVERIFIED)
    ClaimEvidenceFactory(claim=claim)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    data = form_data(admin_client.get(url))
    data["status"] = "disputed"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DISPUTED
    assert claim.checked_by == superuser
    assert timezone.now() - claim.checked_at < datetime.timedelta(minutes=1)
    assert claim.evidence.count() == 1


def test_saving_a_claim_without_changing_its_status_keeps_the_record(admin_client):
    checked_at = timezone.now() - datetime.timedelta(days=30)
    checker = StaffFactory()
    claim = ClaimFactory(checked_by=checker, checked_at=checked_at)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    data = form_data(admin_client.get(url))
    data["statement"] = "Reworded."

    assert admin_client.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert (claim.statement, claim.checked_by, claim.checked_at) == ("Reworded.", checker, checked_at)


def test_the_mark_verified_action_asks_why_then_records_the_checker_and_the_note(admin_client, superuser):
    claims = ClaimFactory.create_batch(2, status=Claim.Status.UNVERIFIED)
    chosen = {"action": "mark_verified", "_selected_action": [claim.pk for claim in claims]}
    changelist = reverse("admin:articles_claim_changelist")

    asked = admin_client.post(changelist, chosen)
    page = BeautifulSoup(asked.content, "html.parser")
    assert sorted(item.get_text() for item in page.select("#content ul li")) == sorted(map(str, claims))
    assert Claim.objects.filter(status=Claim.Status.VERIFIED).count() == 0

    admin_client.post(changelist, {**chosen, "apply": "1", "note": "Checked against customs tables."})
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.checked_by) == (Claim.Status.VERIFIED, superuser)
        review = claim.reviews.get()
        assert (review.from_status, review.to_status, review.note, review.user) == (
            "unverified",
            "verified",
            "Checked against customs tables.",
            superuser,
        )


def _staff_with(client, *codenames):
    user = StaffFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model_name", ["source", "claim"])
def test_staff_without_the_import_permission_cannot_reach_the_import_page(client, model_name):
    client = _staff_with(client, f"view_{model_name}", f"change_{model_name}", f"add_{model_name}")
    assert client.get(reverse(f"admin:articles_{model_name}_import")).status_code == 403
    assert client.post(reverse(f"admin:articles_{model_name}_process_import")).status_code == 403


@pytest.mark.parametrize("model_name", ["source", "claim"])
def test_staff_without_the_export_permission_cannot_export(client, model_name):
    client = _staff_with(client, f"view_{model_name}", f"change_{model_name}")
    assert client.get(reverse(f"admin:articles_{model_name}_export")).status_code == 403


def test_staff_with_the_import_permission_reach_the_import_page(client):
    client = _staff_with(client, "view_source", "change_source", "add_source", "import_source")
    assert client.get(reverse("admin:articles_source_import")).status_code == 200


def _upload(client, model_name, name, content):
    return client.post(
        reverse(f"admin:articles_{model_name}_import"),
        {"format": "0", "import_file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_importing_sources_through_the_admin_saves_them_after_confirmation(admin_client):
    csv = b"key,url,title,kind\nnew-report,https://www.example.org/r/?utm_source=x,New report,report\n"

    preview = _upload(admin_client, "source", "sources.csv", csv)

    assert preview.status_code == 200
    assert not Source.objects.exists()
    confirm = preview.context["confirm_form"]
    response = admin_client.post(
        reverse("admin:articles_source_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Source.objects.get(key="new-report").normalised_url == "https://example.org/r"


def test_an_import_with_a_bad_row_shows_the_error_and_offers_no_confirmation(admin_client):
    SourceFactory(url="https://example.org/taken")
    csv = b"key,url,title\nfine,https://example.org/fine,Fine\ncopy,https://www.example.org/taken/,Copy\n"

    response = _upload(admin_client, "source", "sources.csv", csv)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert b"Another source already has this address." in response.content
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("model_name", "content", "message"),
    [
        ("source", b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n\x00", "is refused: it is not UTF-8 text"),
        ("claim", b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n\x00", "is refused: it is not UTF-8 text"),
        ("source", b"", "The submitted file is empty."),
        ("source", b"title\nNo key column\n", "not present in the file headers: key"),
        ("claim", b"statement\nNo article column\n", "This field cannot be null."),
    ],
)
def test_a_malformed_upload_shows_an_error_instead_of_failing(admin_client, model_name, content, message):
    response = _upload(admin_client, model_name, "upload.csv", content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert message in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert not Source.objects.exists() and not Claim.objects.exists()


def test_the_claim_import_reports_an_unknown_evidence_source_by_name(admin_client, content):
    claim = Claim.objects.get()
    csv = (
        "uid,article,statement,status,evidence\n"
        f'{claim.uid},{claim.article.slug},Changed,unverified,"no-such-key | supports | p. 1"\n'
    ).encode()

    response = _upload(admin_client, "claim", "claims.csv", csv)

    assert response.status_code == 200
    assert "no-such-key" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement != "Changed"


def test_the_admin_export_escapes_formulae_without_eating_them(admin_client):
    SourceFactory(key="formula", title='=HYPERLINK("https://evil.example")', publisher="@team")

    response = admin_client.post(
        reverse("admin:articles_source_export"),
        {"format": "0", "resource": "0", "sourceresource_key": "on", "sourceresource_title": "on",
         "sourceresource_publisher": "on"},
    )  # fmt: skip

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert "'@team" in text


def test_an_existing_citation_cannot_be_added_or_deleted_in_the_article_form(admin_client):
    article = ArticleFactory()
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    citations = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Citation)
    assert not citations.has_add_permission
    assert not citations.has_delete_permission


def test_a_file_too_large_to_import_is_refused_with_its_size(admin_client, settings):
    settings.FOOTNOTE_MAX_IMPORT_BYTES = 1024
    csv = b"key,url,title\n" + b"".join(b"k%d,https://example.org/%d,T\n" % (n, n) for n in range(200))

    response = _upload(admin_client, "source", "sources.csv", csv)

    assert response.status_code == 200
    assert "a file can be at most 1.0\xa0KB" in response.content.decode()
    assert not Source.objects.exists()


def test_the_export_page_wires_select_all_from_a_file_not_an_inline_handler(admin_client):
    response = admin_client.get(reverse("admin:articles_source_export"))

    assert response.status_code == 200
    assert '<script src="/static/admin/js/export_select_all.js"></script>' in response.content.decode()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "www.un.org/report.pdf",
            "Note 1: “www.un.org/report.pdf” is not a web address. Did you mean “https://www.un.org/report.pdf”?",
        ),
        ("//un.org/report.pdf", "Did you mean “https://un.org/report.pdf”?"),
        ("ftp://files.example.org/a", "Only web pages (http:// or https://) can be cited"),
        ("mailto:desk@example.org", "Only web pages (http:// or https://) can be cited"),
        ("/about/", "Write the full address, starting with https://, or (#) if the address is lost."),
        ("source:no-such-source", "Note 1: no source has the citation key “no-such-source”."),
    ],
)
def test_a_link_that_names_no_source_is_an_error_on_the_body_with_advice(admin_client, link, message):
    article = ArticleFactory(body="Plain.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = f"See [the report]({link})."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["adminform"].form.errors["body"])
    article.refresh_from_db()
    assert article.body == "Plain."


def test_a_body_over_the_size_limit_is_refused_with_a_clear_message(admin_client, settings):
    settings.FOOTNOTE_MAX_BODY_CHARS = 100
    article = ArticleFactory(body="Plain.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = "x" * 150
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors["body"] == [
        "The text is 150 characters long; an article can have at most 100."
    ]


def test_changing_a_citation_key_in_the_admin_rewrites_the_links_that_name_it(admin_client):
    source = SourceFactory(key="old-key")
    article = ArticleFactory(body="[x](source:old-key)")
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_data(admin_client.get(url))
    data["key"] = "new-key"
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body == "[x](source:new-key)"


def test_picking_a_notes_source_does_not_offer_placeholders(admin_client):
    ArticleFactory(body="[lost words](#)")
    SourceFactory(title="lost and found report")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "lost", "app_label": "articles", "model_name": "citation", "field_name": "source"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["lost and found report"]


def test_the_orphaned_claims_are_listed_by_a_filter(admin_client):
    article = ArticleFactory(body="Trade rose.")
    gone = ClaimFactory(article=article, statement="Gone", quote="words that are not there")
    ClaimFactory(article=article, statement="Here", quote="Trade rose")
    article_render(article=article)
    response = admin_client.get(reverse("admin:articles_claim_changelist"), {"orphaned__exact": "1"})
    assert [claim.pk for claim in response.context["cl"].result_list] == [gone.pk]


def test_suggestions_are_accepted_or_rejected_from_the_list(admin_client):
    first, second = ClaimSuggestionFactory(), ClaimSuggestionFactory()
    url = reverse("admin:articles_claimsuggestion_changelist")
    admin_client.post(url, {"action": "accept", "_selected_action": [first.pk]})
    admin_client.post(url, {"action": "reject", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.claim.statement, first.claim.status) == (
        "accepted",
        first.statement,
        "unverified",
    )
    assert (second.state, second.claim) == ("rejected", None)


def test_a_suggestion_is_edited_then_accepted_from_its_page(admin_client):
    suggestion = ClaimSuggestionFactory()
    url = reverse("admin:articles_claimsuggestion_change", args=[suggestion.pk])
    data = form_data(admin_client.get(url))
    data["statement"] = "Trade rose by 45 per cent in 2022, year on year."
    response = admin_client.post(url, {**data, "_accept": "1"})
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.statement == "Trade rose by 45 per cent in 2022, year on year."


def test_staff_who_cannot_add_claims_cannot_accept_suggestions(client):
    user = StaffFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_claimsuggestion", "change_claimsuggestion"])
    )
    client.force_login(user)
    suggestion = ClaimSuggestionFactory()
    url = reverse("admin:articles_claimsuggestion_change", args=[suggestion.pk])
    data = form_data(client.get(url))
    assert client.post(url, {**data, "_accept": "1"}).status_code == 403
    changelist = reverse("admin:articles_claimsuggestion_changelist")
    offered = [name for name, _ in client.get(changelist).context["action_form"].fields["action"].choices]
    assert "reject" in offered and "accept" not in offered
    client.post(changelist, {"action": "accept", "_selected_action": [suggestion.pk]})
    assert Claim.objects.count() == 0


def test_the_suggest_action_suggests_claims_for_typed_articles(admin_client):
    ActorFactory(name="Kazakhstan", aliases="Kazakh")
    article = ArticleFactory(body="Kazakh trade rose by [45 per cent](#) in 2022. Nothing else happened.")
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "suggest_claims", "_selected_action": [article.pk]},
    )
    [suggestion] = article.claim_suggestions.all()
    assert suggestion.quote == "Kazakh trade rose by 45 per cent in 2022."
    assert (suggestion.quantity_value, suggestion.quantity_unit) == (45, "per cent")
    assert list(article.actors.values_list("name", flat=True)) == ["Kazakhstan"]


def test_the_notes_list_filters_notes_whose_address_was_lost(admin_client):
    ArticleFactory(body="[a](#) and [b](https://example.org/b)")
    response = admin_client.get(
        reverse("admin:articles_citation_changelist"), {"source__placeholder__exact": "1"}
    )
    assert [note.anchor_text for note in response.context["cl"].result_list] == ["a"]


def test_an_article_with_more_notes_than_the_limit_is_refused(admin_client, settings):
    settings.FOOTNOTE_MAX_NOTES = 3
    article = ArticleFactory(body="Plain.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = "[a](#) [b](#) [c](#) [d](#)"
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors["body"] == [
        "The text has 4 links; an article can have at most 3 notes."
    ]


def test_another_articles_placeholder_cannot_be_cited(admin_client):
    ArticleFactory(body="A draft's [secret words](#).", status="draft", published_at=None)
    article = ArticleFactory(body="Plain.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = "[borrowed](source:secret-words)"
    response = admin_client.post(url, data)
    assert (
        "stands in for a lost address in another article"
        in response.context["adminform"].form.errors["body"][0]
    )


def test_importing_notes_needs_the_right_to_change_articles_too(client):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_citation", "import_citation"]))
    client.force_login(user)
    url = reverse("admin:articles_citation_import")
    assert client.get(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    assert client.get(url).status_code == 200


def test_the_claims_list_filters_by_one_article_without_listing_every_article(admin_client):
    article, other = ArticleFactory(title="Chosen"), ArticleFactory(title="Other")
    mine = ClaimFactory(article=article)
    ClaimFactory(article=other)
    url = reverse("admin:articles_claim_changelist")

    response = admin_client.get(url, {"article": article.pk})

    assert [claim.pk for claim in response.context["cl"].result_list] == [mine.pk]
    filters = {
        spec.title: [choice["display"] for choice in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }
    assert filters["article"] == ["All", "Chosen"]
    assert "Other" not in [c for choices in filters.values() for c in choices]
    unfiltered = admin_client.get(url).context["cl"]
    assert "article" not in [spec.title for spec in unfiltered.filter_specs]


@pytest.mark.parametrize("model_name", ["article", "claim"])
def test_admin_search_reads_the_index_by_word_beginnings(admin_client, model_name):
    article = ArticleFactory(title="Kazakhstan and the grain corridor", body="Wheat moved by rail.")
    ClaimFactory(article=article, statement="Kazakhstan exported more grain.")
    response = admin_client.get(reverse(f"admin:articles_{model_name}_changelist"), {"q": "kazakh gra"})
    assert len(response.context["cl"].result_list) == 1
    assert (
        not admin_client.get(reverse(f"admin:articles_{model_name}_changelist"), {"q": "zeppelin"})
        .context["cl"]
        .result_list
    )


# The desk's rules, by crafted POST and by admin action


def _change(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {**form_data(client.get(url)), **changes}
    return client.post(url, data)


def test_a_crafted_status_or_publish_time_in_the_article_form_is_ignored(client, editor_user):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor_user)
    response = _change(client, article, title="Retitled", status="published", published_at_0="2024-01-01")
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status, article.published_at) == ("Retitled", "draft", None)


def test_an_analyst_edits_their_own_draft_but_not_once_submitted_nor_anothers(client, analyst_user):
    own = ArticleFactory(status=Article.Status.DRAFT, published_at=None, created_by=analyst_user)
    others = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(analyst_user)
    assert _change(client, own, title="Mine, edited").status_code == 302

    submitted = ArticleFactory(status=Article.Status.IN_REVIEW, created_by=analyst_user)
    for article in (others, submitted):
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(url)
        assert page.status_code == 200 and not page.context["has_change_permission"]  # read-only
        assert client.post(url, {"title": "Hijacked", "slug": article.slug}).status_code == 403
        article.refresh_from_db()
        assert article.title != "Hijacked"


@pytest.mark.parametrize("action", ["publish_now", "withdraw"])
def test_an_analyst_cannot_run_the_editors_actions(client, analyst_user, action):
    article = ArticleFactory(
        status=Article.Status.IN_REVIEW if action == "publish_now" else Article.Status.PUBLISHED,
        created_by=analyst_user,
    )
    client.force_login(analyst_user)
    listed = client.get(reverse("admin:articles_article_changelist"))
    offered = [value for value, _ in listed.context["action_form"].fields["action"].choices]
    assert action not in offered
    client.post(
        reverse("admin:articles_article_changelist"), {"action": action, "_selected_action": [article.pk]}
    )
    status = article.status
    article.refresh_from_db()
    assert article.status == status


def test_the_withdraw_action_reports_what_it_could_not_withdraw(admin_client):
    live, draft = (
        ArticleFactory(title="Live"),
        ArticleFactory(title="Draft", status="draft", published_at=None),
    )
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "withdraw", "_selected_action": [live.pk, draft.pk]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "“Draft”: Only a published or scheduled article can be withdrawn.",
        "1 article withdrawn.",
    ]


def test_a_claim_stays_with_its_article_whatever_the_post_says(client, analyst_user):
    published = ArticleFactory()
    hidden = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    claim = ClaimFactory(article=published)
    client.force_login(analyst_user)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    data = {**form_data(client.get(url)), "article": hidden.pk, "statement": "Reworded."}
    assert client.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert (claim.article, claim.statement) == (published, "Reworded.")


def test_changing_a_claims_status_in_its_form_records_the_checker_once(client, analyst_user):
    claim = ClaimFactory(status=Claim.Status.UNVERIFIED)
    client.force_login(analyst_user)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    client.post(url, {**form_data(client.get(url)), "status": "verified", "statement": "Checked wording."})
    claim.refresh_from_db()
    assert (claim.status, claim.statement, claim.checked_by_name) == (
        "verified",
        "Checked wording.",
        "Ana Lyst",
    )


def test_an_article_with_a_thousand_notes_and_hundreds_of_claims_opens_and_saves(admin_client, settings):
    links = [f"[n{number}](https://example.org/{number})" for number in range(1, 961)]
    links += [f"[lost {number}](#)" for number in range(40)]
    article = ArticleFactory(body=" ".join(f"Sentence {link}." for link in links))
    for position in range(400):
        ClaimFactory(article=article, position=position)
    url = reverse("admin:articles_article_change", args=[article.pk])

    data = form_data(admin_client.get(url))
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 4
    data["body"] += "\n\nOne more [note](https://example.org/extra)."
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert article.citations.count() == 1001
    assert article.claims.count() == 400


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_different_articles_that_add_the_same_new_link_both_succeed():
    """The loser of the race to create the new source looks again and cites the winner's."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections
    from django.test import Client

    from tests.conftest import in_role

    link = " See [the same report](https://new.example.org/report-{round})."
    rounds = 5
    editors = [in_role(StaffFactory(username=f"racer{n}"), "Editor") for n in range(2)]
    articles = [ArticleFactory(body="Text."), ArticleFactory(body="Other text.")]
    forms = []
    for editor, article in zip(editors, articles, strict=True):
        client = Client()
        client.force_login(editor)
        forms.append((client, reverse("admin:articles_article_change", args=[article.pk])))
    barrier = Barrier(2)

    def save(client, url, round):
        try:
            data = form_data(client.get(url))
            data["body"] += link.format(round=round)
            barrier.wait()
            return client.post(url, data).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for round in range(rounds):
            codes = list(pool.map(lambda form, r=round: save(*form, r), forms))
            assert codes == [302, 302], codes

    for round in range(rounds):
        [source] = Source.objects.filter(url=f"https://new.example.org/report-{round}")
        assert Citation.objects.filter(source=source).count() == 2


def test_the_source_list_links_only_web_addresses(admin_client):
    SourceFactory(title="Hostile", url="javascript:alert(1)")  # stored by a script, past the form
    SourceFactory(title="Fine", url="https://example.org/report")
    page = admin_client.get(reverse("admin:articles_source_changelist")).content.decode()
    hrefs = [attrs.get("href", "") for tag, attrs in start_tags(page) if tag == "a"]
    assert "https://example.org/report" in hrefs
    assert not [href for href in hrefs if href.lower().startswith("javascript")]


def test_only_an_editor_links_an_author_to_an_account(client, analyst_user, editor_user):
    theirs = AuthorFactory(user=editor_user)
    client.force_login(analyst_user)
    url = reverse("admin:articles_author_change", args=[theirs.pk])
    client.post(url, {**form_data(client.get(url)), "user": analyst_user.pk, "bio": "Edited."})
    theirs.refresh_from_db()
    assert (theirs.user, theirs.bio) == (editor_user, "Edited.")

    client.force_login(editor_user)
    client.post(url, {**form_data(client.get(url)), "user": analyst_user.pk})
    theirs.refresh_from_db()
    assert theirs.user == analyst_user


def test_suggesting_claims_runs_only_on_articles_the_user_may_change(client, analyst_user):
    own = ArticleFactory(title="Own", status="draft", published_at=None, created_by=analyst_user)
    published = ArticleFactory(title="Published")
    client.force_login(analyst_user)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "suggest_claims", "_selected_action": [own.pk, published.pk]},
        follow=True,
    )
    assert "“Published”: you may not change this article." in [str(m) for m in response.context["messages"]]
    assert not published.claim_suggestions.exists() and not published.actors.exists()


def test_an_articles_page_costs_the_same_queries_with_few_claims_or_many(admin_client):
    article = ArticleFactory()
    ClaimFactory(article=article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.get(url)  # its first revision is kept on the first visit
    before = count_queries(admin_client, url)
    for position in range(30):
        ClaimFactory(article=article, position=position)
    assert count_queries(admin_client, url) == before


# The evidence ledger on the desk


def _save(client, url, **changes):
    data = {**form_data(client.get(url)), **changes}
    return client.post(url, data)


def test_changing_a_claims_status_in_its_form_keeps_the_why_in_its_history(admin_client, superuser):
    claim = ClaimFactory(status=Claim.Status.VERIFIED)
    url = reverse("admin:articles_claim_change", args=[claim.pk])

    response = _save(admin_client, url, status="outdated", review_note="The 2023 figure replaces it.")

    assert response.status_code == 302
    review = claim.reviews.get()
    assert (review.from_status, review.to_status, review.note, review.user) == (
        "verified",
        "outdated",
        "The 2023 figure replaces it.",
        superuser,
    )
    page = BeautifulSoup(admin_client.get(url).content, "html.parser")
    history = page.select_one("#reviews-group")
    assert "The 2023 figure replaces it." in history.get_text()
    # kept as it was, never edited here
    assert not history.select("input:not([type=hidden]), textarea, select")


def test_saving_a_claim_without_changing_its_status_adds_no_review(admin_client):
    claim = ClaimFactory(status=Claim.Status.VERIFIED)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    assert _save(admin_client, url, statement="Reworded.").status_code == 302
    assert not claim.reviews.exists()


def test_a_reviewed_claim_is_kept_never_deleted(admin_client):
    reviewed = claim_set_status(claim=ClaimFactory(), status=Claim.Status.FALSE, user=None)
    fresh = ClaimFactory()
    assert admin_client.get(reverse("admin:articles_claim_delete", args=[reviewed.pk])).status_code == 403
    assert admin_client.get(reverse("admin:articles_claim_delete", args=[fresh.pk])).status_code == 200
    changelist = admin_client.get(reverse("admin:articles_claim_changelist"))
    actions = [
        option["value"]
        for option in BeautifulSoup(changelist.content, "html.parser").select("select[name=action] option")
    ]
    assert "delete_selected" not in actions


def test_grading_a_source_in_its_form_goes_into_its_grading_history(admin_client, superuser):
    source = SourceFactory()
    url = reverse("admin:articles_source_change", args=[source.pk])

    response = _save(
        admin_client,
        url,
        grade_reliability="B",
        grade_credibility="2",
        grade_origin="primary",
        grade_note="Official customs data.",
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.grade, source.origin) == ("B2", "primary")
    assert [(a.grade, a.note, a.user) for a in source.assessments.all()] == [
        ("B2", "Official customs data.", superuser)
    ]
    assert _save(admin_client, url, title="Renamed").status_code == 302
    assert source.assessments.count() == 1  # no new grade, no new grading


def test_half_a_grade_is_refused(admin_client):
    source = SourceFactory()
    url = reverse("admin:articles_source_change", args=[source.pk])
    response = _save(admin_client, url, grade_reliability="B")
    assert response.status_code == 200
    errors = BeautifulSoup(response.content, "html.parser").select_one(".errorlist.nonfield")
    assert "needs both a reliability" in errors.get_text()
    assert not source.assessments.exists()


def test_without_the_right_to_grade_the_grades_are_not_on_the_form(client):
    source = SourceFactory()
    client = _staff_with(client, "view_source", "change_source")
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_data(client.get(url))
    assert not {name for name in data if name.startswith("grade_")}
    assert (
        client.post(
            url, {**data, "title": "Renamed", "grade_reliability": "A", "grade_credibility": "1"}
        ).status_code
        == 302
    )
    source.refresh_from_db()
    assert (source.title, source.grade) == ("Renamed", "")


def test_the_link_state_is_shown_but_never_edited_in_the_form(admin_client):
    source = SourceFactory()
    url = reverse("admin:articles_source_change", args=[source.pk])
    _save(admin_client, url, link_status="ok", link_error="forged")
    source.refresh_from_db()
    assert (source.link_status, source.link_error) == ("unchecked", "")


def test_a_claims_page_shows_the_claims_that_bear_on_it(admin_client):
    claim = ClaimFactory(statement="Close to half a million entered.")
    ClaimLink.objects.create(
        from_claim=ClaimFactory(statement="Tens of thousands stayed."), kind="updates", to_claim=claim
    )
    ClaimFactory(statement="Up by half.", derived_from=claim)
    page = BeautifulSoup(
        admin_client.get(reverse("admin:articles_claim_change", args=[claim.pk])).content, "html.parser"
    )
    shown = page.select_one(".field-bearing_on_this .readonly").get_text("|", strip=True).split("|")
    assert shown == [
        "Tens of thousands stayed.",
        "updates this claim",
        "Up by half.",
        "is derived from this claim",
    ]


@pytest.mark.django_db(transaction=True)
def test_checking_and_archiving_selected_sources_runs_in_the_background(admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LINK_CHECK_ALLOW_PRIVATE, settings.LINK_CHECK_PER_HOST_INTERVAL = True, 0
    with LinkSite() as site, FakeArchive() as archive:
        settings.WEB_ARCHIVE_SAVE_URL = archive.save_url
        working = SourceFactory(key="working", url=site.url("/ok"))
        gone = SourceFactory(key="gone", url=site.url("/missing"))
        lost = SourceFactory(key="lost", url="")
        changelist = reverse("admin:articles_source_changelist")
        chosen = [working.pk, gone.pk, lost.pk]

        asked = {"action": "check_links", "_selected_action": chosen}
        response = admin_client.post(changelist, asked, follow=True)
        message = BeautifulSoup(response.content, "html.parser").select_one(".messagelist").get_text()
        assert "2 pages will be checked in a moment" in message
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        working.refresh_from_db(), gone.refresh_from_db()
        assert (working.link_status, gone.link_status, gone.link_error) == ("ok", "broken", "404 Not Found")

        # The fake archive answers by how the page's address ends (see FakeArchive).
        kept = SourceFactory(key="kept", url="https://example.org/report-content-location")
        admin_client.post(changelist, {"action": "archive_pages", "_selected_action": [kept.pk, lost.pk]})
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        kept.refresh_from_db()
        assert kept.archive_url.startswith(f"http://127.0.0.1:{archive.port}/web/")
        assert len(archive.requests) == 1  # the source without an address is not sent
