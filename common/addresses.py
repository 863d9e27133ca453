"""Addresses of records, written from a template per view: `reverse()` for each of the hundred
records a page or an API answer shows cost more than the rest of writing them."""

from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, reverse

# Values that some URL converter of ours takes (slug, int, UUID), to find where the value goes.
_MARKERS = ("marker", "0", "00000000-0000-4000-8000-000000000000")


@cache
def _template(view_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    """The path of `view_name` before and after its `kwarg`."""
    for marker in _MARKERS:
        try:
            path = reverse(view_name, kwargs={kwarg: marker})
        except NoReverseMatch:
            continue
        before, _, after = path.rpartition(marker)
        return before, after
    raise NoReverseMatch(f"No marker fits {view_name}'s {kwarg}.")


def path_for(view_name: str, **kwargs) -> str:
    """What `reverse(view_name, kwargs=...)` gives for one argument: a slug, an id or a key, which
    hold nothing to quote."""
    ((kwarg, value),) = kwargs.items()
    before, after = _template(view_name, kwarg, get_script_prefix())
    return f"{before}{value}{after}"
