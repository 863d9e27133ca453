import datetime

import pytest
import tablib

from articles.models import Author, Topic
from articles.resources import AuthorResource, TopicResource
from relations.models import Development, Membership, Relation
from relations.resources import DevelopmentResource, MembershipResource, RelationResource
from tests.factories import (
    ActorFactory,
    AuthorFactory,
    DevelopmentFactory,
    MembershipFactory,
    OrganisationFactory,
    RelationFactory,
    StaffFactory,
    TopicFactory,
)


def _import(resource_class, headers, *rows, **kwargs):
    return resource_class().import_data(tablib.Dataset(*rows, headers=headers), dry_run=False, **kwargs)


def test_memberships_are_keyed_by_member_organisation_and_role(db):
    ActorFactory(slug="kazakhstan"), OrganisationFactory(slug="csto")
    headers = ["member", "organisation", "role", "start_date"]
    _import(MembershipResource, headers, ["kazakhstan", "csto", "member", "1992-05-15"])

    result = _import(MembershipResource, headers, ["kazakhstan", "csto", "member", "1994-04-20"])

    assert result.totals["update"] == 1
    assert Membership.objects.get().start_date == datetime.date(1994, 4, 20)


def test_only_an_organisation_has_members_and_nothing_is_saved_when_a_row_says_otherwise(db):
    ActorFactory(slug="kazakhstan"), ActorFactory(slug="russia"), OrganisationFactory(slug="csto")
    result = _import(
        MembershipResource,
        ["member", "organisation", "role"],
        ["kazakhstan", "csto", "member"],
        ["kazakhstan", "russia", "member"],
    )

    [row] = result.invalid_rows
    assert "Only an international organisation has members" in str(row.error_dict["organisation"])
    assert not Membership.objects.exists()


def test_a_membership_ending_before_it_starts_is_a_row_error_not_a_crash(db):
    ActorFactory(slug="kazakhstan"), OrganisationFactory(slug="csto")
    result = _import(
        MembershipResource,
        ["member", "organisation", "role", "start_date", "end_date"],
        ["kazakhstan", "csto", "member", "2000-01-01", "1999-01-01"],
    )

    assert len(result.invalid_rows) == 1 and not result.has_errors()
    assert not Membership.objects.exists()


def test_a_relation_written_in_either_order_is_the_same_pair(db):
    china, kazakhstan = ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    headers = ["slug", "actor_a", "actor_b", "state"]
    _import(RelationResource, headers, ["china-kazakhstan", "kazakhstan", "china", "cooperative"])

    again = _import(RelationResource, headers, ["china-kazakhstan", "kazakhstan", "china", "cooperative"])

    relation = Relation.objects.get()
    assert (relation.actor_a, relation.actor_b) == (china, kazakhstan)
    assert again.totals["skip"] == 1


def test_an_unknown_actor_is_named_in_the_row_error(db):
    ActorFactory(slug="china")
    result = _import(RelationResource, ["slug", "actor_a", "actor_b"], ["x", "china", "atlantis"])

    [row] = result.invalid_rows
    assert "atlantis" in str(row.error_dict["actor_b"])
    assert not Relation.objects.exists()


def test_developments_come_in_with_their_participants(db):
    ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    result = _import(
        DevelopmentResource,
        ["slug", "title", "date", "dimension", "tone", "participants"],
        ["xian", "Summit in Xi'an", "2023-05-18", "diplomatic", "1", "china, kazakhstan"],
    )

    assert result.totals["new"] == 1
    development = Development.objects.get()
    assert sorted(development.participants.values_list("slug", flat=True)) == ["china", "kazakhstan"]


def _messages(invalid_row, field: str) -> list[str]:
    return invalid_row.error.message_dict[field]


def test_a_membership_naming_an_unknown_actor_is_a_row_error_naming_the_slug(db):
    OrganisationFactory(slug="csto")
    result = _import(MembershipResource, ["member", "organisation", "role"], ["atlantis", "csto", "member"])

    [row] = result.invalid_rows
    assert any("atlantis" in message for message in _messages(row, "member"))
    assert not Membership.objects.exists()


def test_an_organisation_listed_as_its_own_member_is_a_row_error_not_a_crash(db):
    OrganisationFactory(slug="csto")
    result = _import(MembershipResource, ["member", "organisation", "role"], ["csto", "csto", "member"])

    assert len(result.invalid_rows) == 1 and not result.has_errors()
    assert not Membership.objects.exists()


def test_memberships_export_by_slug_with_iso_dates(db):
    MembershipFactory(
        member=ActorFactory(slug="kazakhstan"),
        organisation=OrganisationFactory(slug="csto"),
        start_date=datetime.date(1992, 5, 15),
        end_date=None,
    )

    dataset = MembershipResource().export()

    assert dataset.headers == ["member", "organisation", "role", "start_date", "end_date"]
    assert list(dataset[0]) == ["kazakhstan", "csto", "member", "1992-05-15", ""]


def test_a_relation_is_updated_by_its_slug_and_its_update_time_is_no_column(db):
    ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    headers = ["slug", "actor_a", "actor_b", "state", "summary"]
    _import(RelationResource, headers, ["china-kazakhstan", "china", "kazakhstan", "cooperative", ""])

    result = _import(RelationResource, headers, ["china-kazakhstan", "china", "kazakhstan", "tense", "Now"])

    assert result.totals["update"] == 1
    relation = Relation.objects.get()
    assert (relation.state, relation.summary) == ("tense", "Now")
    assert RelationResource().export().headers == [*headers[:4], "assessed_on", "summary"]
    assert "updated_at" not in [field.column_name for field in RelationResource().get_import_fields()]


