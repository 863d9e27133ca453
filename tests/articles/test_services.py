import pytest

from articles.models import Citation, Source
from articles.services import article_render, source_for_url
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_render_creates_a_citation_per_link_with_sources_found_by_address():
    known = SourceFactory(url="https://www.example.org/trade/")
    article = ArticleFactory(body="[Trade](http://example.org/trade?utm_source=x) rose; [others](#) left.")

    citations = list(article.citations.order_by("number"))
    assert [(c.number, c.anchor_text) for c in citations] == [(1, "Trade"), (2, "others")]
    assert citations[0].source == known
    assert citations[1].source.url == ""
    assert citations[1].source.title == "others"
    assert citations[1].source.link_status == Source.LinkStatus.MISSING


def test_render_keeps_the_chosen_source_of_a_note_whose_address_was_lost():
    article = ArticleFactory(body="[lost](#)")
    chosen = SourceFactory()
    Citation.objects.filter(article=article, number=1).update(source=chosen)

    article.body = "[lost words](#) and [new](https://example.net/new)"
    article_render(article=article)

    assert article.citations.get(number=1).source == chosen
    assert article.citations.get(number=1).anchor_text == "lost words"
    assert article.citations.get(number=2).source.url == "https://example.net/new"


def test_render_drops_notes_whose_links_were_removed():
    article = ArticleFactory(body="[a](https://a.example) [b](https://b.example) [c](https://c.example)")
    article.body = "[a](https://a.example)"
    article_render(article=article)
    assert list(article.citations.values_list("number", flat=True)) == [1]


def test_render_stores_sanitised_html():
    article = ArticleFactory(body='Hi <script>alert("x")</script>')
    article.refresh_from_db()
    assert "<script" not in article.body_html
    assert article.body == 'Hi <script>alert("x")</script>'  # the Markdown source is kept


def test_source_for_url_reuses_a_source_with_the_same_normal_address():
    first = source_for_url(url="https://www.example.org/a/", title="A")
    again = source_for_url(url="http://example.org/a#section", title="A again")
    assert first == again
    assert Source.objects.count() == 1


def test_new_sources_get_free_citation_keys():
    SourceFactory(key="trade-report")
    source = source_for_url(url="https://example.org/other", title="Trade report")
    assert source.key == "trade-report-2"


def test_very_long_linked_words_are_cut_to_fit_the_note_and_the_new_source():
    words = "word " * 400
    article = ArticleFactory(body=f"[{words}](https://example.org/long) and [{words}](#)")
    first, second = article.citations.order_by("number")
    assert len(first.anchor_text) == 1000 and first.anchor_text.endswith("…")
    assert len(second.source.title) == 500
