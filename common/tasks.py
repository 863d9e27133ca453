"""Background work, run by `manage.py db_worker` (django-tasks, queued in the database)."""

from django_tasks import task

from .imports import import_job_run


@task()
def run_import_job(job_id: str) -> str:
    """Check or import a large spreadsheet; the job records its own progress and report."""
    return import_job_run(job_id=job_id).state
