"""What every endpoint of the read-only JSON API shares: paging by cursor, parameters that are
checked rather than ignored, and answers served like the public pages (cached, with ETag and
Last-Modified, 304 for a matching conditional request).
"""

import datetime
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import django_filters
from django.core import signing
from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ErrorDetail, NotAcceptable, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .caching import public_page
from .limits import TooSlow, time_limit
from .models import Tombstone
from .paging import beyond

# The kinds of record the API lists, as its tombstones name them.
TOMBSTONE_KINDS = ["article", "claim", "source", "author", "topic", "actor", "relation", "development"]

PAGE_SIZE, PAGE_SIZE_MAX = 20, 100
# The codes of the errors for a parameter an endpoint does not take, and a list too slow to read.
UNKNOWN_PARAMETER, TOO_SLOW = "unknown_parameter", "too_slow"
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
    public_since: Callable[[datetime.datetime], QuerySet] | None = None

    def changed_since(self, queryset, name, moment):
        made_public = type(self).public_since
        if made_public is None:
            return queryset.filter(updated_at__gte=moment)
        newly = made_public(moment)
        # No row the sync returns was saved before the earliest of those made public: a bound that
        # lets the database read the list's updated_at index from there, not from its start.
        earliest = Subquery(newly.order_by("updated_at").values("updated_at")[:1])
        return queryset.filter(
            Q(updated_at__gte=Least(Value(moment), Coalesce(earliest, Value(moment))))
            & (Q(updated_at__gte=moment) | Q(pk__in=newly.values("pk")))
        )


class KeysetPage(BasePagination):
    """Pages found by where the last one ended, in the list's order and then by id: stable while
    new records arrive, any number of records with the same time kept in order, and page 500 costs
    what page 1 costs. Cursors are signed: the API follows only those it gave, so nobody can make
    up fresh pages for the cache to keep. `page_size` beyond the maximum, or not a whole number,
    is an error, not quietly something else."""

    page_size_query_param, cursor_query_param = "page_size", "cursor"
    invalid_cursor_message = "Not a cursor this API gave: follow the `next` and `previous` links."
    salt = "footnote.api.cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.view = request, view
        size = self.get_page_size(request)
        self.ordering = view.list_ordering()
        position, backwards = self._decode(request, queryset)
        order = [_reversed(field) for field in self.ordering] if backwards else list(self.ordering)
        rows = queryset.order_by(*order)
        if position is not None:
            rows = rows.filter(beyond(order, position))
        rows = list(rows[: size + 1])
        more, rows = len(rows) > size, rows[:size]
        if backwards:
            rows.reverse()
        self.next = self._link(rows[-1], False) if rows and (backwards or more) else None
        self.previous = (
            self._link(rows[0], True) if rows and (more if backwards else position is not None) else None
        )
        return rows

    def get_page_size(self, request) -> int:
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return PAGE_SIZE
        if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= PAGE_SIZE_MAX:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {PAGE_SIZE_MAX}."]}
            )
        return int(given)

    def _decode(self, request, queryset) -> tuple[list | None, bool]:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None, False
        try:
            cursor = signing.loads(token, salt=self.salt)
            fields = [field.lstrip("-") for field in self.ordering]
            if cursor["order"] != fields or len(cursor["at"]) != len(fields):
                raise ValueError(cursor)  # a cursor of another order (a sync's, say)
            position = [
                _value(queryset, field, value) for field, value in zip(fields, cursor["at"], strict=True)
            ]
            return position, bool(cursor["back"])
        except (signing.BadSignature, KeyError, TypeError, ValueError, ModelValidationError) as error:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error

    def _link(self, row, back: bool) -> str:
        fields = [field.lstrip("-") for field in self.ordering]
        at = [_portable(getattr(row, field)) for field in fields]
        token = signing.dumps({"order": fields, "at": at, "back": back}, salt=self.salt)
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, token)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.next, "previous": self.previous, "results": data, "removals": self._removals_link()}
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: only as a `next` or `previous` link gives it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"How many records a page holds, from 1 to {PAGE_SIZE_MAX}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX},
            },
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results", "removals"],
            "properties": {
                "next": {**link, "description": "The next page, null on the last."},
                "previous": {**link, "description": "The page before, null on the first."},
                "results": {**schema, "description": "This page's records."},
                "removals": {
                    **link,
                    "description": "With `updated_since`: what of this kind left public view since then "
                    "(tombstones), to remove from a copy. Null otherwise.",
                },
            },
        }

    def _removals_link(self) -> str | None:
        since = self.request.query_params.get("updated_since")
        kind = getattr(self.view, "tombstone_kind", "")
        if not since or not kind:
            return None
        query = urlencode({"kind": kind, "since": since})
        return self.request.build_absolute_uri(f"{reverse('api:removal-list')}?{query}")


def _reversed(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _portable(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _value(queryset, field: str, given):
    """`given` as a value of `field`, checked before it reaches the database."""
    value = queryset.query.resolve_ref(field).output_field.to_python(given)
    if isinstance(value, datetime.datetime):
        return to_utc(value, KeysetPage.invalid_cursor_message)
    return value


@extend_validation_errors([UNKNOWN_PARAMETER, TOO_SLOW], actions=["list"])
@extend_validation_errors(["invalid"], field_name="cursor", actions=["list"])
@extend_validation_errors(["invalid"], field_name="page_size", actions=["list"])
class PublicListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list of public records, a page at a time: `card_serializer_class` for each item.
    The same for everyone: no sessions, no per-user queries."""

    authentication_classes = []
    pagination_class = KeysetPage
    filter_backends = [DjangoFilterBackend]
    card_serializer_class = None
    ordering: tuple[str, ...] = ("-id",)  # the list's order when not syncing

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # Every parameter reaches the view, which refuses the ones it does not know.
        view = super().as_view(actions, **initkwargs)
        return public_page(view, query=None, representation=partial(negotiated_format, cls))

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
        try:
            with time_limit():
                page = self.completed(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        except TooSlow:
            message = "This took too long to find: narrow it with other filters or rarer words."
            raise ValidationError([ErrorDetail(message, TOO_SLOW)]) from None
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


def negotiated_format(view_class, request) -> str:
    """The format `view_class` will answer `request` in ("json"; "api", the browsable HTML, in
    development; the schema's YAML or JSON); empty if none is acceptable, which is not stored."""
    renderers = [renderer() for renderer in view_class.renderer_classes]
    try:
        renderer, _ = view_class.content_negotiation_class().select_renderer(Request(request), renderers)
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
