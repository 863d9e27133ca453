"""What the JSON API's serializers share: read-only model serializers, and the two addresses every
record carries (`common/addresses.py`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .addresses import path_for


def address(context: dict, view_name: str, kwarg: str, value) -> str:
    """The absolute address of `view_name` for `kwarg=value` (a slug, id or key: nothing to quote)."""
    if "origin" not in context:
        request = context.get("request")
        context["origin"] = request.build_absolute_uri("/")[:-1] if request is not None else ""
    return context["origin"] + path_for(view_name, **{kwarg: value})


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
