"""The site's addresses plus /bench/hello/, the least a request through the same middleware can cost,
and /bench/layout/, the least a page in the site's layout can."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path, reverse

from articles.models import Article, ArticleAuthor


def hello(request):
    return HttpResponse("Hello, world.", content_type="text/plain")


def layout(request):
    """The site's layout (base.html) with nothing in it: the least a page of the site can cost."""
    return render(request, "base.html")


CARD = ("title", "slug", "dek", "kind", "published_at", "first_published_at", "updated_at", "summary")


def article_cards(request):
    """The API's first 100 article cards written by hand, for bench/api.py: three `values()` queries and
    a JsonResponse, what the API's own list is measured against."""
    articles = list(Article.objects.published().order_by("-published_at", "-id").values("id", *CARD)[:100])
    ids = [article["id"] for article in articles]
    authors, topics = {pk: [] for pk in ids}, {pk: [] for pk in ids}
    bylines = ArticleAuthor.objects.filter(article_id__in=ids).order_by("position", "id")
    for row in bylines.values("article_id", "author__name", "author__slug"):
        authors[row["article_id"]].append({"name": row["author__name"], "slug": row["author__slug"]})
    tags = Article.topics.through.objects.filter(article_id__in=ids).order_by("topic__name")
    for row in tags.values("article_id", "topic__name", "topic__slug"):
        topics[row["article_id"]].append({"name": row["topic__name"], "slug": row["topic__slug"]})
    cards = [
        {
            **{field: article[field] for field in CARD},
            "url": request.build_absolute_uri(reverse("articles:article-detail", args=[article["slug"]])),
            "api_url": request.build_absolute_uri(reverse("api:article-detail", args=[article["slug"]])),
            "authors": authors[article["id"]],
            "topics": topics[article["id"]],
        }
        for article in articles
    ]
    return JsonResponse({"next": None, "previous": None, "results": cards})


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/layout/", layout),
    path("bench/article-cards/", article_cards),
    path("", include("config.urls")),
]
