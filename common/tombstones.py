"""What left public view, kept for partners who copy the site through the API.

A partner keeping a copy asks what changed since its last visit (`updated_since`) and what went
(`/api/v1/removals/`). Something goes when it is withdrawn (the withdrawal service records that
and what it took with it), or deleted while public, by whoever deletes it: the admin, an import, a
shell. Each kind of record says how the API names it and what of it is public.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.db.models.signals import pre_delete

from .models import Tombstone


@dataclass(frozen=True)
class Kind:
    name: str  # as the API names the list: "article"
    identifier: str  # the attribute the API identifies it by: "slug"
    public: Callable[[], QuerySet]  # what of it the public may see now


KINDS: dict[type[Model], Kind] = {}


def tombstones_for(model: type[Model], *, name: str, identifier: str, public: Callable[[], QuerySet]) -> None:
    """Record a tombstone whenever a public row of `model` is deleted."""
    KINDS[model] = Kind(name, identifier, public)
    pre_delete.connect(_deleting, sender=model, dispatch_uid=f"tombstone-{model._meta.label}")


def _deleting(sender, instance, **kwargs) -> None:
    kind = KINDS[sender]
    # Before the delete, so what it belongs to (a claim's article) still says whether it was public.
    if kind.public().filter(pk=instance.pk).exists():
        tombstones_record(model=sender, rows=[instance])


def tombstones_record(*, model: type[Model], rows: Iterable[Model]) -> list[Tombstone]:
    """Record that `rows` of `model` left public view now."""
    kind = KINDS[model]
    return Tombstone.objects.bulk_create(
        Tombstone(kind=kind.name, identifier=str(getattr(row, kind.identifier))) for row in rows
    )


def no_longer_public(model: type[Model], rows: QuerySet) -> QuerySet:
    """Those of `rows` that the public can no longer see."""
    return rows.exclude(pk__in=KINDS[model].public().values("pk"))
