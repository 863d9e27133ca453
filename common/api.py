"""What every endpoint of the read-only JSON API shares: paging by cursor, parameters that are
checked rather than ignored, and answers served like the public pages (cached, with ETag and
Last-Modified, 304 for a matching conditional request).
"""

import datetime
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import django_filters
from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ErrorDetail, NotAcceptable, NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from .caching import public_page
from .models import Tombstone

# The kinds of record the API lists, as its tombstones name them.
TOMBSTONE_KINDS = ["article", "claim", "source", "author", "topic", "actor", "relation", "development"]

PAGE_SIZE, PAGE_SIZE_MAX = 20, 100
UNKNOWN_PARAMETER = "unknown_parameter"  # the code of the error for a parameter an endpoint does not take
PAGING = ("cursor", "page_size")
# What an identifier in an address may be: anything else is no route, and the API's JSON 404.
SLUG, UUID = "[-a-zA-Z0-9_]+", "[0-9a-fA-F-]{36}"
SYNC_ORDER = ("updated_at", "id")  # with `updated_since`: oldest change first, so a sync can resume


# The offsets the world's clocks use; a wider one (Python takes up to a day) is not a time the
# database can compare.
WIDEST_OFFSET = datetime.timedelta(hours=14)


class MomentField(IsoDateTimeField):
    """An ISO 8601 date and time, in UTC once read; with no offset, in the site's time zone."""

    default_error_messages = {
        "invalid": "A date and time in ISO 8601 with its offset, such as 2026-11-29T09:30:00Z."
    }

    def to_python(self, value):
        moment = super().to_python(value)
        return None if moment is None else to_utc(moment, self.error_messages["invalid"])


def to_utc(moment: datetime.datetime, message: str) -> datetime.datetime:
    offset = moment.utcoffset()
    try:
        if offset is not None and abs(offset) > WIDEST_OFFSET:
            raise ValueError(offset)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise ModelValidationError(message, code="invalid") from error


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


def published_slugs(
    queryset: QuerySet, help_text: str, field_name: str = "", method: str = ""
) -> django_filters.ModelChoiceFilter:
    """A filter by the slug of one of `queryset`, through `field_name` or the filter set's `method`:
    an unknown or unpublished slug is a 400."""
    if not method:
        return django_filters.ModelChoiceFilter(
            queryset=queryset, to_field_name="slug", field_name=field_name, help_text=help_text
        )
    # The schema cannot tell a method's type: a slug, described here.
    return extend_schema_field({"type": "string", "description": help_text})(
        django_filters.ModelChoiceFilter(queryset=queryset, to_field_name="slug", method=method)
    )


class SyncFilterSet(django_filters.FilterSet):
    """What every list can be narrowed by: what changed since a time, for a partner's copy.

    A record changed when it was saved (`updated_at`), or when it became public with nobody saving
    it, as a scheduled article does at its time: `public_since` says which records did.
    """

    updated_since = MomentFilter(
        method="changed_since",
        help_text="Only records changed or made public at or after this time (ISO 8601), by when they were "
        "last saved; what left public view since is at /api/v1/removals/. Use the time your previous sync "
        "started (the `Date` of its first answer), so nothing that changed during it is missed.",
    )
    public_since: Callable[[datetime.datetime], Q] | None = None

    def changed_since(self, queryset, name, moment):
        made_public = type(self).public_since
        return queryset.filter(Q(updated_at__gte=moment) | (made_public(moment) if made_public else Q()))


