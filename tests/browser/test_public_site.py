"""A reader's way through the public site, on the demo content, on a wide screen and on a phone.

From the home page to the article; a note opened in place and followed to its source; an actor the
article mentions, one of its relations and that relation's chart; a search; a citation copied. The
console stays quiet and no request leaves the site. Screenshots go to test-artifacts/public-site/.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "public-site"
TITLE = "Distance without rupture"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _kept_on_the_site(page, site: str) -> list[str]:
    """Requests for anything outside the site are refused and listed."""
    elsewhere: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(site):
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    page.context.route("**/*", route)
    return elsewhere


def _console_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # the stylesheet applied
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


@pytest.mark.parametrize("reader", ["page", "phone_page"])
def test_a_reader_goes_from_the_home_page_to_the_evidence_the_actors_a_search_and_a_citation(
    request, reader, live_server
):
    call_command("load_demo", verbosity=0)
    page = request.getfixturevalue(reader)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    elsewhere = _kept_on_the_site(page, live_server.url)
    problems = _console_problems(page)
    width = "phone" if reader == "phone_page" else "desktop"

    # Home, then the lead article.
    page.goto(live_server.url)
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    article = page.url
    _no_sideways_scroll(page)

    # A note opens where it is read, and leads to its source.
    page.locator("#ref-1 a").click()
    popover = page.locator("#note-popover")
    expect(popover).to_be_visible()
    _shot(page, f"{width}-note-in-place")
    source_title = popover.locator("a.note-source").inner_text()
    popover.locator("a.note-source").click()
    expect(page.locator("h1")).to_have_text(source_title)
    _no_sideways_scroll(page)

    # An actor the article mentions, one of its relations, and that relation's chart.
    page.goto(article)
    page.locator(".actors-section").get_by_role("link", name="Kazakhstan", exact=True).click()
    expect(page.locator("h1")).to_have_text("Kazakhstan")
    page.get_by_role("link", name="Russia", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Kazakhstan")
    expect(page.locator("h1")).to_contain_text("Russia")
    chart = page.locator("svg[role=img]:visible").first
    expect(chart).to_be_visible()
    assert chart.locator("a").count() >= 1  # each development a link into the timeline
    _shot(page, f"{width}-relation-chart")
    _no_sideways_scroll(page)

    # A search from the header.
    page.locator("#site-search-q").fill("Gazprom")
    page.locator("#site-search-q").press("Enter")
    expect(page.locator("main")).to_contain_text("Gazprom")
    _shot(page, f"{width}-search")

    # A citation, copied from the article's cite box.
    page.goto(article)
    page.get_by_role("button", name="Copy Chicago").click()
    expect(page.locator(".cite-box .copy-status").first).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert TITLE.lower() in copied.lower() and "Footnote" in copied  # Chicago capitalises titles
    _shot(page, f"{width}-cite")

    assert problems == []
    assert elsewhere == []
