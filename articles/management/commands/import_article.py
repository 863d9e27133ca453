"""`manage.py import_article PATH [PATH ...] [--publish] [--dry-run]`: bring finished papers in.

Each file is imported on its own: one bad file is reported and the others are still imported.
Prints one line per file; exits non-zero when any file failed.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.importer import article_import, article_import_preview
from articles.ingest import IngestError, read_file, too_large


class Command(BaseCommand):
    help = "Import articles from Markdown, text or Word (.docx) files, matched to existing articles by slug."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--publish", action="store_true", help="publish at the date the text gives")
        parser.add_argument("--dry-run", action="store_true", help="show what would be done; save nothing")
        parser.add_argument(
            "--verbose-report", action="store_true", help="list notes, repairs and suggestions"
        )

    def handle(self, *args, paths, publish, dry_run, verbose_report, **options):
        failed = 0
        for path in paths:
            try:
                report = self._import(path, publish=publish, dry_run=dry_run)
            except (IngestError, ValidationError, OSError) as error:
                failed += 1
                self.stderr.write(self.style.ERROR(_message(path, error)))
                continue
            except Exception as error:  # noqa: BLE001  one file's unforeseen failure must not stop the batch
                failed += 1
                self.stderr.write(
                    self.style.ERROR(f"{path}: could not be imported ({type(error).__name__}: {error})")
                )
                continue
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(prefix + report.summary)
            for warning in report.warnings:
                self.stdout.write(f"  warning: {warning}")
            if verbose_report:
                self._details(report)
        if failed:
            raise CommandError(f"{failed} of {len(paths)} files could not be imported.")

    def _import(self, path: Path, *, publish: bool, dry_run: bool):
        if problem := too_large(path.stat().st_size, settings.FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES):
            raise IngestError(problem, name=str(path))
        document = read_file(path.read_bytes(), name=str(path), max_chars=settings.FOOTNOTE_MAX_BODY_CHARS)
        service = article_import_preview if dry_run else article_import
        return service(document=document, publish=publish)

    def _details(self, report) -> None:
        for repair in report.repairs:
            self.stdout.write(f"  repair: {repair.description}")
        for note in report.notes:
            self.stdout.write(f"  note {note.number} [{note.state}] {note.words} → {note.source_key}")
        for suggestion in report.suggestions:
            self.stdout.write(f"  claim? [{suggestion.state}] {suggestion.quote}")


def _message(path: Path, error: Exception) -> str:
    if isinstance(error, IngestError):
        return str(error)
    if isinstance(error, ValidationError):
        return f"{path}: " + " ".join(error.messages)
    return f"{path}: {error.strerror or error}"
