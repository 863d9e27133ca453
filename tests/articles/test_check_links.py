"""`manage.py check_links` end to end, against sites served on 127.0.0.1."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Source
from tests.factories import SourceFactory
from tests.helpers import past
from tests.http_servers import SAVED_AT, FakeArchive, LinkSite

pytestmark = pytest.mark.django_db
Status = Source.LinkStatus


@pytest.fixture
def site(settings):
    settings.LINK_CHECK_PER_HOST_INTERVAL = 0
    settings.LINK_CHECK_ALLOW_PRIVATE = True  # the test site listens on 127.0.0.1
    with LinkSite() as running:
        yield running


def check_links(*args) -> dict:
    """Run the command; its summary, parsed: checked, counts per status, broken and archive lines."""
    out = StringIO()
    call_command("check_links", "--timeout", "0.5", *args, stdout=out)
    lines = out.getvalue().splitlines()
    checked = re.fullmatch(r"Checked (\d+) links in \d+\.\d s\.", lines[0])
    assert checked, lines[0]
    summary = {"checked": int(checked[1]), "counts": {}, "broken": {}, "archived": None, "not archived": {}}
    section = "counts"
    for line in lines[1:]:
        if line == "Broken links:":
            section = "broken"
        elif archived := re.fullmatch(r"Archived (\d+) pages; (\d+) could not be archived\.", line):
            summary["archived"] = (int(archived[1]), int(archived[2]))
            section = "not archived"
        else:
            name, value = line.split(": ", 1)
            summary[section][name] = int(value) if section == "counts" else value
    return summary


def test_it_checks_due_links_records_them_and_prints_a_summary(site):
    SourceFactory(key="working", url=site.url("/ok"))
    SourceFactory(key="moved", url=site.url("/moved"))
    SourceFactory(key="gone", url=site.url("/gone"))
    SourceFactory(key="hanging", url=site.url("/hang"))
    SourceFactory(key="long-ago", url=site.url("/error"), link_checked_at=past(days=30))
    SourceFactory(key="no-address", url="")

    summary = check_links()

    assert summary == {
        "checked": 5,
        "counts": {"ok": 1, "redirected": 1, "broken": 3},
        "broken": {
            "gone": "404 Not Found",
            "hanging": "timed out after 0.5 s",
            "long-ago": "500 Internal Server Error",
        },
        "archived": None,
        "not archived": {},
    }
    stored = {s.key: (s.link_status, s.link_target) for s in Source.objects.all()}
    assert stored == {
        "working": (Status.OK, ""),
        "moved": (Status.REDIRECTED, site.url("/pages/new")),
        "gone": (Status.BROKEN, ""),
        "hanging": (Status.BROKEN, ""),
        "long-ago": (Status.BROKEN, ""),
        "no-address": (Status.MISSING, ""),
    }
    assert Source.objects.get(key="no-address").link_checked_at is None


def test_links_checked_recently_are_skipped_unless_all_are_asked_for(site):
    SourceFactory(key="yesterday", url=site.url("/ok?yesterday"), link_checked_at=past(days=1))
    SourceFactory(key="last-month", url=site.url("/ok?last-month"), link_checked_at=past(days=30))
    SourceFactory(key="no-address", url="")

    assert check_links("--older-than", "7")["checked"] == 1
    assert site.paths() == ["/ok?last-month"]

    assert check_links("--older-than", "0.5")["checked"] == 1
    assert site.paths()[1:] == ["/ok?yesterday"]

    assert check_links("--all")["checked"] == 2
    # A source without an address is never asked for, whatever the options.
    assert sorted(site.paths()[2:]) == ["/ok?last-month", "/ok?yesterday"]


def test_the_default_age_comes_from_the_settings(settings, site):
    # The option's default is read when the command is built, so the setting is changed first.
    settings.LINK_CHECK_STALE_DAYS = 40
    SourceFactory(key="last-month", url=site.url("/ok"), link_checked_at=past(days=30))

    assert check_links()["checked"] == 0
    assert site.requests == []


def test_with_archive_live_pages_without_a_copy_are_sent_to_the_archive(settings, site):
    with FakeArchive() as archive:
        settings.WEB_ARCHIVE_SAVE_URL = archive.save_url
        SourceFactory(key="a-live", url=site.url("/ok?content-location"))
        SourceFactory(key="b-refused", url=site.url("/ok?refused"))
        SourceFactory(key="c-live", url=site.url("/ok?created"))
        SourceFactory(key="d-gone", url=site.url("/gone"))
        SourceFactory(key="e-kept", url=site.url("/ok"), archive_url="https://web.archive.org/web/2024/x")

        summary = check_links("--archive", "--archive-limit", "2")

        assert summary["archived"] == (1, 1)
        assert summary["not archived"] == {
            "b-refused": f"The web archive refused to save {site.url('/ok?refused')}: 429 Too Many Requests."
        }
        assert Source.objects.get(key="a-live").archived_at == SAVED_AT

        # The next run goes on with the pages not yet tried; a broken page is never sent.
        summary = check_links("--all", "--archive", "--archive-limit", "5")

        assert summary["archived"] == (1, 1)
        assert set(summary["not archived"]) == {"b-refused"}
        saved = [path for path, _ in archive.requests if path.startswith("/save/")]
    assert all("/gone" not in path and path != f"/save/{site.url('/ok')}" for path in saved)
    archived = dict(Source.objects.exclude(archive_url="").values_list("key", "archive_url"))
    assert archived == {
        "a-live": archive.copy_url(site.url("/ok?content-location")),
        "c-live": archive.copy_url(site.url("/ok?created")),
        "e-kept": "https://web.archive.org/web/2024/x",
    }


def test_options_out_of_range_are_refused():
    with pytest.raises(CommandError, match="--concurrency >= 1"):
        call_command("check_links", "--concurrency", "0", stdout=StringIO())
