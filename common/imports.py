"""Spreadsheet imports every server can finish: the file waits in the database, large files run in the
background worker, and their progress and report are kept for the page that shows them.

The import itself is the resource's (django-import-export): all or nothing, with a result per row.
"""

import datetime
import itertools

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.results import RowResult
from import_export.tmp_storages import BaseStorage

from . import formats
from .models import ImportJob

FORMATS = {format_class.__name__.lower(): format_class for format_class in formats.FORMATS}
# The report keeps this many rows of each kind, refused rows first; the totals count them all.
REPORT_ROWS = {
    RowResult.IMPORT_TYPE_INVALID: 500,
    RowResult.IMPORT_TYPE_ERROR: 500,
    RowResult.IMPORT_TYPE_NEW: 100,
    RowResult.IMPORT_TYPE_UPDATE: 100,
}
PROGRESS_EVERY = 250


def purge_expired_uploads() -> int:
    """Delete files previewed but never confirmed, once they have waited too long."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.FOOTNOTE_IMPORT_KEEP_HOURS)
    waiting = [ImportJob.State.UPLOADED, ImportJob.State.PREVIEWED, ImportJob.State.FAILED]
    deleted, _ = ImportJob.objects.filter(state__in=waiting, created_at__lt=cutoff).delete()
    return deleted


class DatabaseTmpStorage(BaseStorage):
    """django-import-export's store for the file between preview and confirm, in the database."""

    def save(self, data):
        purge_expired_uploads()
        job = ImportJob.objects.create(
            data=data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        )
        self.name = str(job.pk)

    def read(self):
        data = bytes(
            ImportJob.objects.filter(pk=self.name, state=ImportJob.State.UPLOADED)
            .values_list("data", flat=True)
            .get()
        )
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8")

    def remove(self):
        ImportJob.objects.filter(pk=self.name, state=ImportJob.State.UPLOADED).delete()


def dataset_of(job: ImportJob):
    file_format = FORMATS[job.file_format]()
    data = bytes(job.data)
    return file_format.create_dataset(data if file_format.is_binary() else data.decode("utf-8-sig"))


# Progress ------------------------------------------------------------------------------------------


def _progress_key(job_id) -> str:
    return f"import-job-progress:{job_id}"


def progress_of(job: ImportJob) -> int:
    """Rows done so far: the worker writes it outside the import's transaction, which others cannot see."""
    if not job.running:
        return job.rows
    return min(caches["jobs"].get(_progress_key(job.pk), 0), job.rows)


def _record_progress(job_id):
    def record(row_number: int) -> None:
        if row_number % PROGRESS_EVERY == 0:
            caches["jobs"].set(_progress_key(job_id), row_number, timeout=24 * 3600)

    return record


# Reports -------------------------------------------------------------------------------------------


def _row_report(row_number: int, row) -> dict:
    entry = {"row": row_number, "kind": row.import_type, "object": row.object_repr or ""}
    if row.validation_error is not None:
        entry["errors"] = {
            field: [str(message) for message in messages]
            for field, messages in row.validation_error.message_dict.items()
        }
    if row.errors:
        entry["errors"] = {"": [str(error.error) for error in row.errors]}
    return entry


def report_of(result) -> tuple[dict, list[dict]]:
    """The totals by kind, and the rows worth reading: every refused one first, then new and changed."""
    totals = {kind: count for kind, count in result.totals.items() if count}
    rows = []
    for kind, limit in REPORT_ROWS.items():
        matching = (
            _row_report(number, row) for number, row in enumerate(result.rows, 1) if row.import_type == kind
        )
        rows.extend(itertools.islice(matching, limit))
    for error in result.base_errors:
        rows.insert(
            0,
            {"row": 0, "kind": RowResult.IMPORT_TYPE_ERROR, "object": "", "errors": {"": [str(error.error)]}},
        )
    return totals, rows


# Jobs ----------------------------------------------------------------------------------------------


def import_job_create(
    *, user, model_label: str, resource_class, file_name: str, file_format: str, data: bytes, rows: int
) -> ImportJob:
    """Keep a large file and have the worker check every row of it."""
    from .tasks import run_import_job

    purge_expired_uploads()
    job = ImportJob.objects.create(
        user=user,
        model=model_label,
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        file_name=file_name,
        file_format=file_format,
        data=data,
        rows=rows,
        state=ImportJob.State.PREVIEWING,
    )
    transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk)))
    return job


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Import a checked file for real, in the background."""
    from .tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportJob.State.PREVIEWED:
            raise ValueError(f"This file is {job.get_state_display().lower()}: it cannot be imported now.")
        job.state = ImportJob.State.IMPORTING
        job.save(update_fields=["state"])
        transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk)))
    return job


def import_job_run(*, job_id) -> ImportJob:
    """Check (or, once confirmed, import) a job's file: all rows or none, with progress recorded."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not job.running:
        return job
    dry_run = job.state == ImportJob.State.PREVIEWING
    try:
        resource = import_string(job.resource)()
        result = resource.import_data(
            dataset_of(job),
            dry_run=dry_run,
            raise_errors=False,
            file_name=job.file_name,
            user=job.user,
            progress=_record_progress(job.pk),
        )
    except Exception as error:  # noqa: BLE001  (whatever went wrong, the page must say so)
        return _finish(job, state=ImportJob.State.FAILED, error=f"{type(error).__name__}: {error}")
    refused = result.has_errors() or result.has_validation_errors()
    totals, report = report_of(result)
    if refused:
        state = ImportJob.State.FAILED
    else:
        state = ImportJob.State.PREVIEWED if dry_run else ImportJob.State.IMPORTED
    return _finish(job, state=state, totals=totals, report=report)


def _finish(job: ImportJob, *, state, totals=None, report=None, error="") -> ImportJob:
    job.state, job.error = state, error
    job.totals, job.report = totals or {}, report or []
    job.finished_at = timezone.now()
    fields = ["state", "error", "totals", "report", "finished_at"]
    if state == ImportJob.State.IMPORTED:
        job.data = b""  # imported: the file is no longer needed, its report is
        fields.append("data")
    job.save(update_fields=fields)
    caches["jobs"].delete(_progress_key(job.pk))
    return job
