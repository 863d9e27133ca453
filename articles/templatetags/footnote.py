"""Small display helpers for the public pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import escape
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
