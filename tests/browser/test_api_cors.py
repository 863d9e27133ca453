"""A partner's page, served from another origin, reads the API with `fetch()` in a real browser; what
CORS does not open to it, the browser keeps from its script."""

import json
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from tests.factories import ArticleFactory
from tests.http_servers import LocalServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the partner's script does: fetch an address and hand back its status and JSON, or the error.
FETCH_JSON = """async (url) => {
    try {
        const response = await fetch(url);
        return {status: response.status, data: await response.json()};
    } catch (error) {
        return {error: error.name};
    }
}"""


class PartnerSite(LocalServer):
    """Another origin (another port of 127.0.0.1), serving one plain page."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _handler(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>Partner</title><p>Latest from Footnote</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def partner_page(page):
    with PartnerSite() as partner:
        page.goto(partner.url)
        yield page


def test_a_partner_sites_script_reads_the_apis_articles(partner_page, live_server):
    ArticleFactory(title="Distance without rupture", slug="distance-without-rupture")
    assert not live_server.url.startswith(partner_page.evaluate("location.origin"))

    result = partner_page.evaluate(FETCH_JSON, f"{live_server.url}/api/v1/articles/")

    assert result["status"] == 200
    assert [card["slug"] for card in result["data"]["results"]] == ["distance-without-rupture"]
    assert result["data"]["results"][0]["title"] == "Distance without rupture"


def test_the_browser_keeps_what_cors_does_not_open_from_the_partners_script(partner_page, live_server):
    ArticleFactory(slug="distance-without-rupture")
    # The bibliography is JSON too, and answers anyone who asks directly; but it is outside the API and
    # the JSON feeds, so it carries no CORS headers.
    bibliography = f"{live_server.url}/articles/distance-without-rupture/bibliography.json"
    with urllib.request.urlopen(bibliography) as direct:
        assert json.load(direct)

    closed = partner_page.evaluate(FETCH_JSON, bibliography)
    opened = partner_page.evaluate(FETCH_JSON, f"{live_server.url}/feed.json")

    assert closed == {"error": "TypeError"}
    assert [item["url"] for item in opened["data"]["items"]] == [
        f"{live_server.url}/articles/distance-without-rupture/"
    ]
