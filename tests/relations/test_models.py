import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from relations.models import Actor, Membership, Relation
from tests.factories import (
    ActorFactory,
    DevelopmentFactory,
    MembershipFactory,
    OrganisationFactory,
    RelationFactory,
)

pytestmark = pytest.mark.django_db


def _violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_relation_is_stored_once_in_canonical_order():
    first, second = ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=second, actor_b=first)
    assert (relation.actor_a, relation.actor_b) == (first, second)
    _violates(lambda: RelationFactory(actor_a=first, actor_b=second))
    _violates(lambda: RelationFactory(actor_a=second, actor_b=first))


def test_a_relation_never_pairs_an_actor_with_itself():
    actor = ActorFactory()
    _violates(lambda: Relation.objects.bulk_create([Relation(actor_a=actor, actor_b=actor, slug="self")]))
    with pytest.raises(ValidationError):
        Relation(actor_a=actor, actor_b=actor, slug="self").full_clean()


def test_the_canonical_order_is_enforced_by_the_database():
    first, second = ActorFactory(), ActorFactory()
    _violates(lambda: Relation.objects.bulk_create([Relation(actor_a=second, actor_b=first, slug="x")]))


def test_a_relation_timeline_holds_developments_with_both_actors():
    china, kazakhstan, russia = ActorFactory(), ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=china, actor_b=kazakhstan)
    shared = DevelopmentFactory(participants=[china, kazakhstan, russia])
    DevelopmentFactory(participants=[china, russia])
    assert list(relation.developments()) == [shared]


def test_iso_codes_belong_to_states_and_are_unique():
    ActorFactory(iso_code="KZ")
    _violates(lambda: ActorFactory(iso_code="KZ"))
    _violates(lambda: OrganisationFactory(iso_code="XX"))


def test_memberships_end_after_they_start_and_are_in_organisations():
    _violates(
        lambda: MembershipFactory(start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2019, 1, 1))
    )
    with pytest.raises(ValidationError):
        Membership(member=ActorFactory(), organisation=ActorFactory(), role="member").full_clean()


def test_development_tone_stays_on_the_scale():
    _violates(lambda: DevelopmentFactory(tone=5))


def test_aliases_are_read_one_per_line():
    actor = Actor(aliases="Kazakh\n  Astana \n\nKZ")
    assert actor.alias_list == ["Kazakh", "Astana", "KZ"]


def test_development_dates_show_their_precision():
    development = DevelopmentFactory(date=datetime.date(2022, 10, 1), date_precision="month")
    assert development.date_display == "October 2022"
