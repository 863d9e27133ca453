"""Managers both apps' models use."""

from django.db import models


class SlugManager(models.Manager):
    """Lets fixtures and dumps name rows by slug rather than by database id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)
