"""Managers and fields both apps' models use, and the spreadsheet imports every server can pick up."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


def updated_at_field() -> models.DateTimeField:
    """When the row last changed: what the API's `updated_since` compares, so indexed. Rows written
    raw (a fixture, which skips `auto_now`) get the time they were written from the database."""
    return models.DateTimeField(auto_now=True, db_default=Now(), db_index=True)


class SlugManager(models.Manager):
    """Lets fixtures and dumps name rows by slug rather than by database id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way in, kept in the database so any server or worker can read it.

    A small file is previewed and confirmed within requests and only waits here in between; a large
    one is previewed and then imported by the background worker, which records its progress and report.
    The file itself is dropped once imported; the report stays.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for confirmation"
        PREVIEWING = "previewing", "Checking every row"
        PREVIEWED = "previewed", "Checked: waiting for confirmation"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Refused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(max_length=100, blank=True, help_text="app_label.model_name")
    resource = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=10, blank=True)
    data = models.BinaryField(blank=True)
    state = models.CharField(max_length=20, choices=State, default=State.UPLOADED)
    rows = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name or self.pk} ({self.get_state_display().lower()})"

    @property
    def running(self) -> bool:
        return self.state in {self.State.PREVIEWING, self.State.IMPORTING}


class Tombstone(models.Model):
    """A record that left public view (withdrawn, deleted, or no longer cited by anything public),
    so that a partner keeping a copy through the API learns to remove it (`/api/v1/removals/`)."""

    kind = models.CharField(max_length=20, help_text="article, claim, source, author, topic, actor, …")
    identifier = models.CharField(max_length=200, help_text="Its identifier in the API: slug, id or key.")
    removed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["removed_at", "id"], name="tombstone_removed_at")]

    def __str__(self):
        return f"{self.kind} {self.identifier} (removed {self.removed_at:%Y-%m-%d %H:%M})"
