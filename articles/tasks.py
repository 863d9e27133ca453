"""Background work on sources, run by `manage.py db_worker`: what an analyst asks for on the desk
that takes longer than a page may wait."""

from collections import Counter

from django.conf import settings
from django_tasks import task

from .archiving import ArchiveError, source_archive
from .link_health import link_jobs, links_check
from .models import Source


@task()
def check_links_of_sources(source_ids: list[int]) -> dict[str, int]:
    """Check and record the links of these sources now, whenever they were last checked."""
    sources = Source.objects.filter(pk__in=source_ids).exclude(url="").only("pk", "key", "url")
    counts = Counter()
    batches = links_check(
        jobs=link_jobs(sources),
        timeout=settings.LINK_CHECK_TIMEOUT,
        concurrency=settings.LINK_CHECK_CONCURRENCY,
    )
    for batch in batches:
        counts.update(result.status for result in batch)
    return dict(counts)


@task()
def archive_sources(source_ids: list[int]) -> dict[str, int]:
    """Ask the web archive to save these sources' pages, one at a time (it is slow and rate-limited)."""
    counts = Counter()
    for source in Source.objects.filter(pk__in=source_ids).exclude(url="").only("pk", "key", "url"):
        try:
            source_archive(source=source)
        except ArchiveError:
            counts["failed"] += 1
        else:
            counts["archived"] += 1
    return dict(counts)
