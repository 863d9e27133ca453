"""An editor's whole journey in a real browser: admin, public page, JSON feed."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
BODY = (
    "Trade with China [passed $70 billion](https://customs.example.org/2022/trade) in 2022, "
    "Russians [crossed into Kazakhstan](#) in large numbers and the two capitals "
    "[signed a treaty](https://treaties.example.org/kz-uz)."
)


def _log_in(page, live_server):
    SuperuserFactory(username="editor", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def _pick(page, select_id, text):
    """Choose `text` in one of the admin's autocomplete (select2) fields."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-dropdown .select2-search__field", text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_an_editor_publishes_an_article_readers_and_the_feed_then_see(page, live_server):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server)

    page.goto(f"{live_server.url}/admin/articles/author/add/")
    page.fill("#id_name", "Aida Nurlanova")
    page.fill("#id_bio", "Follows Central Asia's foreign policy.")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{live_server.url}/admin/articles/source/add/")
    page.fill("#id_key", "customs-2022")
    page.fill("#id_title", "Imports and exports by country, 2022")
    page.fill("#id_publisher", "General Administration of Customs")
    page.fill("#id_url", "https://www.customs.example.org/2022/trade/")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("China outpaces Russia in Central Asia")
    expect(page.locator("#id_slug")).to_have_value("china-outpaces-russia-in-central-asia")
    page.fill("#id_body", BODY)
    _pick(page, "id_bylines-0-author", "Aida")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.locator(".desk-step summary", has_text="Publish").click()
    page.locator('.desk-step input[type=submit][value="Publish or schedule"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Published: “China outpaces Russia in Central Asia”")

    page.goto(f"{live_server.url}/articles/china-outpaces-russia-in-central-asia/")
    expect(page.locator("h1")).to_have_text("China outpaces Russia in Central Asia")
    expect(page.locator("sup.note-ref")).to_have_count(3)
    notes = page.locator("[id^=note-]")
    expect(notes).to_have_count(3)
    expect(notes.nth(0)).to_contain_text("Imports and exports by country, 2022")  # found by its address
    expect(notes.nth(1)).to_contain_text("Link missing")
    expect(notes.nth(2)).to_contain_text("https://treaties.example.org/kz-uz")
    expect(page.get_by_text("Aida Nurlanova").first).to_be_visible()
    page.click("sup.note-ref >> text=2")  # opens the note in place, which leads on to the list
    expect(page.locator("#note-popover")).to_contain_text("Link missing")
    page.locator("#note-popover").get_by_role("link", name="In the list of notes").click()
    expect(page).to_have_url(re.compile(r"#note-2$"))

    feed = page.request.get(f"{live_server.url}/api/v1/articles/").json()
    [card] = feed["results"]
    assert card["slug"] == "china-outpaces-russia-in-central-asia"
    entry = page.request.get(card["api_url"]).json()
    assert [c["number"] for c in entry["citations"]] == [1, 2, 3]
    assert entry["citations"][0]["source"]["title"] == "Imports and exports by country, 2022"
    assert entry["authors"] == [{"name": "Aida Nurlanova", "slug": "aida-nurlanova"}]
    assert errors == []


def test_the_demo_article_reads_on_a_phone_without_sideways_scrolling(phone_page, live_server):
    call_command("load_demo", verbosity=0)
    phone_page.goto(f"{live_server.url}/")
    phone_page.locator("main a[href^='/articles/']").first.click()
    expect(phone_page.locator("sup.note-ref").first).to_be_visible()
    assert phone_page.locator("sup.note-ref").count() >= 15
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Every note number sits on the same line as the word before it.
    orphans = phone_page.evaluate(
        """() => [...document.querySelectorAll('.cited')].filter(words => {
            const rects = words.getClientRects(), last = rects[rects.length - 1];
            const note = words.nextElementSibling.getBoundingClientRect();
            return Math.abs(note.bottom - last.bottom) > last.height;
        }).length"""
    )
    assert orphans == 0


def test_a_draft_is_not_on_the_public_site_in_a_browser(page, live_server):
    from tests.factories import ArticleFactory

    ArticleFactory(slug="not-yet", title="Not yet", status="draft")
    response = page.goto(f"{live_server.url}/articles/not-yet/")
    assert response.status == 404
    page.goto(f"{live_server.url}/articles/")
    expect(page.get_by_text("Not yet")).to_have_count(0)


def test_select_all_on_the_export_page_works_under_the_content_security_policy(page, live_server):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/source/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]")
    assert fields.count() > 5

    page.locator("input.select-toggle").uncheck()
    assert not any(box.is_checked() for box in fields.all())
    page.locator("input.select-toggle").check()
    assert all(box.is_checked() for box in fields.all())
