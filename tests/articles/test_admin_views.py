"""The desk's import page and missing links page, as an analyst uses them."""

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.importer import article_state
from articles.models import Article, Citation, Source
from articles.rendering import render_body
from tests.docx_builder import Note, Paragraph, build_docx
from tests.factories import ArticleFactory, AuthorFactory, SourceFactory, StaffFactory
from tests.helpers import count_queries, start_tags

pytestmark = pytest.mark.django_db

PAPER = Path(__file__).resolve().parents[1] / "papers" / "a-year-on.md"
IMPORT = reverse("admin:articles_article_import_text")
MISSING = reverse("admin:articles_missinglink_changelist")


class _Sections(HTMLParser):
    """The text of each element with a class, by class: enough to read a preview like a person."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self._table, self._row = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class"):
            self._table = attrs["class"]
            self.rows[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._table and self._row is not None:
            self.rows[self._table].append([" ".join(cell.split()) for cell in self._row])
            self._row = None

    def handle_data(self, data):
        if self._row:
            self._row[-1] += data


def tables(response) -> dict[str, list[list[str]]]:
    parser = _Sections()
    parser.feed(response.content.decode())
    return parser.rows


def hidden(response) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for tag, attrs in start_tags(response.content.decode()):
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            values.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    return values


def test_the_import_page_is_linked_from_the_article_list(admin_client):
    page = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    hrefs = [attrs.get("href") for tag, attrs in start_tags(page) if tag == "a"]
    assert IMPORT in hrefs and MISSING in hrefs


def test_pasting_the_seed_previews_everything_and_saves_nothing(admin_client):
    response = admin_client.post(IMPORT, {"text": PAPER.read_text(), "_preview": "1"})

    assert response.status_code == 200
    found = tables(response)
    fields = {row[0]: row[1] for row in found["import-fields"]}
    assert fields["Title"] == "Central Asia, One Year Into Russia's War"
    assert (fields["Kind"], fields["Publish time"]) == ("Feature article", "7 March 2023, 00:00")
    assert fields["Byline"] == "Mirela Aster new author"
    notes = found["import-notes"][1:]
    assert len(notes) == 19 and notes[5][1] == "Neither Bishkek nor Tashkent"
    assert {row[3] for row in notes} == {"—"}
    assert len(found["import-suggestions"]) > 20
    assert (Article.objects.count(), Source.objects.count()) == (0, 0)
    carried = hidden(response)
    assert carried["name"] == ["pasted text"] and len(carried["repairs"]) == 9


def test_unticking_a_repair_and_previewing_again_undoes_it_then_import_saves(admin_client):
    preview = admin_client.post(IMPORT, {"text": PAPER.read_text(), "_preview": "1"})
    carried = hidden(preview)
    keep = [key for key in carried["repairs"] if key != "link-23"]
    data = {
        "text": carried["text"][0],
        "name": "seed.md",
        "repairs": carried["repairs"],
        "keep": keep,
        "state": carried["state"][0],
    }

    again = admin_client.post(IMPORT, {**data, "_preview": "1"})
    assert len(tables(again)["import-notes"]) - 1 == 20

    response = admin_client.post(IMPORT, {**data, "keep": carried["repairs"], "_confirm": "1"})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[article.pk])
    assert article.citations.count() == 19


def test_a_word_document_can_be_uploaded(admin_client):
    data = build_docx(
        [
            "Commentary",
            "March 7, 2023",
            Paragraph("Border crossings", style="Title"),
            "Aida Nurlanova",
            Paragraph("Crossings rose", Note(1), " sharply."),
        ],
        footnotes={1: "Ministry of Interior, https://iiv.uz/news/123"},
    )
    upload = SimpleUploadedFile("border.docx", data)
    response = admin_client.post(IMPORT, {"file": upload, "_preview": "1"})
    notes = tables(response)["import-notes"][1:]
    assert notes == [
        ["1", "rose", "Ministry of Interior ministry-of-interior new source", "https://iiv.uz/news/123"]
    ]
    carried = hidden(response)
    assert carried["name"] == ["border.docx"]

    # The preview carries the document's text on; importing reads that text, not a Word file.
    confirm = admin_client.post(
        IMPORT, {"text": carried["text"][0], "name": "border.docx", "state": "new", "_confirm": "1"}
    )
    assert confirm.status_code == 302
    assert Article.objects.get().citations.get().source.url == "https://iiv.uz/news/123"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Choose a file or paste a text."),
        ({"text": "A title\n\nNo date anywhere.\n"}, "pasted text, line 1: no publication date"),
        ({"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 ...")}, "x.pdf: PDF files cannot be imported"),
    ],
)
def test_bad_input_is_a_clear_error_on_the_form(admin_client, data, message):
    response = admin_client.post(IMPORT, {**data, "_preview": "1"})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert Article.objects.count() == 0


def test_a_paper_over_the_size_limit_is_refused_with_its_size(admin_client, settings):
    settings.FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES = 1000
    response = admin_client.post(IMPORT, {"text": "x" * 2000, "_preview": "1"})
    [error] = response.context["form"].non_field_errors()
    assert " ".join(error.split()) == "The file is 2.0 KB; a paper to import can be at most 1000 bytes."


def test_staff_who_cannot_add_articles_cannot_reach_the_import_page(client):
    user = StaffFactory()
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    assert client.get(IMPORT).status_code == 200


def test_updating_an_existing_article_by_import_needs_the_change_permission(client):
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    client.force_login(user)
    article = ArticleFactory(slug="a-title", title="A title", status="draft", published_at=None)
    state = article_state(slug=article.slug)
    response = client.post(
        IMPORT, {"text": "May 2, 2024\n\nA title\n\nText.", "state": state, "_confirm": "1"}
    )
    errors = " ".join(response.context["form"].non_field_errors())
    assert "“A title” is not yours to replace while it is draft." in errors
    article.refresh_from_db()
    assert article.body != "Text."


def test_only_an_editor_may_publish_by_import(client, analyst_user):
    client.force_login(analyst_user)
    response = client.post(
        IMPORT, {"text": "May 2, 2024\n\nNew\n\nText.", "state": "new", "publish": "on", "_confirm": "1"}
    )
    assert "Only editors may publish" in " ".join(response.context["form"].non_field_errors())
    assert not Article.objects.filter(title="New").exists()


@pytest.fixture
def lost_notes():
    article = ArticleFactory(
        title="Trade and migration",
        body="Trade [grew](#) in 2022. Then migrants [came](#) in large numbers.\n\n"
        "A [known](https://example.org/known) source.",
    )
    return article


def test_the_missing_links_page_shows_each_note_in_its_sentence(admin_client, lost_notes):
    response = admin_client.get(MISSING)
    page = response.content.decode()
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["citation"].number, row["before"], row["words"], row["after"]) for row in rows] == [
        (1, "Trade ", "grew", " in 2022."),
        (2, "Then migrants ", "came", " in large numbers."),
    ]
    assert page.count('class="missing-link"') == 2


def test_picking_an_existing_source_writes_it_into_the_text(admin_client, lost_notes):
    chosen = SourceFactory(key="trade-stats")
    note = lost_notes.citations.get(number=1)
    prefix = f"note-{note.pk}"
    response = admin_client.post(
        MISSING,
        {
            "note": note.pk,
            f"{prefix}-note": note.pk,
            f"{prefix}-target": "source:grew",
            f"{prefix}-source": chosen.pk,
        },
    )
    assert response.status_code == 302
    lost_notes.refresh_from_db()
    assert [link.target for link in render_body(lost_notes.body).links][0] == "source:trade-stats"
    assert not Source.objects.filter(key="grew").exists()


def test_describing_a_new_source_creates_it_or_reuses_the_one_at_its_address(admin_client, lost_notes):
    note = lost_notes.citations.get(number=2)
    prefix = f"note-{note.pk}"
    data = {"note": note.pk, f"{prefix}-note": note.pk, f"{prefix}-target": "source:came"}
    admin_client.post(
        MISSING,
        {**data, f"{prefix}-title": "Entry statistics", f"{prefix}-url": "www.example.org/known/"},
    )
    assert Citation.objects.get(pk=note.pk).source.url == "https://example.org/known"  # the known one


def test_a_pick_for_a_note_whose_text_changed_meanwhile_is_refused_on_the_page(admin_client, lost_notes):
    note = lost_notes.citations.get(number=1)
    prefix = f"note-{note.pk}"
    response = admin_client.post(
        MISSING,
        {
            "note": note.pk,
            f"{prefix}-note": note.pk,
            f"{prefix}-target": "source:something-else",
            f"{prefix}-title": "A new source",
        },
    )
    assert response.status_code == 200
    assert "changed since this page was shown" in response.content.decode()
    assert not Source.objects.filter(title="A new source").exists()


def test_a_pick_needs_a_source_or_a_title(admin_client, lost_notes):
    note = lost_notes.citations.get(number=1)
    prefix = f"note-{note.pk}"
    response = admin_client.post(
        MISSING, {"note": note.pk, f"{prefix}-note": note.pk, f"{prefix}-target": "x"}
    )
    assert "Pick an existing source, or give the new source a title." in response.content.decode()


def test_a_garbled_note_id_is_not_found(admin_client):
    assert admin_client.post(MISSING, {"note": "abc"}).status_code == 404


def test_the_missing_links_page_runs_as_many_queries_for_two_articles_as_for_ten(admin_client):
    ArticleFactory(body="[a](#) [b](#)")
    admin_client.get(MISSING)
    two = count_queries(admin_client, MISSING)
    for _ in range(9):
        ArticleFactory(body="[a](#) [b](#)")
    assert count_queries(admin_client, MISSING) == two


def test_staff_who_cannot_change_articles_do_not_see_missing_links(client):
    client.force_login(StaffFactory())
    assert client.get(MISSING).status_code == 403


def test_a_second_pick_for_the_same_note_says_it_was_picked_already(admin_client, lost_notes):
    note = lost_notes.citations.get(number=1)
    prefix = f"note-{note.pk}"
    data = {"note": note.pk, f"{prefix}-note": note.pk, f"{prefix}-target": "source:grew"}
    admin_client.post(MISSING, {**data, f"{prefix}-source": SourceFactory().pk})
    response = admin_client.post(MISSING, {**data, f"{prefix}-source": SourceFactory().pk})
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and "changed since this page was shown" in errors[0]


def test_a_forged_target_cannot_move_another_note(admin_client, lost_notes):
    note = lost_notes.citations.get(number=1)
    prefix = f"note-{note.pk}"
    admin_client.post(
        MISSING,
        {
            "note": note.pk,
            f"{prefix}-note": note.pk,
            f"{prefix}-target": "https://example.org/known",
            f"{prefix}-source": SourceFactory().pk,
        },
    )
    assert lost_notes.citations.get(number=3).source.url == "https://example.org/known"


def test_an_import_confirmed_after_someone_else_changed_the_article_is_previewed_again(admin_client):
    text = "May 2, 2024\n\nRace paper\n\nText with [a link](#)."
    preview = admin_client.post(IMPORT, {"text": text, "_preview": "1"})
    state = hidden(preview)["state"][0]
    ArticleFactory(slug="race-paper", title="Race Paper!", status="draft", published_at=None)  # meanwhile

    response = admin_client.post(IMPORT, {"text": text, "state": state, "_confirm": "1"})

    assert response.status_code == 200
    assert Article.objects.get(slug="race-paper").title == "Race Paper!"
    assert "check the preview again" in " ".join(str(m) for m in response.context["messages"])


def test_a_preview_of_a_text_the_save_would_refuse_is_a_form_error(admin_client):
    response = admin_client.post(
        IMPORT, {"text": "May 2, 2024\n\nTitle\n\nSee [x](source:nope).", "_preview": "1"}
    )
    assert "no source has the citation key “nope”" in " ".join(response.context["form"].non_field_errors())


def test_who_may_not_change_authors_cannot_rewrite_an_authors_biography(client):
    user = StaffFactory()
    codenames = ["add_article", "change_article", "view_article"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    author = AuthorFactory(name="Aida Nurlanova", slug="aida-nurlanova", bio="Her own words.")
    text = "May 2, 2024\n\nTitle\n\nBy Aida Nurlanova\n\nText.\n\nAida Nurlanova is somebody else entirely."
    response = client.post(IMPORT, {"text": text, "state": "new", "_confirm": "1"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.bio == "Her own words."
    response = client.post(IMPORT, {"text": text.replace("Aida Nurlanova", "New Person"), "_preview": "1"})
    assert "you may not add authors" in " ".join(response.context["form"].non_field_errors())


# The desk's steps on an article's page


def _step(client, article, action, **data):
    url = reverse("admin:articles_article_step", args=[article.pk, action])
    return client.post(url, data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_an_analyst_submits_their_draft_from_its_page_with_a_note(client, analyst_user):
    article = ArticleFactory(title="Mine", status="draft", published_at=None, created_by=analyst_user)
    client.force_login(analyst_user)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert [step.action for step in page.context["desk"]["steps"]] == ["submit"]

    response = _step(client, article, "submit", note="Over to you.")

    assert _messages(response) == ["Submitted for review: “Mine”."]
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.steps.get().note == "Over to you."


@pytest.mark.parametrize(
    "action", ["publish", "send-back", "withdraw", "correct", "mark-updated", "unschedule"]
)
def test_an_analyst_posting_an_editors_step_is_refused(client, analyst_user, action):
    article = ArticleFactory(status="in_review", created_by=analyst_user)
    client.force_login(analyst_user)
    url = reverse("admin:articles_article_step", args=[article.pk, action])
    assert client.post(url, {"note": "sneaky"}).status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not article.steps.exists()


def test_an_editor_schedules_from_the_page_and_it_stays_off_the_site_until_then(client, editor_user):
    article = ArticleFactory(title="Soon", status="in_review", published_at=None)
    client.force_login(editor_user)
    at = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)

    response = _step(client, article, "publish", at=at.strftime("%Y-%m-%dT%H:%M"))

    assert _messages(response) == ["Scheduled: “Soon”."]
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Article.Status.PUBLISHED, at)
    assert [step.action for step in response.context["desk"]["steps"]] == [
        "publish",
        "unschedule",
        "withdraw",
    ]
    assert client.get(article.get_absolute_url()).context["preview"] is True


def test_sending_back_without_a_comment_says_so_and_changes_nothing(client, editor_user):
    article = ArticleFactory(status="in_review")
    client.force_login(editor_user)
    response = _step(client, article, "send-back", note="")
    assert _messages(response) == ["Say what should change before it comes back."]
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_an_unknown_step_or_a_get_is_not_taken(client, editor_user):
    article = ArticleFactory(status="in_review")
    client.force_login(editor_user)
    assert client.post(reverse("admin:articles_article_step", args=[article.pk, "delete"])).status_code == 404
    assert client.get(reverse("admin:articles_article_step", args=[article.pk, "publish"])).status_code == 405


def test_a_correction_from_the_page_shows_under_the_article(client, editor_user):
    article = ArticleFactory(title="Live")
    client.force_login(editor_user)
    _step(client, article, "correct", note="An earlier version gave the wrong year.")
    page = client.get(article.get_absolute_url())
    corrections = BeautifulSoup(page.content, "html.parser").select(".corrections li")
    assert [item.get_text(" ", strip=True).split(": ", 1)[1] for item in corrections] == [
        "An earlier version gave the wrong year."
    ]
