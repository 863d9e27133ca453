"""What the JSON API's serializers share: read-only model serializers, and the two addresses every
record carries, written from a template per view rather than by `reverse()` for each of a hundred
records on a page."""

from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Values that some URL converter of ours takes (slug, int, UUID), to find where the value goes.
_MARKERS = ("marker", "0", "00000000-0000-4000-8000-000000000000")


@cache
def _address_template(view_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    """The path of `view_name` before and after its `kwarg`."""
    for marker in _MARKERS:
        try:
            path = reverse(view_name, kwargs={kwarg: marker})
        except NoReverseMatch:
            continue
        before, _, after = path.rpartition(marker)
        return before, after
    raise NoReverseMatch(f"No marker fits {view_name}'s {kwarg}.")


def address(context: dict, view_name: str, kwarg: str, value) -> str:
    """The absolute address of `view_name` for `kwarg=value` (a slug, id or key: nothing to quote)."""
    before, after = _address_template(view_name, kwarg, get_script_prefix())
    if "origin" not in context:
        request = context.get("request")
        context["origin"] = request.build_absolute_uri("/")[:-1] if request is not None else ""
    return f"{context['origin']}{before}{value}{after}"


class OptionalURLField(serializers.URLField):
    """A URL that is null rather than an empty string when the address is missing."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class PublicLinks(serializers.Serializer):
    """`url`, the record's public page (`page_view` by `page_lookup`), and `api_url`, the record whole
    in the API (`api_view` by `api_lookup`), both absolute."""

    page_view, page_lookup = "", "slug"
    api_view, api_lookup = "", "slug"

    url = serializers.SerializerMethodField(help_text="The public page.")
    api_url = serializers.SerializerMethodField(help_text="This record whole, in the API.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, record) -> str:
        return address(self.context, self.page_view, self.page_lookup, getattr(record, self.page_lookup))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, record) -> str:
        return address(self.context, self.api_view, self.api_lookup, getattr(record, self.api_lookup))


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    # Every model field is output only (declared fields say so themselves): the API never writes.

    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs.setdefault(name, {})["read_only"] = True
        return extra_kwargs
