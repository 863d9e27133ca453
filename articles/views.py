"""Public reader pages for articles, claims, sources, authors and topics.

Every view gets its rows through a `published()` queryset or a selector, so the one visibility rule
(a published article whose publish time has come) is asked in one place. Each page runs a fixed
number of queries whatever the number of notes, claims or articles it shows.
"""

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from common.caching import public_page
from common.limits import TooSlow, time_limit
from common.paging import CURSORS, keyset_page
from relations.selectors import development_relations

from . import citing
from .anchoring import mark_claims
from .bibliography import article_bibliography_published, bibtex, csl_json, source_published
from .filters import ArticleFilter, ClaimFilter, PublicFilterSet
from .models import Article, Author, Citation, Claim, ClaimEvidence, Source, Topic
from .rules import may_preview
from .search import (
    CANDIDATES,
    MAX_QUERY_LENGTH,
    SEARCH_KINDS,
    SEARCH_PREVIEW,
    SearchBusy,
    clean_query,
    search_published,
    search_slot,
)
from .selectors import (
    article_cards_published,
    article_detail_preview,
    article_detail_published,
    article_withdrawn,
    claim_cards_published,
    claim_detail_published,
    related_articles_published,
    topics_published_with_counts,
)

ARTICLES_PER_PAGE = 20
HOME_ARTICLES = 13  # one lead article and a dozen more


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = ARTICLES_PER_PAGE) -> Page:
    """One page of `queryset`; a page number that is not a page answers 404, never 500."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404("No such page.") from exc


@require_safe
@public_page
def home(request):
    articles = list(article_cards_published()[:HOME_ARTICLES])
    topics = Topic.objects.published()
    return render(
        request,
        "articles/home.html",
        {"lead": articles[0] if articles else None, "articles": articles[1:], "topics": topics},
    )


@require_safe
@public_page(query=(*ArticleFilter.base_filters, *CURSORS))
def article_list(request):
    filters = ArticleFilter(request.GET, queryset=article_cards_published())
    return _filtered_list(request, filters, "articles/article_list.html", "articles")


@require_safe
@public_page(query=(*ClaimFilter.base_filters, *CURSORS))
def claim_list(request):
    filters = ClaimFilter(request.GET, queryset=claim_cards_published())
    return _filtered_list(request, filters, "articles/claim_list.html", "claims")


def _filtered_list(request, filters: PublicFilterSet, template: str, name: str) -> HttpResponse:
    """A page of the filtered list; filters that cannot apply answer 400 with the form and why."""
    if not filters.is_valid():
        return render(request, template, {"filters": filters, name: []}, status=400)
    page = keyset_page(request, filters.qs)
    return render(request, template, {"filters": filters, "page": page, name: page.object_list})


@require_safe
@public_page
def topic_list(request):
    topics = topics_published_with_counts()
    return render(request, "articles/topic_list.html", {"topics": topics})


@require_safe
@public_page
def article_detail(request, slug):
    preview = False
    try:
        article = article_detail_published().get(slug=slug)
    except Article.DoesNotExist:
        article = article_detail_preview().filter(slug=slug).first()
        if article is None or not may_preview(request.user, article):
            return _withdrawn_or_404(request, slug)
        preview = True
    context = {
        "article": article,
        "preview": preview,
        # Only public claims are marked: a preview's claims are not public yet.
        "body_html": mark_claims(article.body_html, () if preview else article.claims.all()),
        "related": related_articles_published(article=article),
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _withdrawn_or_404(request, slug: str) -> HttpResponse:
    """410 Gone, with when and why, for an article readers could once read; 404 for anything else."""
    article = article_withdrawn(slug=slug)
    if article is None:
        raise Http404("No published article at this address.")
    return render(request, "articles/article_withdrawn.html", {"article": article}, status=410)


@require_safe
@public_page
def claim_detail(request, pk):
    claim = get_object_or_404(claim_detail_published(), pk=pk)
    developments = development_relations(developments=claim.developments.all())
    return render(request, "articles/claim_detail.html", {"claim": claim, "developments": developments})


@require_safe
@public_page
def source_detail(request, pk):
    source = get_object_or_404(Source.objects.published(), pk=pk)
    citations = (
        Citation.objects.filter(source=source, article__in=Article.objects.published())
        .select_related("article")
        .order_by("-article__published_at", "article_id", "number")
    )
    evidence = (
        ClaimEvidence.objects.filter(source=source, claim__in=Claim.objects.published())
        .select_related("claim__article")
        .order_by("-claim__article__published_at", "claim__position", "id")
    )
    return render(
        request,
        "articles/source_detail.html",
        {"source": source, "citations": citations, "evidence": evidence},
    )


@require_safe
@public_page(query=CURSORS)
def author_detail(request, slug):
    author = get_object_or_404(Author.objects.published(), slug=slug)
    page = keyset_page(request, article_cards_published().filter(bylines__author=author))
    return render(
        request,
        "articles/author_detail.html",
        {"author": author, "page": page, "articles": page.object_list},
    )


@require_safe
@public_page(query=CURSORS)
def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.published(), slug=slug)
    page = keyset_page(request, article_cards_published().filter(topics=topic))
    return render(
        request,
        "articles/topic_detail.html",
        {"topic": topic, "page": page, "articles": page.object_list},
    )


@require_safe
@public_page(query=("q", "type", "page"))
def search(request):
    """Public articles, claims, sources, actors, developments and relations matching `q`: the first
    few of each kind, or one kind (`type`) page by page; without a query, just the form."""
    query = clean_query(request.GET.get("q", ""))
    kind = request.GET.get("type", "")
    if len(query) > MAX_QUERY_LENGTH:
        problem = f"Searches can be at most {MAX_QUERY_LENGTH} characters long: use fewer words."
        return render(request, "articles/search.html", {"query": "", "problem": problem}, status=400)
    if kind and kind not in SEARCH_KINDS:
        problem = f"There is no “{kind[:40]}” among the kinds of results: choose {', '.join(SEARCH_KINDS)}."
        return render(request, "articles/search.html", {"query": query, "problem": problem}, status=400)
    if not query:
        return render(request, "articles/search.html", {"query": ""})
    page = None
    try:
        with search_slot(), time_limit():
            results = search_published(query=query)
            counts = {name: results.of_kind(name).count() for name in SEARCH_KINDS}
            if kind:
                page = paginate(request, results.of_kind(kind))
                sections = {kind: results.shown(kind, page.object_list)}
            else:
                sections = {
                    name: results.shown(name, results.of_kind(name)[:SEARCH_PREVIEW])
                    for name, count in counts.items()
                    if count
                }
    except SearchBusy:
        problem = "Many people are searching right now: try again in a moment."
        response = render(request, "articles/search.html", {"query": query, "problem": problem}, status=429)
        response["Retry-After"] = "2"
        return response
    except TooSlow:
        problem = "This search took too long and was stopped: try fewer or rarer words."
        return render(request, "articles/search.html", {"query": query, "problem": problem}, status=503)
    tabs = [
        {"kind": name, "label": label, "count": counts[name], "capped": counts[name] >= CANDIDATES}
        for name, label in SEARCH_KINDS.items()
    ]
    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "kind": kind,
            "tabs": tabs,
            "total": sum(counts.values()),
            "sections": [
                {**tab, "rows": sections[tab["kind"]], "more": tab["count"] > len(sections[tab["kind"]])}
                for tab in tabs
                if tab["kind"] in sections
            ],
            "page": page,
        },
    )


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("articles:sitemap"))
    lines = ["User-agent: *", "Allow: /", "Disallow: /admin/", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Citations for reference managers: a public source, or a public article's bibliography, as CSL-JSON
# (Zotero, Mendeley, pandoc) or BibTeX (JabRef, LaTeX).

CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json"
BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"


def _download(body: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _public_source(pk: int) -> Source:
    try:
        return source_published(pk=pk)
    except Source.DoesNotExist:
        raise Http404("No public source at this address.") from None


def _public_bibliography(slug: str) -> tuple[Article, list[Source]]:
    try:
        return article_bibliography_published(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No published article at this address.") from None


@require_safe
@public_page
def source_cite_json(request, pk):
    source = _public_source(pk)
    return _download(csl_json([source]), content_type=CSL_JSON_TYPE, filename=f"{source.key}.json")


@require_safe
@public_page
def source_cite_bib(request, pk):
    source = _public_source(pk)
    return _download(bibtex([source]), content_type=BIBTEX_TYPE, filename=f"{source.key}.bib")


@require_safe
@public_page
def article_bibliography_json(request, slug):
    article, sources = _public_bibliography(slug)
    filename = f"{article.slug}-bibliography.json"
    return _download(csl_json(sources), content_type=CSL_JSON_TYPE, filename=filename)


@require_safe
@public_page
def article_bibliography_bib(request, slug):
    article, sources = _public_bibliography(slug)
    filename = f"{article.slug}-bibliography.bib"
    return _download(bibtex(sources), content_type=BIBTEX_TYPE, filename=filename)


# "Cite this": a public article or claim itself, as a file for a reference manager (RIS, BibTeX,
# CSL-JSON); the box on its page shows the same text (`citing.py`).

RIS_TYPE = "application/x-research-info-systems; charset=utf-8"
CITE_FILES = {
    "ris": (citing.ris, RIS_TYPE),
    "bib": (citing.bibtex, BIBTEX_TYPE),
    "json": (citing.csl_json, CSL_JSON_TYPE),
}


def _cite_download(citable: citing.Citable, *, extension: str, filename: str) -> HttpResponse:
    write, content_type = CITE_FILES[extension]
    return _download(write(citable), content_type=content_type, filename=f"{filename}.{extension}")


@require_safe
@public_page
def article_cite(request, slug, extension):
    try:
        article = citing.article_to_cite_published(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No published article at this address.") from None
    url = request.build_absolute_uri(article.get_absolute_url())
    citable = citing.article_citable(article=article, url=url, accessed=timezone.localdate())
    return _cite_download(citable, extension=extension, filename=article.slug)


@require_safe
@public_page
def claim_cite(request, pk, extension):
    try:
        claim = citing.claim_to_cite_published(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No public claim at this address.") from None
    url = request.build_absolute_uri(claim.get_absolute_url())
    citable = citing.claim_citable(claim=claim, url=url, accessed=timezone.localdate())
    return _cite_download(citable, extension=extension, filename=f"claim-{claim.pk}")
