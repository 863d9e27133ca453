"""Reads for the desk, the admin's front page: what waits for whom, and what needs curating.

Each list is short (the newest few, with a link to the whole filtered list), and the counts of what
needs curating are kept for a minute, so the page costs the same with ten articles or a hundred
thousand.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from relations.models import Development
from relations.selectors import with_verified_claim

from .admin_filters import ClaimCurationFilter, SourceCurationFilter
from .models import Article, ArticleStep, Citation, Claim, ClaimSuggestion, Source
from .rules import may_publish

SHOWN = 8
RECENT_DAYS = 14
COUNTS_KEY = "desk:curation-counts"
COUNTS_SECONDS = 60


@dataclass(frozen=True)
class DeskList:
    title: str
    articles: list[Article]
    more_url: str
    empty: str


@dataclass(frozen=True)
class Count:
    label: str
    number: int
    url: str


def _articles(queryset: QuerySet[Article]) -> QuerySet[Article]:
    last = ArticleStep.objects.filter(article=OuterRef("pk")).order_by("-at", "-id")
    return queryset.only("pk", "title", "status", "published_at", "updated_at").annotate(
        last_action=Subquery(last.values("action")[:1]), last_note=Subquery(last.values("note")[:1])
    )


def _changelist(**filters) -> str:
    return reverse("admin:articles_article_changelist") + ("?" + urlencode(filters) if filters else "")


def _own(user) -> Q:
    return Q(created_by=user) | Q(bylines__author__user=user)


def desk_lists(user) -> list[DeskList]:
    """The analyst's drafts and what came back to them; for an editor, also what waits for review,
    what is scheduled and what was published lately."""
    now = timezone.now()
    drafts = _articles(Article.objects.filter(_own(user), status=Article.Status.DRAFT).distinct())
    lists = [
        DeskList(
            "Your drafts",
            list(drafts.order_by("-updated_at")[:SHOWN]),
            _changelist(status="draft", mine=1),
            "No drafts of yours.",
        )
    ]
    if not may_publish(user):
        mine = _articles(Article.objects.filter(_own(user), status=Article.Status.IN_REVIEW).distinct())
        out = _articles(Article.objects.filter(_own(user), status=Article.Status.PUBLISHED).distinct())
        return [
            *lists,
            DeskList(
                "Yours in review",
                list(mine[:SHOWN]),
                _changelist(status="in_review", mine=1),
                "None of yours is in review.",
            ),
            DeskList(
                "Yours scheduled or published",
                list(out.order_by("-published_at")[:SHOWN]),
                _changelist(mine=1),
                "None of yours is out yet.",
            ),
        ]
    review = _articles(Article.objects.filter(status=Article.Status.IN_REVIEW)).order_by("updated_at")
    scheduled = _articles(Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now))
    recent = _articles(
        Article.objects.published().filter(published_at__gte=now - timezone.timedelta(days=RECENT_DAYS))
    )
    return [
        DeskList(
            "Waiting for review",
            list(review[:SHOWN]),
            _changelist(status="in_review"),
            "Nothing waits for review.",
        ),
        DeskList(
            "Scheduled",
            list(scheduled.order_by("published_at")[:SHOWN]),
            _changelist(status="scheduled"),
            "Nothing is scheduled.",
        ),
        DeskList(
            "Published lately",
            list(recent.order_by("-published_at")[:SHOWN]),
            _changelist(status="published"),
            f"Nothing published in the last {RECENT_DAYS} days.",
        ),
        *lists,
    ]


def curation_counts() -> list[Count]:
    """What waits to be curated, each count a link to the list that shows it.

    Some counts read every claim (those without any source, say: a second at half a million claims on
    PostgreSQL), so the desk shows them as counted at most COUNTS_SECONDS ago rather than recount
    them on every visit; the lists they link to are always current.
    """
    return cache.get_or_set(COUNTS_KEY, _curation_counts, COUNTS_SECONDS)


def _curation_counts() -> list[Count]:
    claims = reverse("admin:articles_claim_changelist")
    sources = reverse("admin:articles_source_changelist")
    developments = reverse("admin:relations_development_changelist")
    return [
        Count(
            "claims to verify",
            Claim.objects.filter(status=Claim.Status.UNVERIFIED).count(),
            claims + "?curate=unverified",
        ),
        Count(
            "claims without any source",
            Claim.objects.filter(ClaimCurationFilter.lists["unsourced"][1]).count(),
            claims + "?curate=unsourced",
        ),
        Count(
            "contradicted or disputed claims",
            Claim.objects.filter(ClaimCurationFilter.lists["contradicted"][1]).count(),
            claims + "?curate=contradicted",
        ),
        Count("orphaned claims", Claim.objects.filter(orphaned=True).count(), claims + "?orphaned__exact=1"),
        Count(
            "suggested claims to review",
            ClaimSuggestion.objects.filter(state=ClaimSuggestion.State.PENDING).count(),
            reverse("admin:articles_claimsuggestion_changelist") + "?state__exact=pending",
        ),
        Count(
            "notes with a missing link",
            Citation.objects.filter(source__placeholder=True).count(),
            reverse("admin:articles_missinglink_changelist"),
        ),
        Count(
            "sources with a missing or broken link",
            Source.objects.filter(SourceCurationFilter.lists["link"][1]).count(),
            sources + "?curate=link",
        ),
        Count(
            "sources not graded yet",
            Source.objects.filter(reliability="").count(),
            sources + "?curate=ungraded",
        ),
        Count(
            "developments without verified evidence",
            Development.objects.filter(~with_verified_claim()).count(),
            developments + "?evidence=unverified",
        ),
    ]