class CursorPage(CursorPagination):
    """Pages found by where the last one ended: stable while new items arrive, and page 500 costs
    what page 1 costs. `page_size` beyond the maximum, or not a whole number, is an error, not
    quietly something else."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX
    invalid_cursor_message = "Not a cursor this API gave: follow the `next` and `previous` links."

    def get_page_size(self, request):
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(given)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = f"How many records a page holds, from 1 to {self.max_page_size}."
        return parameters

    def get_ordering(self, request, queryset, view):
        return view.list_ordering()

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:  # as the library says it; a 400 naming the parameter here
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error
        if cursor is not None and cursor.position is not None:
            self._check_position(request, cursor.position)
        return cursor

    def _check_position(self, request, position: str) -> None:
        # The library trusts the position it decodes: one that is not a value of the ordering field
        # would reach the database (a 500 on PostgreSQL), so it is checked first.
        field = self.ordering[0].lstrip("-")
        model_field = self.view.get_queryset().query.resolve_ref(field).output_field
        try:
            value = model_field.to_python(position)
            if isinstance(value, datetime.datetime):
                to_utc(value, self.invalid_cursor_message)
        except (ModelValidationError, ValueError, TypeError) as error:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["removals"] = self._removals_link()
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["next"]["description"] = "The next page, null on the last."
        described["properties"]["previous"]["description"] = "The page before, null on the first."
        described["properties"]["results"]["description"] = "This page's records."
        described["properties"]["removals"] = {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "With `updated_since`: what of this kind left public view since then "
            "(tombstones), to remove from a copy. Null otherwise.",
        }
        return described

    def _removals_link(self) -> str | None:
        since = self.request.query_params.get("updated_since")
        kind = getattr(self.view, "tombstone_kind", "")
        if not since or not kind:
            return None
        query = urlencode({"kind": kind, "since": since})
        return self.request.build_absolute_uri(f"{reverse('api:removal-list')}?{query}")

    def paginate_queryset(self, queryset, request, view=None):
        self.view = view
        return super().paginate_queryset(queryset, request, view)


@extend_validation_errors([UNKNOWN_PARAMETER], actions=["list"])
@extend_validation_errors(["invalid"], field_name="cursor", actions=["list"])
@extend_validation_errors(["invalid"], field_name="page_size", actions=["list"])
class PublicListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list of public records, a page at a time: `card_serializer_class` for each item.
    The same for everyone: no sessions, no per-user queries."""

    authentication_classes = []
    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend]
    card_serializer_class = None
    ordering: tuple[str, ...] = ("-id",)  # the list's order when not syncing

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # Every parameter reaches the view, which refuses the ones it does not know.
        view = super().as_view(actions, **initkwargs)
        return public_page(view, query=None, representation=partial(_negotiated_format, cls))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.known_parameters())
        if unknown:
            known = ", ".join(sorted(self.known_parameters())) or "no parameters"
            # Not in `attr`, which the schema lists: any name at all can be sent.
            raise ValidationError(
                [
                    ErrorDetail(
                        f"“{name[:100]}” is not a parameter here; this takes {known}.", UNKNOWN_PARAMETER
                    )
                    for name in unknown
                ]
            )

    def known_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        filterset = self.filterset_class
        return {*PAGING, *(filterset.base_filters if filterset else ())}

    def list_ordering(self) -> tuple[str, ...]:
        return SYNC_ORDER if self.request.query_params.get("updated_since") else self.ordering

    def get_serializer_class(self):
        return self.card_serializer_class if self.action == "list" else self.serializer_class

    def list(self, request, *args, **kwargs):
        page = self.completed(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def completed(self, records: list) -> list:
        """`records`, a page of the list or one record, with what their queryset does not load."""
        return records


@extend_validation_errors([UNKNOWN_PARAMETER], actions=["retrieve"])
class PublicViewSet(mixins.RetrieveModelMixin, PublicListViewSet):
    """A list of public records and each one whole (`serializer_class`)."""

    def get_object(self):
        return self.completed([super().get_object()])[0]


class TombstoneSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="identifier", read_only=True, help_text="Its identifier in its list.")

    class Meta:
        model = Tombstone
        fields = ["kind", "id", "removed_at"]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "Which list it was in: article, claim, source, author, topic, actor, …"},
            "removed_at": {"help_text": "When it left public view."},
        }


class TombstoneFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=[(name, name) for name in TOMBSTONE_KINDS], help_text="Only records of this kind."
    )
    since = MomentFilter(
        field_name="removed_at",
        lookup_expr="gte",
        help_text="Only what left at or after this time (ISO 8601).",
    )

    class Meta:
        model = Tombstone
        fields = []


@extend_schema_view(list=extend_schema(summary="What left public view (tombstones), a page at a time"))
class RemovalViewSet(PublicListViewSet):
    """What left public view (withdrawn, deleted, or no longer cited by anything public), oldest
    first: a copy kept through `updated_since` removes these. A record that came back since is in
    its list again with a later `updated_at`; apply whichever is later."""

    queryset = Tombstone.objects.all()
    ordering = ("removed_at", "id")
    filterset_class = TombstoneFilter
    card_serializer_class = TombstoneSerializer


def _negotiated_format(viewset, request) -> str:
    """The format `viewset` will answer `request` in ("json"; "api", the browsable HTML, in
    development); empty if none is acceptable, which is not stored."""
    renderers = [renderer() for renderer in viewset.renderer_classes]
    try:
        renderer, _ = viewset.content_negotiation_class().select_renderer(Request(request), renderers)
    except NotAcceptable:
        return ""
    return renderer.format


def documented(*, plural: str, identifier: str):
    """A viewset's summaries of its list and of one record, with its identifier described."""

    def document(viewset):
        lookup = OpenApiParameter(
            viewset.lookup_field, OpenApiTypes.STR, OpenApiParameter.PATH, description=identifier
        )
        return extend_schema_view(
            list=extend_schema(summary=f"{plural}, a page at a time"),
            retrieve=extend_schema(summary=f"One of the {plural.lower()}", parameters=[lookup]),
        )(viewset)

    return document
