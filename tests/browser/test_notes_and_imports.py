"""In a real browser: notes keep their sources through an edit, and a paper comes in whole."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_editorial_journey import _log_in
from tests.factories import ArticleFactory, SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPLIT = (
    "About 395,000 Russians [arrived in Uzbekistan](#). [Neither Bishkek nor](#)\n\n"
    "[Tashkent](#) said how many stayed. Governments saw [economic advantage](#) in the newcomers, "
    "and [companies leaving Russia](#) helped."
)
PAPER = """Commentary
March 7, 2023

Borders in the Ferghana Valley

By Aida Nurlanova

Kyrgyzstan and Uzbekistan settled [most of their border](#) in 2022, and trade across it rose

by [20 per cent](https://stats.example.org/ferghana?utm_source=newsletter).

Aida Nurlanova is a fellow at the Footnote Institute.
"""


def _notes(page):
    return [" ".join(text.split()) for text in page.locator("[id^=note-]").all_inner_texts()]


def test_merging_two_links_split_at_a_page_break_keeps_every_later_note_on_its_source(page, live_server):
    article = ArticleFactory(slug="arrivals", title="Arrivals", body=SPLIT)
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = page.locator("#id_body")
    text = body.input_value()
    merged = text.replace(
        "[Neither Bishkek nor](source:neither-bishkek-nor)\n\n[Tashkent](source:tashkent)",
        "[Neither Bishkek nor Tashkent](source:neither-bishkek-nor)",
    )
    assert merged != text
    body.fill(merged)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}/articles/arrivals/")
    notes = _notes(page)
    assert len(notes) == 4
    assert notes[1].startswith("Neither Bishkek nor")
    assert notes[2].startswith("economic advantage")  # not "Tashkent", as numbers once made it
    assert notes[3].startswith("companies leaving Russia")


def test_a_paper_is_pasted_previewed_imported_and_its_missing_link_picked(page, live_server):
    SourceFactory(key="border-treaty-2022", title="Treaty on the Kyrgyz–Uzbek state border")
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/")
    page.click("text=Import a text")
    page.fill("#id_text", PAPER)
    page.check("#id_publish")
    page.click("input[name=_preview]")
    expect(page.locator(".import-preview h2")).to_contain_text("nothing is saved")
    expect(page.locator(".import-notes tbody tr")).to_have_count(2)
    expect(page.locator(".import-repairs li")).to_have_count(1)  # a paragraph split at a page break
    page.click("input[name=_confirm]")
    expect(page.locator(".messagelist")).to_contain_text("borders-in-the-ferghana-valley: created")

    page.goto(f"{live_server.url}/admin/articles/missinglink/")
    form = page.locator("form.missing-link").first
    expect(form.locator("mark")).to_have_text("most of their border")
    form.locator(".select2-selection").click()
    page.fill(".select2-dropdown .select2-search__field", "Treaty")
    page.locator(".select2-results__option", has_text="Treaty on the Kyrgyz").click()
    form.locator("input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "now cites “Treaty on the Kyrgyz–Uzbek state border”"
    )

    page.goto(f"{live_server.url}/articles/borders-in-the-ferghana-valley/")
    notes = _notes(page)
    assert notes[0].startswith("Treaty on the Kyrgyz–Uzbek state border")
    assert "stats.example.org/ferghana" in notes[1]
    expect(page.get_by_text("Aida Nurlanova is a fellow")).to_be_visible()
