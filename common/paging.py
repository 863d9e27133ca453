"""Pages of a list ordered newest first, found by where the last page ended (keyset paging).

Page 500 costs what page 1 costs: the database seeks to the cursor through the list's index
instead of counting its way past every earlier row, and nothing counts the whole list.
"""

import base64
import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

PER_PAGE = 20
CURSORS = ("older", "newer")  # the parameters a page of a keyset-paged list is found by


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    older: str  # the cursor of the next page back in time ('' on the last page)
    newer: str  # the cursor of the page before ('' on the first page)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)


def encode_cursor(moment: datetime.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    """The (time, id) a cursor names; Http404 for anything that is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = text.split("|")
        parsed = datetime.datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError(moment)
        # In UTC, as the database compares it: a time with none (9999-12-31 23:00 at −14:00) is not ours.
        return parsed.astimezone(datetime.UTC), int(pk)
    except (ValueError, OverflowError, UnicodeDecodeError) as error:
        raise Http404("No such page.") from error


def keyset_page(
    request: HttpRequest, queryset: QuerySet, *, field: str = "published_at", per_page: int = PER_PAGE
) -> KeysetPage:
    """The page `?older=` or `?newer=` names (the newest page without either), newest first.

    `queryset` must be ordered by `-field, -id`; `field` must never be null in it.
    """
    older, newer = request.GET.get("older"), request.GET.get("newer")
    if newer:
        moment, pk = decode_cursor(newer)
        after = beyond([field, "pk"], [moment, pk])
        rows = list(queryset.filter(after).order_by(field, "pk")[: per_page + 1])
        more_newer, rows = len(rows) > per_page, rows[:per_page][::-1]
        return KeysetPage(
            rows, _cursor(rows[-1], field) if rows else "", _cursor(rows[0], field) if more_newer else ""
        )
    if older:
        moment, pk = decode_cursor(older)
        queryset = queryset.filter(beyond([f"-{field}", "-pk"], [moment, pk]))
    rows = list(queryset[: per_page + 1])
    more_older, rows = len(rows) > per_page, rows[:per_page]
    return KeysetPage(
        rows,
        _cursor(rows[-1], field) if more_older else "",
        _cursor(rows[0], field) if older and rows else "",
    )


def beyond(order: list[str], position: list) -> Q:
    """Rows after `position` in `order`: a field and the id last, or the id alone, each maybe
    descending ("-published_at"). The first condition alone bounds the range the database reads
    through the field's index; the rest settle ties."""
    (*leading, last), (*values, final) = order, position
    after = Q(**{f"{last.lstrip('-')}__{'lt' if last.startswith('-') else 'gt'}": final})
    if not leading:
        return after
    field, value = leading[0], values[0]
    name, op = field.lstrip("-"), "lt" if field.startswith("-") else "gt"
    return Q(**{f"{name}__{op}e": value}) & (Q(**{f"{name}__{op}": value}) | (Q(**{name: value}) & after))


def _cursor(row, field: str) -> str:
    return encode_cursor(getattr(row, field), row.pk)


class KeysFirstPaginator(Paginator):
    """Offset pages (the admin's) found by their rows' keys first, then those rows alone.

    Skipping 400,000 rows to reach a deep page is cheap when only keys are read, from an index;
    it is slow when every skipped row is fetched whole, as a plain OFFSET over the full rows is.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
