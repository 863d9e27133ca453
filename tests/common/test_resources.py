import datetime
import math

import pytest
import tablib
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from articles.models import Claim, ClaimEvidence, Source
from articles.resources import ClaimResource, SourceResource
from common.resources import _check_holds
from relations.models import Membership
from tests.factories import ActorFactory, ClaimFactory, SourceFactory


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
        # Compared with another column, NULL is unknown (not IS NULL); "pk" is the primary key.
        (~Q(member=F("organisation")), {"member_id": None, "organisation_id": None}, None),
        (~Q(member=F("pk")), {"pk": 3, "member_id": 3}, False),
        (~Q(member=F("pk")), {"pk": None, "member_id": None}, None),
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


def _inserts(count: int, model=Source) -> int:
    """How many INSERTs a bulk create of `count` rows takes on this database."""
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    return math.ceil(count / connection.ops.bulk_batch_size(columns, [model()] * count))


def _queries(dataset, resource_class=SourceResource) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = resource_class().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    return len(queries)


def test_importing_ten_times_the_rows_runs_no_query_per_row(db):
    few = _queries(_sources(30))
    Source.objects.all().delete()
    many = _queries(_sources(300))

    # Only the bulk inserts grow, a batch of rows at a time (SQLite caps the parameters of a query).
    assert many - few <= _inserts(300) - _inserts(30)
    assert Source.objects.count() == 300


def _claims(count: int, prefix: str) -> tablib.Dataset:
    """New claims, each derived from a stored claim by uid, made by an actor named by slug, quoting."""
    earlier, actor, source = Claim.objects.get(position=0), ActorFactory(), SourceFactory()
    rows = [
        [
            "",
            earlier.article.slug,
            n + 1,
            f"{prefix} claim {n}.",
            str(earlier.uid),
            actor.slug,
            f"{source.key} | context | p. {n}\n> “passage” {n}",
        ]
        for n in range(count)
    ]
    headers = ["uid", "article", "position", "statement", "derived_from", "claimant_actor", "evidence"]
    return tablib.Dataset(*rows, headers=headers)


def test_importing_ten_times_the_claims_runs_no_query_per_row_for_their_links(db):
    ClaimFactory(position=0, status=Claim.Status.UNVERIFIED)
    few = _queries(_claims(30, "few"), ClaimResource)
    many = _queries(_claims(300, "many"), ClaimResource)

    grown = sum(_inserts(300, model) - _inserts(30, model) for model in (Claim, ClaimEvidence))
    assert many - few <= grown
    assert Claim.objects.filter(derived_from__position=0, claimant_actor__isnull=False).count() == 330
    assert ClaimEvidence.objects.exclude(passage="").count() == 330


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
