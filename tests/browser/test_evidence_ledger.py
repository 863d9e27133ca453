"""The evidence ledger in real browsers, on the demo content.

A reader follows the disputed "half a million" figure from the article to its claim: who makes it, its
bounds, the sources for and against it with their grades and quoted words, when it was last reviewed,
the claim that updates it, then the development it evidences and the relation's state over time. An
analyst finds the same claim's review history and a source's grading history on the desk, and marks a
claim verified with a note. Screenshots go to test-artifacts/ledger/.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Claim
from tests.conftest import in_role
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ledger"
ARTICLE = "/articles/central-asia-a-year-into-russias-war/"
HALF_A_MILLION = "close to 500,000 Russians had entered Kazakhstan"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fact(page, term):
    return page.locator("dl.facts dt", has_text=term).locator("xpath=following-sibling::dd[1]")


@pytest.mark.parametrize("reader", ["page", "phone_page"])
def test_a_reader_follows_a_disputed_figure_to_its_evidence_and_the_relations_state(
    request, reader, live_server
):
    call_command("load_demo", verbosity=0)
    page = request.getfixturevalue(reader)
    page.goto(f"{live_server.url}{ARTICLE}")

    page.locator(".claims .claim__statement a", has_text=HALF_A_MILLION).click()
    expect(page.locator("h1")).to_contain_text(HALF_A_MILLION)
    expect(page.locator(".record__status")).to_contain_text("Disputed")
    expect(page.locator(".record__status")).to_contain_text("last reviewed 8 March 2023")
    expect(_fact(page, "Claimed by")).to_have_text("Kazakh officials")
    expect(_fact(page, "Quantity")).to_have_text(
        "close to 500,000 people (range 450,000–500,000), January–October 2022"
    )
    against = page.locator("ul.evidence li", has=page.locator(".stance--contradicts"))
    expect(against.locator(".grade__code")).to_have_text("A2")
    expect(against.locator("blockquote.passage")).to_contain_text("records every crossing into Kazakhstan")
    supporting = page.locator("ul.evidence li", has=page.locator(".stance--supports"))
    expect(supporting.locator(".grade__code")).to_have_text("B3")
    expect(page.get_by_text("The table counts border crossings")).to_have_count(0)  # the reviewer's note
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, f"claim-{reader}")

    update = page.locator(".claim-links li", has_text="updates this claim")
    expect(update).to_contain_text("tens of thousands")
    update.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("tens of thousands were still in the country")
    expect(_fact(page, "Quantity")).to_have_text("10,000–99,999 people, as of February 2023")
    page.go_back()

    page.locator("[aria-labelledby=developments-heading] a", has_text="Kazakhstan – Russia").click()
    development = page.locator(".timeline__item:target")
    expect(development).to_contain_text("Russians leave for Central Asia in two waves")
    table = page.locator(".state-table")
    expect(table.locator("tbody tr th")).to_have_text(["2023", "2022"])
    expect(table.locator("tbody tr").nth(0).locator("td").first).to_contain_text("Cooperation")
    expect(table.locator("tbody tr").nth(1).locator("td").first).to_contain_text("Neutral")
    expect(page.locator(".as-of")).to_contain_text("as of January 2023")
    expect(page.get_by_text("Unconfirmed")).to_have_count(1)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, f"relation-{reader}")


def test_an_analyst_reads_the_histories_and_verifies_claims_with_a_note(browser, live_server):
    call_command("load_demo", verbosity=0)
    in_role(StaffFactory(username="dana", first_name="Dana", last_name="Desk", password=PASSWORD), "Analyst")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.locator(".desk__counts a", has_text="sources not graded yet").click()
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/articles/claim/?curate=contradicted")
    page.locator("#result_list a", has_text="close to 500,000 Russians").click()
    history = page.locator("#reviews-group")
    expect(history.locator("tbody tr.has_original")).to_have_count(2)
    expect(history).to_contain_text("The table counts border crossings, not people")
    expect(page.locator(".field-bearing_on_this")).to_contain_text("updates this claim")
    _shot(page, "admin-claim")

    page.goto(f"{live_server.url}/admin/articles/claim/?curate=unverified")
    page.locator("#result_list tbody tr", has_text="tens of thousands").locator("input.action-select").check()
    page.select_option("select[name=action]", "mark_verified")
    page.locator("button[name=index]").click()
    page.fill("textarea[name=note]", "Residence registrations confirm tens of thousands stayed.")
    _shot(page, "admin-mark-verified")
    page.locator("input[type=submit][value='Mark verified']").click()
    expect(page.locator(".messagelist")).to_contain_text("1 claim marked verified.")
    claim = Claim.objects.get(quote="of whom tens of thousands stayed")
    review = claim.reviews.get()
    assert (claim.status, review.user_name, review.note) == (
        "verified",
        "Dana Desk",
        "Residence registrations confirm tens of thousands stayed.",
    )
