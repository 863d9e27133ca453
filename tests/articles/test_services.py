import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Claim, ClaimEvidence, ClaimSuggestion, Source
from articles.rendering import render_body
from articles.services import (
    NoteChoice,
    article_render,
    article_set_note_sources,
    claim_anchor,
    claim_suggestion_accept,
    claim_suggestion_reject,
    source_change_key,
    source_keys_new,
)
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _targets(article):
    article.refresh_from_db()
    return [link.target for link in render_body(article.body).links]


def test_render_creates_a_citation_per_link_with_sources_found_by_address():
    known = SourceFactory(url="https://www.example.org/trade/")
    article = ArticleFactory(body="[Trade](http://example.org/trade?utm_source=x) rose; [others](#) left.")

    citations = list(article.citations.order_by("number"))
    assert [(c.number, c.anchor_text) for c in citations] == [(1, "Trade"), (2, "others")]
    assert citations[0].source == known
    assert citations[1].source.url == ""
    assert citations[1].source.title == "others"
    assert citations[1].source.link_status == Source.LinkStatus.MISSING


def test_a_lost_address_gets_a_placeholder_whose_key_is_written_into_the_link():
    article = ArticleFactory(body="Trade [rose](#) and [fell](#).")
    article.refresh_from_db()
    first, second = article.citations.order_by("number")
    assert first.source.placeholder and second.source.placeholder
    assert (first.source.key, second.source.key) == ("rose", "fell")
    assert article.body == "Trade [rose](source:rose) and [fell](source:fell)."


def test_merging_two_lost_links_keeps_every_later_note_on_its_source():
    """The bug this design fixes: notes used to be matched to their sources by number."""
    article = ArticleFactory(
        body="A [one](#) B [Neither Bishkek nor](#)\n\n[Tashkent](#) c [economic advantage](#) d [four](#)."
    )
    article.refresh_from_db()
    before = {c.anchor_text: c.source_id for c in article.citations.all()}
    tashkent = before["Tashkent"]

    article.body = article.body.replace(
        "[Neither Bishkek nor](source:neither-bishkek-nor)\n\n[Tashkent](source:tashkent)",
        "[Neither Bishkek nor Tashkent](source:neither-bishkek-nor)",
    )
    report = article_render(article=article)

    after = {c.anchor_text: c.source_id for c in article.citations.all()}
    assert after == {
        "one": before["one"],
        "Neither Bishkek nor Tashkent": before["Neither Bishkek nor"],
        "economic advantage": before["economic advantage"],
        "four": before["four"],
    }
    assert not Source.objects.filter(pk=tashkent).exists()  # nothing cites it any more
    assert report.placeholders_removed == ["tashkent"]


def test_inserting_a_link_above_keeps_the_source_an_analyst_picked():
    article = ArticleFactory(body="[lost](#)")
    chosen = SourceFactory(key="interior-ministry")
    article_set_note_sources(
        article=article, choices=[NoteChoice(number=1, target="source:lost", source=chosen)]
    )

    article.body = "[new above](#) then " + article.body
    article_render(article=article)

    assert article.citations.get(number=2).source == chosen
    assert article.citations.get(number=1).source.placeholder


def test_a_placeholder_other_notes_or_evidence_still_name_is_kept():
    article = ArticleFactory(body="[lost](#)")
    placeholder = article.citations.get().source
    ClaimEvidenceFactory(source=placeholder)
    article.body = "no links"
    article_render(article=article)
    assert Source.objects.filter(pk=placeholder.pk).exists()


def test_a_source_an_analyst_made_without_an_address_is_never_removed():
    book = SourceFactory(key="memoirs", url="", title="Memoirs")
    article = ArticleFactory(body="[memoirs](source:memoirs)")
    article.body = "no links"
    article_render(article=article)
    assert Source.objects.filter(pk=book.pk).exists()


def test_an_unknown_citation_key_is_refused_and_nothing_is_saved():
    article = ArticleFactory(body="[a](https://example.org/a)")
    article.body = "[a](source:no-such-key)"
    with pytest.raises(ValidationError, match="no source has the citation key"):
        article_render(article=article)
    assert article.citations.get().source.url == "https://example.org/a"


