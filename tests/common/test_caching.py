"""Cached public pages forget an article the moment it leaves the site."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from articles.workflow import article_publish, article_withdraw
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _sitemap_has(client, article) -> bool:
    def locations(url):
        return [
            loc.text for loc in ElementTree.fromstring(client.get(url).content).iter(f"{{{SITEMAPS}}}loc")
        ]

    urls = [url for section in locations(reverse("articles:sitemap")) for url in locations(section)]
    return f"http://testserver{article.get_absolute_url()}" in urls


def test_a_withdrawn_article_leaves_cached_search_results_and_sitemaps_at_once(
    client, editor_user, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Ferghana water talks", body="Ferghana water talks resumed.")
    assert (
        "Ferghana water talks" in client.get(reverse("articles:search"), {"q": "Ferghana"}).content.decode()
    )
    assert _sitemap_has(client, article)

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(article=article, user=editor_user, note="Legal review.")

    assert (
        "Ferghana water talks"
        not in client.get(reverse("articles:search"), {"q": "Ferghana"}).content.decode()
    )
    assert not _sitemap_has(client, article)

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor_user)
    assert (
        "Ferghana water talks" in client.get(reverse("articles:search"), {"q": "Ferghana"}).content.decode()
    )
