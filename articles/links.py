"""Web addresses of sources: one normal form, so the same page cited twice is one source, and advice
for link targets that are not web addresses."""

import functools
import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMETERS = ("fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src")


@functools.lru_cache(maxsize=4096)  # a source's address is normalised to check it, then to save it
def normalise_url(url: str) -> str:
    """Canonical form of `url` for de-duplication ('' for no address).

    Scheme and host are lower-cased, `www.`, default ports, fragments and tracking parameters
    dropped, query parameters sorted, and a trailing slash removed from the path.
    """
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(canonicalize_url(without_tracking(url, keep_fragments=False)))
    host = (parts.hostname or "").removeprefix("www.")
    port = parts.port
    if port and (parts.scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    scheme = "https" if parts.scheme in {"http", "https"} else parts.scheme
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, parts.query, ""))


def without_tracking(url: str, *, keep_fragments: bool = True) -> str:
    """`url` without the parameters that only say where a reader came from (utm_…, fbclid, …)."""
    cleaned = url_query_cleaner(url, TRACKING_PARAMETERS, remove=True, keep_fragments=keep_fragments)
    tracking = [name for name in _query_names(cleaned) if name.lower().startswith("utm_")]
    return (
        url_query_cleaner(cleaned, tracking, remove=True, keep_fragments=keep_fragments)
        if tracking
        else cleaned
    )


def web_address(value: str) -> str:
    """`value` if it is an http(s) address, else "": a stored address only becomes a link when it is safe.

    URLField validates forms, but imports and scripts can store anything; a `javascript:` address
    must never reach an href, on a public page or in the admin.
    """
    url = (value or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def _query_names(url: str) -> list[str]:
    query = urlsplit(url).query
    return [pair.split("=", 1)[0] for pair in query.split("&") if pair]


# A host written without https://: www.un.org, un.org/report.pdf or un.org, but not report.pdf.
WEB_HOST = re.compile(
    r"^(?:www\.[a-z0-9.-]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:[a-z]{2,}(?=[/?:])|com|org|net|gov|int|edu|info))"
    r"(?:[/?#:]|$)",
    re.IGNORECASE,
)


def with_scheme(target: str) -> str:
    """The web address a link target without a scheme stands for ('' when it is not one)."""
    if target.startswith("//"):
        return "https:" + target
    return "https://" + target if WEB_HOST.match(target) else ""


def address_advice(target: str) -> str:
    """What to write instead of a link target that is not a web address."""
    if fixed := with_scheme(target):
        return f"Did you mean “{fixed}”?"
    if ":" in target.split("/", 1)[0]:
        return "Only web pages (http:// or https://) can be cited; write (#) if the address is lost."
    return "Write the full address, starting with https://, or (#) if the address is lost."
