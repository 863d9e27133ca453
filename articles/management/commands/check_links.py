"""`manage.py check_links`: check the address of every source due for a check, and record its health.

Meant for cron or a systemd timer: results are recorded as they come, so a run cut short keeps
what it found, and the exit status is 0 however many links are broken; the summary says which.
With `--archive`, live pages without an archived copy are also sent to the web archive.
"""

import datetime
import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.archiving import ArchiveError, source_archive, sources_due_for_archive
from articles.link_health import link_jobs, links_check, sources_due_for_check
from articles.models import Source

Status = Source.LinkStatus
STATUSES = [Status.OK, Status.REDIRECTED, Status.BROKEN]


class Command(BaseCommand):
    help = "Check the links of sources not checked recently, record their health, and print a summary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=settings.LINK_CHECK_STALE_DAYS,
            metavar="DAYS",
            help="Check links last checked more than DAYS ago, and those never checked "
            f"(default {settings.LINK_CHECK_STALE_DAYS}).",
        )
        parser.add_argument("--all", action="store_true", help="Check every link, however recently checked.")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.LINK_CHECK_CONCURRENCY,
            metavar="N",
            help="Requests under way at once, never two to one host.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=settings.LINK_CHECK_TIMEOUT,
            metavar="S",
            help="Seconds before one request is given up.",
        )
        parser.add_argument(
            "--archive",
            action="store_true",
            help="Also ask the web archive to save live pages that have no archived copy yet.",
        )
        parser.add_argument(
            "--archive-limit",
            type=int,
            default=20,
            metavar="N",
            help="Ask the archive for at most N pages in this run (default 20): saving is slow.",
        )

    def handle(self, *args, **options):
        if options["older_than"] < 0 or options["concurrency"] < 1 or options["timeout"] <= 0:
            raise CommandError("--older-than must be >= 0, --concurrency >= 1 and --timeout > 0.")
        now = timezone.now()
        older_than = now if options["all"] else now - datetime.timedelta(days=options["older_than"])
        jobs = link_jobs(sources_due_for_check(older_than=older_than))
        keys = {job.source_id: job.key for job in jobs}
        started = time.monotonic()
        counts, broken = Counter(), []
        for batch in links_check(jobs=jobs, timeout=options["timeout"], concurrency=options["concurrency"]):
            counts.update(result.status for result in batch)
            broken += [(keys[r.source_id], r.error) for r in batch if r.status == Status.BROKEN]
        self.stdout.write(f"Checked {len(jobs)} links in {time.monotonic() - started:.1f} s.")
        for status in STATUSES:
            self.stdout.write(f"{status.value}: {counts[status]}")
        if broken:
            self.stdout.write("Broken links:")
            for key, error in sorted(broken):
                self.stdout.write(f"{key}: {error}")
        if options["archive"]:
            self.archive(limit=options["archive_limit"])

    def archive(self, *, limit: int) -> None:
        archived, failed = 0, []
        for source in sources_due_for_archive(limit=limit):
            try:
                source_archive(source=source)
            except ArchiveError as exc:
                failed.append((source.key, str(exc)))
            else:
                archived += 1
        self.stdout.write(f"Archived {archived} pages; {len(failed)} could not be archived.")
        for key, error in failed:
            self.stdout.write(f"{key}: {error}")
