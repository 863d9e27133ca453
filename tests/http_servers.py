"""HTTP servers on 127.0.0.1 for the tests that must make real requests: a site answering every
kind of link, and a fake web archive."""

import datetime
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

TIMEOUT = 0.5  # the time-out tests give the checker


SAVED_AT = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
STAMP = SAVED_AT.strftime("%Y%m%d%H%M%S")


class LocalServer:
    """A threaded server on a free port of 127.0.0.1, run for the length of a `with` block. Requests
    still waiting (a page that hangs) are let go by `release` when the block ends."""

    def __init__(self):
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a hung-up client is expected here
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError


class FakeArchive(LocalServer):
    """Answers /save/<page> as an archive might, by what the page's address ends with.

    …content-location: 200 naming the copy in Content-Location (relative, as Wayback does);
    …created: 201 naming it in an absolute Location; …redirect: 302 to the copy;
    …refused: 429; anything else (…silent): 200 naming nothing; …hang: that, too late. /web/… is a copy.
    """

    def __init__(self):
        self.requests: list[tuple[str, str]] = []  # (path, User-Agent)
        super().__init__()

    @property
    def save_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/save/"

    def copy_url(self, page: str) -> str:
        return f"http://127.0.0.1:{self.port}/web/{STAMP}/{page}"

    def _handler(self):
        archive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                archive.requests.append((self.path, self.headers.get("User-Agent", "")))
                status, headers = self.route()
                body = b"<p>Saved.</p>"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def route(self) -> tuple[int, dict[str, str]]:
                if self.path.startswith("/web/"):
                    return 200, {}
                page = self.path.removeprefix("/save/")
                if page.endswith("content-location"):
                    return 200, {"Content-Location": f"/web/{STAMP}/{page}"}
                if page.endswith("created"):
                    return 201, {"Location": archive.copy_url(page)}
                if page.endswith("redirect"):
                    return 302, {"Location": f"/web/{STAMP}/{page}"}
                if page.endswith("refused"):
                    return 429, {"Retry-After": "60"}
                if page.endswith("hang"):
                    archive.release.wait(3)
                return 200, {}

            def log_message(self, format, *args):
                pass

        return Handler


class LinkSite(LocalServer):
    """A small web site on 127.0.0.1 with a page for every case, recording what it was asked.

    It counts the requests under way per host (the Host header, so 127.0.0.1 and localhost are
    two hosts) and the most ever under way at once, and when each request started and ended.
    """

    def __init__(self, *, pause: float = 0.0):
        self.pause = pause  # how long /pause takes to answer
        self.requests: list[tuple[str, str, str]] = []  # (method, host, path)
        self.times: list[tuple[float, float]] = []  # (started, ended) of each request
        self.in_flight: Counter = Counter()
        self.most_in_flight: Counter = Counter()
        self.most_in_flight_overall = 0
        self.lock = threading.Condition()
        super().__init__()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for _, _, path in self.requests]

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):
                self.answer(body=False)

            def do_GET(self):
                self.answer(body=True)

            def answer(self, *, body: bool):
                host = self.headers.get("Host", "").rsplit(":", 1)[0]
                started = time.monotonic()
                with site.lock:
                    site.requests.append((self.command, host, self.path))
                    site.in_flight[host] += 1
                    site.most_in_flight[host] = max(site.most_in_flight[host], site.in_flight[host])
                    site.most_in_flight_overall = max(
                        site.most_in_flight_overall, sum(site.in_flight.values())
                    )
                    site.lock.notify_all()
                try:
                    status, headers = self.route()
                    content = f"<p>{status}</p>".encode() * 2000  # larger than a checker ever needs to read
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    if body:
                        self.wfile.write(content)
                finally:
                    with site.lock:
                        site.in_flight[host] -= 1
                        site.times.append((started, time.monotonic()))

            def route(self) -> tuple[int, dict[str, str]]:
                path = urlsplit(self.path).path
                if path in {"/ok", "/slash/", "/pages/new"}:
                    return 200, {}
                if path == "/moved":
                    return 301, {"Location": "/pages/new"}
                if path == "/slash":
                    return 301, {"Location": "/slash/"}
                if path == "/gone":
                    return 404, {}
                if path == "/error":
                    return 500, {}
                if path == "/no-head":
                    return (405, {"Allow": "GET"}) if self.command == "HEAD" else (200, {})
                if path in {"/loop-a", "/loop-b"}:
                    return 302, {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"}
                if path == "/to-ftp":
                    return 302, {"Location": "ftp://127.0.0.1/file.txt"}
                if path == "/moved-then-gone":
                    return 301, {"Location": "/gone"}
                if path == "/hang":
                    site.release.wait(TIMEOUT * 6)
                    return 200, {}
                if path.startswith("/pause"):
                    time.sleep(site.pause)
                    return 200, {}
                if path.startswith("/meet"):
                    # Waits a while for a request to another host, so an overlap shows without a race.
                    with site.lock:
                        site.lock.wait_for(lambda: sum(site.in_flight.values()) > 1, timeout=0.5)
                    return 200, {}
                return 404, {}

            def log_message(self, format, *args):
                pass  # keep the test output quiet

        return Handler
