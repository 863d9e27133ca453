"""Small display helpers for the public pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.links import web_address
from articles.search import MARK_END, MARK_START

register = template.Library()


@register.filter
def quantity(value):
    """A claim's quantity as a reader writes it: 70,000,000,000 and 12.5, not 70000000000.0000 and 12.5000."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    # normalize() turns 70000000000.0000 into 7E+10; the "f" format writes it out in full again.
    return f"{number.normalize():,f}"


@register.filter
def web_url(value):
    """`value` if it is an http(s) address, else "" (see `links.web_address`)."""
    return web_address(value)


@register.filter
def marked(snippet):
    """A search snippet, escaped, with the words that matched in <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


DATE_FORMATS = {"year": "%Y", "month": "%B %Y", "day": "%-d %B %Y"}


@register.filter
def at_precision(value, precision):
    """A date written as precisely as it is known: 2022, October 2022 or 31 October 2022."""
    if not value:
        return ""
    return value.strftime(DATE_FORMATS.get(precision, DATE_FORMATS["day"]))


def _number(value) -> str:
    return format_html('<data value="{}">{}</data>', value, quantity(value))


def _bounds(claim) -> str:
    lower, upper = claim.quantity_lower, claim.quantity_upper
    if lower is not None and upper is not None:
        return format_html("{}–{}", _number(lower), _number(upper))
    if lower is not None:
        return format_html("{} or more", _number(lower))
    return format_html("up to {}", _number(upper)) if upper is not None else ""


def _when(claim) -> str:
    precision = claim.quantity_time_precision
    start, end = claim.quantity_period_start, claim.quantity_as_of

    def point(day):
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), at_precision(day, precision))

    if claim.quantity_period:
        return format_html(", {}", claim.quantity_period)
    if start is not None:
        return format_html(", {}–{}", point(start), point(end))
    return format_html(", as of {}", point(end)) if end is not None else ""


@register.simple_tag
def figure(claim):
    """A claim's figure as a reader writes it: “close to 500,000 people (range 400,000–600,000),
    January–October 2022”, each number also in machine-readable form."""
    bounds = _bounds(claim)
    if claim.quantity_value is None:
        main = format_html("{} {}", bounds, claim.quantity_unit)
    else:
        main = format_html("{} {}", _number(claim.quantity_value), claim.quantity_unit)
        if claim.quantity_approximation != "exact":
            main = format_html("{} {}", claim.get_quantity_approximation_display(), main)
        if bounds:
            main = format_html('{} <span class="quantity__bounds">(range {})</span>', main, bounds)
    return format_html("{}{}", main, _when(claim))


# How a count of sources of each stance reads after "1 source" or "2 sources"; in this order.
STANCE_VERBS = {
    "supports": ("supports", "support"),
    "contradicts": ("contradicts", "contradict"),
    "context": ("gives context", "give context"),
}


@register.filter
def evidence_summary(claim) -> str:
    """A claim's evidence in one line, from the counts `claims_in_text` gives: "3 sources support,
    1 contradicts."."""
    parts = []
    for stance, (one, many) in STANCE_VERBS.items():
        count = getattr(claim, f"{stance}_count")
        if count:
            noun = "" if parts else (" source" if count == 1 else " sources")
            parts.append(f"{count}{noun} {one if count == 1 else many}")
    return (", ".join(parts) or "No evidence recorded yet") + "."


# Snippets every item of a long list writes (each note, each claim): as tags, not includes, which
# cost a tenth of a millisecond each and were a fifth of an article page's rendering.


@register.simple_tag
def status_badge(claim) -> str:
    return format_html(
        '<span class="badge badge--{}"><span class="visually-hidden">Status: </span>{}</span>',
        claim.status,
        claim.get_status_display(),
    )


@register.simple_tag
def source_grade(source) -> str:
    """The source's Admiralty grade, origin and state affiliation, those it has."""
    parts = []
    if source.grade:
        title = f"Admiralty grade: {source.get_reliability_display()}; {source.get_credibility_display()}"
        parts.append(format_html(' <abbr class="grade__code" title="{}">{}</abbr>', title, source.grade))
    if source.origin:
        parts.append(format_html(' <span class="grade__flag">{}</span>', source.origin))
    if source.state_affiliated:
        parts.append(mark_safe(' <span class="grade__flag">state-affiliated</span>'))
    if not parts:
        return ""
    return format_html(
        '<span class="grade">{}</span>', format_html_join("", "{}", ((part,) for part in parts))
    )


@register.simple_tag
def source_address(source) -> str:
    """The source's address as a link where it is a web address, as text where it is anything else,
    and "link missing" where the paper it came from lost it."""
    if href := web_address(source.url):
        return format_html(
            '<a class="note-url" href="{}" rel="external noopener noreferrer">{}</a>', href, href
        )
    if source.url:
        return format_html('<span class="note-url">{}</span>', source.url)
    if source.placeholder:
        return mark_safe(
            '<span class="link-missing">Link missing: the address of this source was lost.</span>'
        )
    return ""