def test_a_new_address_source_is_titled_from_the_link_title_when_there_is_one():
    article = ArticleFactory(body='[Uzbekistan](https://iiv.uz/news/1 "Interior Ministry, entry figures")')
    assert article.citations.get().source.title == "Interior Ministry, entry figures"


def test_saving_runs_no_query_per_note():
    def queries(count):
        body = " ".join(f"[here](#) [page {n}](https://example.org/{count}/{n})" for n in range(count))
        article = ArticleFactory(body="", render=False)
        article.body = body
        with CaptureQueriesContext(connection) as context:
            article_render(article=article)
        assert article.citations.count() == 2 * count
        return len(context.captured_queries)

    assert queries(10) == queries(30)  # within one insert batch of SQLite
    assert queries(400) < queries(10) + 40  # 800 notes: only the inserts are split into batches


def test_new_keys_never_probe_one_query_per_candidate():
    SourceFactory(key="here")
    SourceFactory(key="here-2")
    with CaptureQueriesContext(connection) as context:
        keys = source_keys_new(titles=["Here"] * 300 + ["Trade report", "Here 2"])
    assert keys[:3] == ["here-3", "here-4", "here-5"]
    assert len(set(keys)) == len(keys)
    assert keys[-2] == "trade-report"
    assert len(context.captured_queries) <= 2


def test_picking_a_source_for_a_note_moves_claims_evidence_off_its_placeholder():
    article = ArticleFactory(body="[lost](#)")
    placeholder = article.citations.get().source
    evidence = ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=placeholder, locator="")
    chosen = SourceFactory()

    article_set_note_sources(
        article=article, choices=[NoteChoice(number=1, target="source:lost", source=chosen)]
    )

    evidence.refresh_from_db()
    assert evidence.source == chosen
    assert not Source.objects.filter(pk=placeholder.pk).exists()
    assert _targets(article) == [f"source:{chosen.key}"]


def test_a_pick_for_a_note_that_changed_meanwhile_is_refused():
    article = ArticleFactory(body="[a](#) [b](#)")
    chosen = SourceFactory()
    with pytest.raises(ValidationError, match="changed while its source was being picked"):
        article_set_note_sources(
            article=article, choices=[NoteChoice(number=1, target="source:gone", source=chosen)]
        )


def test_a_pick_follows_its_note_when_the_text_moved_it():
    article = ArticleFactory(body="[a](#) [b](#)")
    chosen = SourceFactory()
    article.body = "[new](https://example.org/new) " + article.body  # b is note 3 now
    article_set_note_sources(
        article=article, choices=[NoteChoice(number=2, target="source:b", source=chosen)]
    )
    assert _targets(article) == ["https://example.org/new", "source:a", f"source:{chosen.key}"]


def test_changing_a_key_rewrites_every_link_that_names_it():
    source = SourceFactory(key="old-key")
    first = ArticleFactory(body="[x](source:old-key) and [y](source:old-key)")
    second = ArticleFactory(body="[z](source:old-key)")
    source.key = "new-key"
    source_change_key(source=source, old_key="old-key")
    assert _targets(first) == ["source:new-key", "source:new-key"]
    assert _targets(second) == ["source:new-key"]
    assert second.citations.get().source == source


def test_a_claim_whose_words_are_gone_is_flagged_orphaned_and_kept():
    article = ArticleFactory(body="Trade rose by 45 per cent in 2022.")
    claim = ClaimFactory(article=article, quote="rose by 45 per cent")
    article_render(article=article)
    claim.refresh_from_db()
    assert not claim.orphaned

    article.body = "Trade rose sharply in 2022."
    report = article_render(article=article)

    claim.refresh_from_db()
    assert claim.orphaned and claim.quote == "rose by 45 per cent"
    assert report.orphaned_claims == [claim]