def test_an_exported_relation_with_its_pair_written_the_other_way_round_is_unchanged(db):
    china, kazakhstan = ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    RelationFactory(slug="china-kazakhstan", actor_a=china, actor_b=kazakhstan, summary="Trade grows.")
    exported = RelationResource().export()
    swapped = tablib.Dataset(headers=exported.headers)
    for row in exported.dict:
        swapped.append(
            [{"actor_a": row["actor_b"], "actor_b": row["actor_a"]}.get(h, row[h]) for h in exported.headers]
        )
    assert swapped.dict[0]["actor_a"] == "kazakhstan"

    result = RelationResource().import_data(swapped, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 1
    relation = Relation.objects.get()
    assert (relation.actor_a, relation.actor_b) == (china, kazakhstan)


def test_an_actor_paired_with_itself_is_a_row_error_not_a_crash(db):
    ActorFactory(slug="china")
    result = _import(RelationResource, ["slug", "actor_a", "actor_b"], ["china-china", "china", "china"])

    assert len(result.invalid_rows) == 1 and not result.has_errors()
    assert not Relation.objects.exists()


def test_an_unknown_participant_is_named_and_no_development_of_the_file_is_saved(db):
    ActorFactory(slug="china"), ActorFactory(slug="kazakhstan")
    result = _import(
        DevelopmentResource,
        ["slug", "title", "date", "dimension", "participants"],
        ["xian", "Summit in Xi'an", "2023-05-18", "diplomatic", "china,kazakhstan"],
        ["astana", "Summit in Astana", "2024-07-03", "diplomatic", "china,atlantis"],
    )

    [row] = result.invalid_rows
    assert row.number == 2
    assert any("atlantis" in message for message in _messages(row, "participants"))
    assert not Development.objects.exists()


@pytest.mark.parametrize("participants", ["china", "china,china", ""])
def test_a_development_with_fewer_than_two_participants_is_a_row_error(db, participants):
    ActorFactory(slug="china")
    result = _import(
        DevelopmentResource,
        ["slug", "title", "date", "dimension", "participants"],
        ["xian", "Summit in Xi'an", "2023-05-18", "diplomatic", participants],
    )

    [row] = result.invalid_rows
    assert any("at least two participants" in message for message in _messages(row, "participants"))
    assert not Development.objects.exists()


def test_a_relations_assessment_date_comes_and_goes_as_an_iso_date(db):
    RelationFactory(slug="china-kazakhstan", assessed_on=datetime.date(2022, 12, 20))
    exported = RelationResource().export()
    assert exported.dict[0]["assessed_on"] == "2022-12-20"

    result = _import(RelationResource, ["slug", "assessed_on"], ["china-kazakhstan", "2023-03-09"])

    assert result.totals["update"] == 1
    assert Relation.objects.get().assessed_on == datetime.date(2023, 3, 9)


def test_importing_a_development_replaces_its_participants_and_fields(db):
    china, kazakhstan, russia = (ActorFactory(slug=slug) for slug in ("china", "kazakhstan", "russia"))
    DevelopmentFactory(slug="xian", participants=[china, kazakhstan])

    result = _import(
        DevelopmentResource,
        ["slug", "title", "date", "date_precision", "end_date", "dimension", "tone", "participants"],
        ["xian", "Summit", "2023-05-01", "month", "2023-05-31", "security", "-1", "russia,kazakhstan"],
    )

    assert result.totals["update"] == 1
    development = Development.objects.get()
    assert set(development.participants.all()) == {kazakhstan, russia}
    assert (development.date_precision, development.end_date, development.dimension, development.tone) == (
        "month",
        datetime.date(2023, 5, 31),
        "security",
        -1,
    )


@pytest.mark.parametrize(
    "cells, column",
    [
        (["xian", "Summit", "2023-05-18", "2023-05-01", "diplomatic"], "__all__"),  # ends before it starts
        (["xian", "Summit", "18/05/2023", "", "diplomatic"], "date"),
        (["xian", "Summit", "2023-05-18", "", "weather"], "dimension"),
    ],
)
def test_a_development_row_the_database_would_refuse_is_a_row_error(db, cells, column):
    result = _import(DevelopmentResource, ["slug", "title", "date", "end_date", "dimension"], cells)

    [row] = result.invalid_rows
    assert column in row.error_dict and not result.has_errors()
    assert not Development.objects.exists()


# Authors and topics (articles/resources.py) ------------------------------------------------------


def test_authors_are_keyed_by_slug_and_never_linked_to_an_account_by_a_file(db):
    account, other = StaffFactory(username="aida"), StaffFactory(username="someone")
    AuthorFactory(slug="aida-nurlanova", name="Aida", user=account)
    assert AuthorResource().export().headers == ["slug", "name", "affiliation", "bio"]

    result = _import(
        AuthorResource,
        ["slug", "name", "affiliation", "bio", "user"],
        ["aida-nurlanova", "Aida Nurlanova", "Footnote Institute", "Writes on water.", str(other.pk)],
        ["new-author", "New Author", "", "", str(other.pk)],
    )

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    aida = Author.objects.get(slug="aida-nurlanova")
    assert (aida.name, aida.user) == ("Aida Nurlanova", account)
    assert Author.objects.get(slug="new-author").user is None


def test_topics_are_keyed_by_slug_and_a_name_another_topic_has_is_a_row_error(db):
    TopicFactory(slug="water", name="Water")
    TopicFactory(slug="energy", name="Energy")

    result = _import(
        TopicResource,
        ["slug", "name", "description"],
        ["water", "Water", "Rivers and dams."],
        ["power", "Energy", ""],
    )

    [row] = result.invalid_rows
    assert row.number == 2 and "name" in row.error_dict
    assert Topic.objects.get(slug="water").description == ""  # all or nothing
    assert not Topic.objects.filter(slug="power").exists()
