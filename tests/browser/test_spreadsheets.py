"""In a real browser: a template downloaded, filled and imported; a large file checked and imported in
the background while its page moves a progress bar. Screenshots go to test-artifacts/spreadsheets/."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.models import Source
from articles.resources import SourceResource
from common.imports import import_job_run
from common.models import ImportJob
from tests.browser.test_editorial_journey import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "spreadsheets"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_template_is_downloaded_filled_previewed_and_imported(page, live_server, tmp_path):
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/source/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    template = tmp_path / "sources.csv"
    download.value.save_as(template)
    rows = list(csv.DictReader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    assert rows == [{**dict.fromkeys(rows[0], ""), **SourceResource.example}]
    rows.append({**rows[0], "key": "second", "url": "https://example.org/second", "title": "Второй отчёт"})
    with template.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    page.set_input_files("#id_import_file", str(template))
    page.select_option("#id_format", label="csv")
    page.get_by_role("button", name="Submit").click()
    _shot(page, "template-preview")
    page.get_by_role("button", name="Confirm import").click()

    expect(page.locator(".messagelist")).to_contain_text("2 new")
    assert set(Source.objects.values_list("key", flat=True)) == {"china-customs-2022", "second"}


def test_a_large_file_moves_a_progress_bar_then_imports_on_confirmation(
    page, live_server, tmp_path, settings
):
    settings.FOOTNOTE_IMPORT_INLINE_ROWS = 10
    big = tmp_path / "archive.csv"
    with big.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["key", "url", "title"])
        writer.writerows([f"archive-{n}", f"https://example.org/{n}", f"Report {n}"] for n in range(300))
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/source/import/")

    page.set_input_files("#id_import_file", str(big))
    page.select_option("#id_format", label="csv")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("#job-state")).to_have_text("Checking every row")
    _shot(page, "large-file-checking")
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)  # what the worker does
    confirm = page.get_by_role("button", name="Confirm import")
    expect(confirm).to_be_visible(timeout=10_000)  # the page notices by itself
    expect(page.locator(".import-totals")).to_contain_text("300")
    _shot(page, "large-file-checked")
    confirm.click()

    expect(page.locator("#job-state")).to_have_text("Importing")
    import_job_run(job_id=job.pk)
    expect(page.locator("#job-state")).to_have_text("Imported", timeout=10_000)
    _shot(page, "large-file-imported")
    assert Source.objects.count() == 300


def test_the_import_page_reads_well_on_a_phone(phone_page, live_server):
    _log_in(phone_page, live_server)
    phone_page.goto(f"{live_server.url}/admin/articles/claim/import/")

    expect(phone_page.get_by_role("link", name="XLSX", exact=True)).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    _shot(phone_page, "import-page-phone")
