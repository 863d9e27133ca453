"""Importing papers as articles: a whole paper, re-imports, previews and decisions that must stick."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from articles.importer import article_import, article_import_preview
from articles.ingest import read_file, read_text
from articles.models import Article, Author, Citation, Claim, ClaimSuggestion, Source
from articles.rendering import render_body
from articles.services import NoteChoice, article_set_note_sources, claim_suggestion_reject
from tests.docx_builder import Note, Paragraph, build_docx
from tests.factories import ActorFactory, AuthorFactory, ClaimFactory, SourceFactory
from tests.helpers import start_tags

pytestmark = pytest.mark.django_db

PAPER = Path(__file__).resolve().parents[1] / "papers" / "a-year-on.md"


def _paper():
    return read_file(PAPER.read_bytes(), name=PAPER.name)


@pytest.fixture
def actors():
    return {
        "kazakhstan": ActorFactory(name="Kazakhstan", slug="kazakhstan", aliases="Kazakh\nAstana"),
        "russia": ActorFactory(name="Russia", slug="russia", aliases="Russian\nMoscow"),
        "csto": ActorFactory(
            name="Collective Security Treaty Organization", slug="csto", kind="organisation", aliases="CSTO"
        ),
        "gazprom": ActorFactory(name="Gazprom", slug="gazprom", kind="company"),
        "brazil": ActorFactory(name="Brazil", slug="brazil"),
    }


def test_the_paper_becomes_a_draft_feature_with_its_byline_notes_and_placeholders():
    report = article_import(document=_paper())

    article = Article.objects.get(slug="central-asia-one-year-into-russias-war")
    assert (article.kind, article.status) == ("feature", "draft")
    assert article.published_at.date().isoformat() == "2023-03-07"
    author = Author.objects.get(bylines__article=article)
    assert author.name == "Mirela Aster" and author.bio.startswith("Mirela Aster is a senior fellow")
    assert article.citations.count() == 19
    assert Source.objects.filter(placeholder=True).count() == 19
    assert article.citations.get(number=6).anchor_text == "Neither Bishkek nor Tashkent"
    assert all(link.target.startswith("source:") for link in render_body(article.body).links)
    assert report.created and report.count("notes", "placeholder") == 19


def test_the_paper_suggests_its_figures_with_quantities_and_notes_as_sources():
    article_import(document=_paper())
    suggestions = {s.quantity_value: s for s in ClaimSuggestion.objects.exclude(quantity_value=None)}
    expected = {
        Decimal(70_000_000_000): ("USD", "more_than"),
        Decimal(500_000): ("Russians", "close_to"),
        Decimal(184_000): ("arrivals", "exact"),
    }
    for value, (unit, approximation) in expected.items():
        suggestion = suggestions[value]
        assert (suggestion.quantity_unit, suggestion.quantity_approximation) == (unit, approximation), value
    # One suggestion per sentence: its first figure is the quantity, the analyst splits it if need be.
    assert suggestions[Decimal(184_000)].quote.endswith(
        "about 395,000 over the first nine months of the year."
    )
    neither = ClaimSuggestion.objects.get(quote__startswith="Neither Bishkek nor Tashkent")
    assert [source.title for source in neither.sources.all()] == ["Neither Bishkek nor Tashkent"]


def test_every_note_of_the_paper_is_in_a_suggested_sentence_and_plain_sentences_are_not():
    article_import(document=_paper())
    suggested_sources = set(ClaimSuggestion.sources.through.objects.values_list("source_id", flat=True))
    assert suggested_sources == set(Citation.objects.values_list("source_id", flat=True))
    assert not ClaimSuggestion.objects.filter(
        quote__contains="The arrivals were the least expected consequence"
    ).exists()
    assert ClaimSuggestion.objects.filter(quote__contains="February 24, 2022").exists()  # a date is a figure
    assert set(ClaimSuggestion.objects.values_list("state", flat=True)) == {"pending"}


def test_actors_mentioned_by_name_or_alias_are_linked_to_the_article_and_suggestions(actors):
    report = article_import(document=_paper())
    article = Article.objects.get()
    assert set(article.actors.values_list("slug", flat=True)) == {"kazakhstan", "russia", "csto", "gazprom"}
    assert report.actors == ["Collective Security Treaty Organization", "Gazprom", "Kazakhstan", "Russia"]
    gas = ClaimSuggestion.objects.get(quote__contains="gas union of three")
    assert set(gas.actors.values_list("slug", flat=True)) == {"kazakhstan", "russia"}


def test_importing_the_same_paper_again_updates_it_and_duplicates_nothing():
    article_import(document=_paper())
    counts = (
        Article.objects.count(),
        Source.objects.count(),
        Citation.objects.count(),
        ClaimSuggestion.objects.count(),
    )
    report = article_import(document=_paper())
    assert not report.created
    assert (
        Article.objects.count(),
        Source.objects.count(),
        Citation.objects.count(),
        ClaimSuggestion.objects.count(),
    ) == counts
    assert Author.objects.count() == 1


def test_a_rejected_suggestion_does_not_come_back_and_an_accepted_sentence_is_not_suggested_again():
    article_import(document=_paper())
    rejected = ClaimSuggestion.objects.get(quote__contains="45 per cent")
    claim_suggestion_reject(suggestion=rejected, user=None)
    article = Article.objects.get()
    ClaimFactory(article=article, quote="Kyrgyzstan counted 184,000 arrivals")

    report = article_import(document=_paper())

    rejected.refresh_from_db()
    assert rejected.state == "rejected"
    assert [line.state for line in report.suggestions if "45 per cent" in line.quote] == ["rejected"]
    assert not ClaimSuggestion.objects.filter(quote__contains="184,000").exists()


def test_a_source_picked_for_a_note_survives_importing_the_paper_again():
    article_import(document=_paper())
    article = Article.objects.get()
    chosen = SourceFactory(key="uz-interior-ministry-2022")
    note = article.citations.get(anchor_text="the Interior Ministry in Tashkent")
    article_set_note_sources(
        article=article,
        choices=[NoteChoice(number=note.number, target=f"source:{note.source.key}", source=chosen)],
    )

    article_import(document=_paper())

    assert article.citations.get(anchor_text="the Interior Ministry in Tashkent").source == chosen
    assert Source.objects.filter(placeholder=True).count() == 18


def test_a_preview_saves_nothing_and_reports_what_the_import_would_do():
    existing = SourceFactory(url="https://example.org/almaty")
    document = read_text(
        "Commentary\nMay 2, 2024\n\nA title\n\nBy New Person\n\nSee [Almaty](https://example.org/almaty/) "
        "and [Bishkek](https://example.org/bishkek) and [lost](#).\n",
        name="preview.md",
    )
    report = article_import_preview(document=document, publish=True)
    assert [(note.state, note.source_key) for note in report.notes] == [
        ("existing", existing.key),
        ("new", "bishkek"),
        ("placeholder", "lost"),
    ]
    assert report.status == "Published" and report.created
    assert report.authors[0].new
    assert (Article.objects.count(), Source.objects.count(), Author.objects.count()) == (0, 1, 0)


def test_publishing_an_import_publishes_at_the_papers_date():
    article_import(document=_paper(), publish=True)
    article = Article.objects.published().get()
    assert article.first_published_at.date().isoformat() == "2023-03-07"


def test_an_existing_author_is_reused_and_a_new_biography_updates_theirs():
    author = AuthorFactory(name="Mirela Aster", slug="mirela-aster", bio="Old bio.")
    report = article_import(document=_paper())
    author.refresh_from_db()
    assert author.bio.startswith("Mirela Aster is a senior fellow")
    assert (report.authors[0].new, report.authors[0].bio_changed) == (False, True)


def test_a_claims_quote_is_re_anchored_when_the_paper_is_imported_again():
    article_import(document=_paper())
    claim = ClaimFactory(article=Article.objects.get(), quote="a quote that is not in the paper")
    report = article_import(document=_paper())
    claim.refresh_from_db()
    assert claim.orphaned
    assert report.orphaned_claims == [str(claim)]
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_the_summary_line_says_what_was_created_reused_and_repaired():
    report = article_import(document=_paper())
    assert report.summary.startswith(
        "central-asia-one-year-into-russias-war: created, "
        "19 notes (0 new sources, 0 existing, 19 link missing), 9 repairs, "
    )


def test_a_word_document_imports_with_its_footnotes_as_notes_titled_by_the_citation():
    data = build_docx(
        [
            "Commentary",
            "March 7, 2023",
            Paragraph("Why Dushanbe Keeps the Border Half Open", style="Title"),
            "Aida Nurlanova and Timur Sadykov",
            Paragraph(
                "Crossings from Uzbekistan", Note(1), " rose to 184,000 in 2022, officials said.", Note(2)
            ),
            Paragraph("What changed", style="Heading1"),
            Paragraph("Fees were cut by half.", style="ListParagraph", numbering="bullet"),
            Paragraph("“The border is open,” an officer said.", style="Quote"),
            "Aida Nurlanova is a fellow at the Footnote Institute. "
            "Timur Sadykov is a researcher in Dushanbe.",
        ],
        footnotes={
            1: "Ministry of Interior of Uzbekistan, entry statistics, https://iiv.uz/news/123",
            2: "Interview with a border official, 3 February 2023.",
        },
    )
    report = article_import(document=read_file(data, name="border.docx"))

    article = Article.objects.get(slug="why-dushanbe-keeps-the-border-half-open")
    assert (article.kind, article.published_at.date().isoformat()) == ("commentary", "2023-03-07")
    assert [a.name for a in article.authors.order_by("bylines__position")] == [
        "Aida Nurlanova",
        "Timur Sadykov",
    ]
    assert Author.objects.get(name="Timur Sadykov").bio == "Timur Sadykov is a researcher in Dushanbe."
    first, second = article.citations.order_by("number").select_related("source")
    assert (first.anchor_text, first.source.url) == ("Uzbekistan", "https://iiv.uz/news/123")
    assert first.source.title == "Ministry of Interior of Uzbekistan, entry statistics"
    assert (second.source.placeholder, second.source.title) == (
        True,
        "Interview with a border official, 3 February 2023",
    )
    tags = [tag for tag, _ in start_tags(article.body_html)]
    assert {"h2", "ul", "blockquote"} <= set(tags)
    assert [line.quantity for line in report.suggestions if line.quantity] == ["184,000"]


def test_importing_again_over_edits_made_in_the_admin_warns_that_they_are_replaced():
    assert article_import(document=_paper()).warnings == []
    assert article_import(document=_paper()).warnings == []  # nothing changed since
    article = Article.objects.get()
    article.body = article.body.replace("Twelve months on", "A year on")
    article.save()
    [warning] = article_import(document=_paper()).warnings
    assert warning.startswith("The article's text is replaced with this paper's")


def test_new_sources_keep_their_address_without_tracking_parameters():
    document = read_text(
        "May 2, 2024\n\nTitle\n\nSee [the data](https://stats.example.org/a?id=3&utm_source=mail&fbclid=x).",
        name="t.md",
    )
    article_import(document=document)
    assert Source.objects.get().url == "https://stats.example.org/a?id=3"


def test_the_summary_counts_sources_not_notes():
    document = read_text(
        "May 2, 2024\n\nTitle\n\n[a](https://example.org/1) [b](https://example.org/1) [c](#)", name="t.md"
    )
    assert "3 notes (1 new sources, 0 existing, 1 link missing)" in article_import(document=document).summary


def test_a_published_article_is_only_replaced_when_the_import_publishes():
    article_import(document=_paper(), publish=True)
    with pytest.raises(
        ValidationError, match="is published: importing this paper would change what readers see"
    ):
        article_import(document=_paper())
    assert article_import(document=_paper(), publish=True).created is False


def test_a_sentence_said_twice_is_suggested_once():
    document = read_text(
        "May 2, 2024\n\nTitle\n\nTrade grew by 5 per cent.\n\nTrade grew by 5 per cent.", name="t"
    )
    assert [line.quote for line in article_import(document=document).suggestions] == [
        "Trade grew by 5 per cent."
    ]


def test_titles_without_latin_letters_get_slugs_of_their_own():
    first = article_import(document=read_text("March 5, 2023\n\nЦентральная Азия\n\nТекст.", name="a"))
    second = article_import(document=read_text("March 5, 2023\n\nКыргызстан и Россия\n\nТекст.", name="b"))
    assert first.slug != second.slug and first.slug.startswith("article-2023-03-05-")
    assert Article.objects.count() == 2


def test_an_address_written_as_an_autolink_is_repaired_like_any_other():
    document = read_text(
        "May 2, 2024\n\nTitle\n\nWrite to <press@example.org> or see <https://e.org/a>.", name="t"
    )
    report = article_import(document=document)
    assert [(note.words, note.state) for note in report.notes] == [
        ("press@example.org", "placeholder"),
        ("https://e.org/a", "new"),
    ]
