"""Web addresses of sources: one normal form, so the same page cited twice is one source."""

from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMETERS = ("fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src")


def normalise_url(url: str) -> str:
    """Canonical form of `url` for de-duplication ('' for no address).

    Scheme and host are lower-cased, `www.`, default ports, fragments and tracking parameters
    dropped, query parameters sorted, and a trailing slash removed from the path.
    """
    url = (url or "").strip()
    if not url:
        return ""
    cleaned = url_query_cleaner(url, TRACKING_PARAMETERS, remove=True, keep_fragments=False)
    cleaned = url_query_cleaner(
        cleaned, [name for name in _query_names(cleaned) if name.lower().startswith("utm_")], remove=True
    )
    parts = urlsplit(canonicalize_url(cleaned))
    host = (parts.hostname or "").removeprefix("www.")
    port = parts.port
    if port and (parts.scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    scheme = "https" if parts.scheme in {"http", "https"} else parts.scheme
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, parts.query, ""))


def _query_names(url: str) -> list[str]:
    query = urlsplit(url).query
    return [pair.split("=", 1)[0] for pair in query.split("&") if pair]
