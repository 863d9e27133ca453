"""The desk in real browsers: an analyst and editors take an article from draft to readers.

The analyst drafts and submits; an editor sends it back; the analyst fixes and resubmits; the
editor schedules it and it goes live at its time with nobody acting, on the site, in the API and
the feeds; a correction follows; the revisions show the fix and the first one is restored; a
second editor's stale save is refused with the difference. Screenshots go to test-artifacts/.
"""

import datetime
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.conftest import in_role
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desk"
TITLE = "Customs figures put China ahead in Central Asia"
FIRST_TEXT = (
    "China's trade with the five states passed $70 billion, "
    "[customs data show](https://customs.example.org/2022/central-asia)."
)
FIXED_TEXT = (
    "China's trade with the five states passed $70 billion in 2022, "
    "[customs data show](https://customs.example.org/2022/central-asia)."
)


def _person(browser, live_server, username, role, first_name):
    in_role(StaffFactory(username=username, first_name=first_name, last_name="Desk", password=PASSWORD), role)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _step(page, label, note=None, at=None):
    page.locator(".desk-step summary", has_text=label).click()
    form = page.locator(".desk-step[open] form")
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    if at is not None:
        form.locator("input[name=at]").fill(at)
    form.locator("input[type=submit]").click()


def _message(page):
    return page.locator(".messagelist")


def _article_url(live_server, article, suffix=""):
    return f"{live_server.url}/admin/articles/article/{article.pk}/{suffix}"


def test_draft_review_send_back_schedule_live_correct_revise_and_refuse_a_stale_save(browser, live_server):
    analyst = _person(browser, live_server, "dana", "Analyst", "Dana")
    editor = _person(browser, live_server, "eli", "Editor", "Eli")

    # The analyst drafts and submits.
    analyst.goto(f"{live_server.url}/admin/articles/article/add/")
    analyst.locator("#id_title").press_sequentially(TITLE)
    analyst.fill("#id_body", FIRST_TEXT)
    analyst.click("input[name=_continue]")
    expect(_message(analyst)).to_contain_text("was added successfully")
    article = Article.objects.get(title=TITLE)
    _step(analyst, "Submit for review", note="Ready for a look.")
    expect(_message(analyst)).to_contain_text(f"Submitted for review: “{TITLE}”")

    # The editor finds it on the desk and sends it back.
    editor.goto(f"{live_server.url}/admin/")
    _shot(editor, "editor-desk")
    editor.locator(".desk section", has_text="Waiting for review").get_by_role("link", name=TITLE).click()
    _step(editor, "Send back", note="Say which year the $70 billion is for.")
    expect(_message(editor)).to_contain_text("Sent back")

    # The analyst sees why, fixes the text and resubmits.
    analyst.goto(f"{live_server.url}/admin/")
    expect(analyst.locator(".desk section", has_text="Your drafts")).to_contain_text(
        "Say which year the $70 billion is for."
    )
    _shot(analyst, "analyst-desk-sent-back")
    analyst.goto(_article_url(live_server, article, "change/"))
    analyst.fill("#id_body", FIXED_TEXT)
    analyst.click("input[name=_continue]")
    expect(_message(analyst)).to_contain_text("was changed successfully")
    _step(analyst, "Submit for review", note="Year added.")
    expect(_message(analyst)).to_contain_text("Submitted for review")

    # The editor schedules it a few seconds ahead; nothing shows until then.
    at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=8)).replace(microsecond=0)
    editor.goto(_article_url(live_server, article, "change/"))
    _step(editor, "Publish", at=at.strftime("%Y-%m-%dT%H:%M:%S"))
    expect(_message(editor)).to_contain_text(f"Scheduled: “{TITLE}”")
    _shot(editor, "editor-scheduled")
    public = f"{live_server.url}/articles/{article.slug}/"
    reader = browser.new_context().new_page()
    assert reader.goto(public).status == 404
    assert _api_slugs(reader, live_server) == []
    assert article.slug not in _feed_links(reader, live_server)

    # Its time comes, and nobody acts.
    while timezone.now() < at:
        time.sleep(0.5)
    assert reader.goto(public).status == 200
    expect(reader.locator("h1")).to_have_text(TITLE)
    assert _api_slugs(reader, live_server) == [article.slug]
    assert any(link.endswith(f"/articles/{article.slug}/") for link in _feed_links(reader, live_server))

    # A correction follows and shows under the article.
    editor.goto(_article_url(live_server, article, "change/"))
    _step(editor, "Correct", note="An earlier version did not give the year of the trade figure.")
    expect(_message(editor)).to_contain_text("Corrected")
    reader.goto(public)
    expect(reader.locator(".corrections")).to_contain_text("did not give the year of the trade figure")
    _shot(reader, "reader-corrected")

    # The revisions show the fix, word by word; the first is restored.
    editor.goto(_article_url(live_server, article, "history/"))
    rows = editor.locator(".revision-list tbody tr")
    count = rows.count()
    rows.nth(count - 1).locator("input[name=older]").check()
    rows.nth(0).locator("input[name=newer]").check()
    editor.get_by_role("button", name="Compare").click()
    body_diff = editor.locator(".revision-diff h3", has_text="Body").locator(
        "xpath=following-sibling::div[1]"
    )
    expect(body_diff.locator("ins")).to_have_text(["in 2022"])
    _shot(editor, "editor-revision-diff")
    editor.locator(".revision-list tbody tr").nth(count - 1).get_by_role(
        "link", name="Restore this revision"
    ).click()
    expect(editor.locator(".errornote")).to_have_text(
        "This article is published: readers will see the restored text at once."
    )
    editor.get_by_role("button", name="Restore this revision").click()
    expect(_message(editor)).to_contain_text("Restored the revision of")
    article.refresh_from_db()
    assert article.body == FIRST_TEXT

    # Two editors open the page; the second to save a stale copy is refused and shown why.
    other = _person(browser, live_server, "ola", "Editor", "Ola")
    editor.goto(_article_url(live_server, article, "change/"))
    other.goto(_article_url(live_server, article, "change/"))
    expect(other.locator(".presence")).to_contain_text("Eli Desk")
    editor.fill("#id_title", TITLE + ", a year on")
    editor.click("input[name=_continue]")
    expect(_message(editor)).to_contain_text("was changed successfully")
    other.fill("#id_dek", "What the customs statistics say.")
    other.click("input[name=_continue]")
    expect(other.locator(".errorlist")).to_contain_text("Eli Desk saved this article after you opened it")
    expect(other.locator("details.conflict ins").first).to_have_text(", a year on")
    expect(other.locator("#id_dek")).to_have_value("What the customs statistics say.")
    expect(other.locator("#id_title")).to_have_value(TITLE + ", a year on")
    _shot(other, "second-editor-refused")
    other.click("input[name=_continue]")
    expect(_message(other)).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert (article.title, article.dek) == (TITLE + ", a year on", "What the customs statistics say.")


def _api_slugs(page, live_server):
    return [
        card["slug"] for card in page.request.get(f"{live_server.url}/api/v1/articles/").json()["results"]
    ]


def _feed_links(page, live_server):
    rss = ElementTree.fromstring(page.request.get(f"{live_server.url}/feeds/articles.rss").body())
    return [link.text for link in rss.iter("link")]
