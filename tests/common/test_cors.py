"""Other sites' scripts may read the API and the JSON feeds, from any origin, without credentials; the
HTML pages and the admin stay closed to them."""

import pytest

from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"
EXPOSED = {"etag", "last-modified", "retry-after", "link"}


def cors_headers(response) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


def test_a_preflight_from_another_site_may_read_the_api_and_nothing_more(client):
    response = client.options(
        "/api/v1/articles/",
        HTTP_ORIGIN=PARTNER,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )

    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert listed(headers["access-control-allow-methods"]) == {"get", "head", "options"}
    assert "if-none-match" in listed(headers["access-control-allow-headers"])
    assert "access-control-allow-credentials" not in headers


@pytest.mark.parametrize("path", ["/api/v1/articles/", "/api/v1/articles/a-year-on/"])
def test_a_script_on_another_site_may_read_the_api_and_its_caching_headers(client, path):
    ArticleFactory(slug="a-year-on")

    response = client.get(path, HTTP_ORIGIN=PARTNER)

    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert listed(headers["access-control-expose-headers"]) == EXPOSED
    assert "access-control-allow-credentials" not in headers


def test_the_apis_errors_are_readable_too(client):
    response = client.get("/api/v1/nope/", HTTP_ORIGIN=PARTNER)

    assert response.status_code == 404
    assert cors_headers(response)["access-control-allow-origin"] == "*"


def test_the_json_feeds_are_open_to_other_sites(client):
    topic = TopicFactory(slug="energy")
    ArticleFactory().topics.add(topic)

    for path in ["/feed.json", "/topics/energy/feed.json"]:
        response = client.get(path, HTTP_ORIGIN=PARTNER)
        assert response.status_code == 200, path
        assert response.json()["version"].startswith("https://jsonfeed.org/version/")
        assert cors_headers(response)["access-control-allow-origin"] == "*", path


@pytest.mark.parametrize("path", ["/", "/articles/", "/feeds/articles.rss", "/admin/login/"])
def test_pages_feeds_in_other_formats_and_the_admin_send_no_cors_headers(client, path):
    ArticleFactory()

    answer = client.get(path, HTTP_ORIGIN=PARTNER)
    preflight = client.options(path, HTTP_ORIGIN=PARTNER, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert answer.status_code == 200, path
    assert cors_headers(answer) == {}
    assert cors_headers(preflight) == {}