def test_a_quote_found_twice_follows_its_surrounding_words():
    article = ArticleFactory(body="In 2021 trade rose. Later, in 2022 trade rose. End.")
    claim = ClaimFactory(
        article=article, quote="trade rose", quote_prefix="Later, in 2022 ", quote_suffix=". End"
    )
    article.body = "New opening. In 2021 trade rose. Later, in 2022 trade rose. End."
    article_render(article=article)
    claim.refresh_from_db()
    assert not claim.orphaned
    assert claim.quote_prefix.endswith("in 2022 ")


def test_a_quote_is_found_whatever_its_typography():
    article = ArticleFactory(body='Moscow\'s "partners" -- the five states.')
    claim = ClaimFactory(article=article, quote="Moscow’s “partners” – the five")
    claim_anchor(claim=claim)
    assert not claim.orphaned


def _suggestion(article, **fields):
    suggestion = ClaimSuggestion.objects.create(
        article=article,
        fingerprint="f" * 64,
        statement="Trade exceeded $70 billion in 2022.",
        quote="trade exceeded $70 billion",
        quantity_value=70_000_000_000,
        quantity_unit="USD",
        quantity_approximation="more_than",
        **fields,
    )
    return suggestion


def test_accepting_a_suggestion_makes_an_unverified_claim_with_its_notes_as_evidence():
    article = ArticleFactory(body="Trade [exceeded $70 billion](https://customs.example.org/2022).")
    suggestion = _suggestion(article)
    suggestion.sources.set([article.citations.get().source])
    suggestion.actors.set([ActorFactory()])
    editor = UserFactory()

    claim = claim_suggestion_accept(suggestion=suggestion, user=editor)

    assert claim.status == Claim.Status.UNVERIFIED
    assert (claim.quantity_value, claim.quantity_approximation) == (70_000_000_000, "more_than")
    assert list(ClaimEvidence.objects.filter(claim=claim).values_list("source__url", "stance")) == [
        ("https://customs.example.org/2022", "supports")
    ]
    assert claim.actors.count() == 1
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.claim, suggestion.decided_by) == ("accepted", claim, editor)


def test_a_suggestion_is_decided_once():
    suggestion = _suggestion(ArticleFactory())
    claim_suggestion_reject(suggestion=suggestion, user=None)
    with pytest.raises(ValidationError, match="rejected already"):
        claim_suggestion_accept(suggestion=suggestion, user=None)


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


def test_links_to_the_same_normal_address_share_one_source():
    first = ArticleFactory(body="[a](https://www.example.org/a/) and [b](http://example.org/a#section)")
    second = ArticleFactory(body="[c](https://example.org/a?utm_source=mail)")
    assert {c.source_id for c in [*first.citations.all(), *second.citations.all()]} == {
        Source.objects.get().pk
    }


def test_new_sources_get_free_citation_keys():
    SourceFactory(key="trade-report")
    article = ArticleFactory(body="[Trade report](https://example.org/other)")
    assert article.citations.get().source.key == "trade-report-2"


def test_very_long_linked_words_are_cut_to_fit_the_note_and_the_new_source():
    words = "word " * 400
    article = ArticleFactory(body=f"[{words}](https://example.org/long) and [{words}](#)")
    first, second = article.citations.order_by("number")
    assert len(first.anchor_text) == 1000 and first.anchor_text.endswith("…")
    assert len(second.source.title) == 500


def test_a_key_another_save_took_meanwhile_is_found_free_again(monkeypatch):
    SourceFactory(key="lost", url="")
    in_use, looks = services._keys_in_use, []

    def before_the_other_save_committed(keys):
        looks.append(keys)
        return set() if len(looks) == 1 else in_use(keys)

    monkeypatch.setattr(services, "_keys_in_use", before_the_other_save_committed)
    article = ArticleFactory(body="[lost](#)")
    assert article.citations.get().source.key == "lost-2"
    assert len(looks) == 2


def test_a_long_title_makes_a_key_cut_at_the_end_of_a_word():
    [key] = source_keys_new(
        titles=["Uzbek Ministry of Foreign Affairs statement on Qosh Tepa 2023 canal works"]
    )
    assert key == "uzbek-ministry-of-foreign-affairs-statement-on-qosh-tepa"
