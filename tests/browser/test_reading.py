"""In a real browser: a reader opens a note, and a claim, in place, by pointer and by keyboard, on a
wide screen and on a phone, and nothing goes wrong in the console."""

import pytest
from playwright.sync_api import expect

from articles.services import claim_anchor
from tests.factories import ArticleFactory, ClaimEvidenceFactory, ClaimFactory, SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "Shut out of the West, the Kremlin turned south. Vladimir Putin "
    "[made five trips to Central Asia](https://www.kremlin.example/visits) in 2022.\n\n"
    "Trade with China [exceeded $70 billion](#) that year, by some counts."
)


@pytest.fixture
def article(db):
    SourceFactory(
        url="https://www.kremlin.example/visits",
        title="The President's visits and meetings, 2022",
        publisher="Presidential Executive Office",
    )
    article = ArticleFactory(slug="central-asia", title="Central Asia a year on", body=BODY)
    claim = claim_anchor(
        claim=ClaimFactory(
            article=article,
            statement="Vladimir Putin made five trips to Central Asia in 2022.",
            quote="Vladimir Putin made five trips to Central Asia in 2022",
        )
    )
    ClaimEvidenceFactory(claim=claim, stance="supports")
    return article


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _open_by_pointer_and_keyboard(page, live_server, article, *, tap: bool):
    problems = _watch_console(page)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    trigger = page.locator("#ref-1 a")
    popover = page.locator("#note-popover")
    expect(trigger).to_have_attribute("aria-controls", "note-popover")
    expect(trigger).to_have_attribute("aria-expanded", "false")

    # By pointer: the note's source shows in place, the page does not jump to the notes.
    if tap:
        trigger.tap()
    else:
        trigger.click()
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("The President's visits and meetings, 2022")
    expect(popover).to_contain_text("Presidential Executive Office")
    expect(popover.locator("a.note-url")).to_have_attribute("href", "https://www.kremlin.example/visits")
    expect(trigger).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("location.hash") == ""
    box, width = popover.bounding_box(), page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # whole, on the screen
    # A tap or click elsewhere puts it away.
    page.locator("h1").click()
    expect(popover).to_be_hidden()
    expect(trigger).to_have_attribute("aria-expanded", "false")

    # By keyboard: focus shows it, Enter takes the reader in, Escape back to the number.
    page.locator("#ref-2 a").focus()
    second = page.locator("#ref-2 a")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("Link missing: the address of this source was lost.")
    page.keyboard.press("Enter")
    expect(popover).to_be_focused()
    page.keyboard.press("Tab")
    expect(popover.locator(".note-popover__close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(second).to_be_focused()
    expect(second).to_have_attribute("aria-expanded", "false")

    # A claim's sign opens the claim: its statement, status and evidence, and a link to its page.
    page.locator("a.claim-ref").click()
    expect(popover).to_contain_text("Vladimir Putin made five trips to Central Asia in 2022.")
    expect(popover).to_contain_text("Verified")
    expect(popover).to_contain_text("1 source supports.")
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    assert problems == []


def test_a_reader_opens_a_note_in_place_on_a_wide_screen(page, live_server, article):
    _open_by_pointer_and_keyboard(page, live_server, article, tap=False)


def test_a_reader_opens_a_note_in_place_on_a_phone(phone_page, live_server, article):
    _open_by_pointer_and_keyboard(phone_page, live_server, article, tap=True)


def test_without_the_script_a_note_number_still_leads_to_the_note(browser, live_server, article):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.locator("#ref-1 a").click()
    assert page.url.endswith("#note-1")
    context.close()
