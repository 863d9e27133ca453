import datetime

import tablib

from relations.models import Development, Membership, Relation
from relations.resources import DevelopmentResource, MembershipResource, RelationResource
from tests.factories import ActorFactory, OrganisationFactory


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
