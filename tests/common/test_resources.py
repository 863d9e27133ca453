import datetime

import pytest
import tablib
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from articles.models import Source
from articles.resources import SourceResource
from common.resources import _check_holds
from relations.models import Membership


@pytest.mark.parametrize(
    "condition, values, held",
    [
        (Q(end_date__gte=F("start_date")), {"start_date": datetime.date(2000, 1, 1), "end_date": None}, None),
        (
            Q(end_date__gte=F("start_date")),
            {"start_date": datetime.date(2000, 1, 2), "end_date": datetime.date(2000, 1, 1)},
            False,
        ),  # fmt: skip
        (Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), {"end_date": None}, True),
        (~Q(member=F("organisation")), {"member_id": 1, "organisation_id": 1}, False),
        (~Q(member=F("organisation")), {"member_id": 1, "organisation_id": 2}, True),
        (Q(end_date=None), {"end_date": None}, True),
    ],
)
def test_a_check_constraint_is_judged_in_python_as_sql_would(condition, values, held):
    assert _check_holds(condition, Membership(**values)) is held


def test_a_condition_python_cannot_judge_is_left_to_the_database():
    with pytest.raises(LookupError):
        _check_holds(Q(member__kind="state"), Membership(member_id=1))


def _sources(count: int) -> tablib.Dataset:
    rows = [[f"s-{n}", f"https://example.org/{n}", f"Source {n}"] for n in range(count)]
    return tablib.Dataset(*rows, headers=["key", "url", "title"])


def _queries(dataset) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = SourceResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    return len(queries)


def test_importing_ten_times_the_rows_runs_no_query_per_row(db):
    few = _queries(_sources(30))
    Source.objects.all().delete()
    many = _queries(_sources(300))

    # Only the bulk inserts grow, a batch of rows at a time (SQLite caps the parameters of a query).
    assert many - few < (300 - 30) / 50
    assert Source.objects.count() == 300


def test_an_address_taken_in_the_database_or_earlier_in_the_file_is_a_row_error(db):
    Source.objects.create(key="old", url="https://example.org/taken", title="Old")
    dataset = tablib.Dataset(
        ["new", "https://www.example.org/taken/", "New"],
        ["a", "https://example.org/twice", "A"],
        ["b", "https://example.org/twice?utm_source=x", "B"],
        headers=["key", "url", "title"],
    )

    result = SourceResource().import_data(dataset, dry_run=False)

    errors = [row.error_dict["url"] for row in result.invalid_rows]
    assert errors == [
        ["Another source already has this address."],
        ["Another row of this file has the same address."],
    ]
    assert Source.objects.count() == 1
