"""The curation lists: admin filters for what waits to be curated, which the desk page links to."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q

from .models import ClaimEvidence, Source


class CurationFilter(admin.SimpleListFilter):
    """Named lists of rows waiting for one kind of work; each value is one filter of the queryset."""

    title = "curation list"
    parameter_name = "curate"
    lists: dict[str, tuple[str, Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.lists.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.lists:
            return queryset
        return queryset.filter(self.lists[self.value()][1])


def _evidence(stance: str | None = None) -> Exists:
    evidence = ClaimEvidence.objects.filter(claim=OuterRef("pk"))
    return Exists(evidence.filter(stance=stance) if stance else evidence)


class ClaimCurationFilter(CurationFilter):
    lists = {
        "unverified": ("to verify", Q(status="unverified")),
        "unsourced": ("without any source", ~_evidence()),
        "contradicted": (
            "contradicted or disputed",
            Q(status="disputed") | _evidence(ClaimEvidence.Stance.CONTRADICTS),
        ),
    }


class SourceCurationFilter(CurationFilter):
    lists = {
        "link": (
            "link missing or broken",
            Q(link_status__in=[Source.LinkStatus.MISSING, Source.LinkStatus.BROKEN]),
        ),
        "ungraded": ("not graded yet", Q(reliability="")),
    }


class GradeFilter(admin.SimpleListFilter):
    """Sources by the reliability they were graded."""

    title = "reliability"
    parameter_name = "reliability"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Source._meta.get_field("reliability").choices]

    def queryset(self, request, queryset):
        return queryset.filter(reliability=self.value()) if self.value() else queryset
