"""Asking a web archive to save a page, against a fake archive served on 127.0.0.1."""

import socket

import pytest

from articles.archiving import ArchiveError, archive_save, source_archive, sources_due_for_archive
from articles.models import Source
from tests.factories import SourceFactory
from tests.http_servers import SAVED_AT, FakeArchive


@pytest.fixture
def archive(settings):
    with FakeArchive() as running:
        settings.WEB_ARCHIVE_SAVE_URL = running.save_url
        settings.WEB_ARCHIVE_TIMEOUT = 0.5
        settings.LINK_CHECK_USER_AGENT = "FootnoteLinkChecker/1.0 (+https://footnote.example)"
        yield running


@pytest.mark.parametrize("ending", ["content-location", "created", "redirect"])
def test_the_copys_address_and_time_come_from_the_archives_answer(archive, ending):
    page = f"https://news.example/2025/{ending}"

    copy = archive_save(url=page)

    assert copy.url == archive.copy_url(page)
    assert copy.at == SAVED_AT
    assert archive.requests[0] == (f"/save/{page}", "FootnoteLinkChecker/1.0 (+https://footnote.example)")


def test_a_fragment_is_not_sent_to_the_archive(archive):
    archive_save(url="https://news.example/2025/content-location#section-2")

    assert [path for path, _ in archive.requests] == ["/save/https://news.example/2025/content-location"]


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ("refused", "The web archive refused to save https://news.example/refused: 429 Too Many Requests."),
        ("silent", "The web archive did not say where it saved https://news.example/silent."),
        ("hang", "The web archive did not answer within 0.5 s for https://news.example/hang."),
    ],
)
def test_an_archive_that_refuses_names_nothing_or_hangs_is_a_clear_error(archive, ending, message):
    with pytest.raises(ArchiveError) as error:
        archive_save(url=f"https://news.example/{ending}")

    assert str(error.value) == message


def test_an_archive_that_cannot_be_reached_is_a_clear_error(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.WEB_ARCHIVE_SAVE_URL = f"http://127.0.0.1:{port}/save/"

    with pytest.raises(
        ArchiveError, match=r"^The web archive could not be asked to save https://news\.example/a"
    ):
        archive_save(url="https://news.example/a")


def test_only_web_pages_are_sent_to_the_archive(archive):
    with pytest.raises(ArchiveError, match="is not a web page the archive can save"):
        archive_save(url="javascript:alert(1)")

    assert archive.requests == []


@pytest.mark.django_db
def test_archiving_a_source_stores_the_copy_and_nothing_else(archive):
    source = SourceFactory(url="https://news.example/2025/redirect", link_status=Source.LinkStatus.OK)
    Source.objects.filter(pk=source.pk).update(title="Edited meanwhile")

    source_archive(source=source)

    stored = Source.objects.get(pk=source.pk)
    assert (stored.archive_url, stored.archived_at) == (archive.copy_url(source.url), SAVED_AT)
    assert stored.title == "Edited meanwhile"


@pytest.mark.django_db
def test_a_refusal_leaves_the_source_as_it_was(archive):
    source = SourceFactory(url="https://news.example/refused")

    with pytest.raises(ArchiveError):
        source_archive(source=source)

    stored = Source.objects.get(pk=source.pk)
    assert (stored.archive_url, stored.archived_at) == ("", None)


@pytest.mark.django_db
def test_pages_due_for_archiving_are_live_ones_without_a_copy():
    Status = Source.LinkStatus
    ok = SourceFactory(key="ok", link_status=Status.OK)
    moved = SourceFactory(key="moved", link_status=Status.REDIRECTED)
    SourceFactory(key="archived", link_status=Status.OK, archive_url="https://web.archive.org/web/2024/x")
    SourceFactory(key="broken", link_status=Status.BROKEN)
    SourceFactory(key="unchecked")
    SourceFactory(key="no-address", url="")

    assert [s.key for s in sources_due_for_archive(limit=10)] == [ok.key, moved.key]
    assert [s.key for s in sources_due_for_archive(limit=1)] == [ok.key]
