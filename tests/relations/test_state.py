"""The state of a relation over time, computed from developments held in memory: no database."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from articles.models import Claim
from relations.models import Actor, Development, Relation
from relations.state import (
    AsOf,
    development_confirmed,
    development_participants_check,
    relation_as_of,
    relation_state,
    tone_step,
)

Dimension, Tone = Development.Dimension, Development.Tone


def _development(slug, date, dimension, tone, *statuses, precision=Development.Precision.DAY):
    """An unsaved development with the public claims the selector would have prefetched."""
    development = Development(
        slug=slug, title=slug, date=date, date_precision=precision, dimension=dimension, tone=tone
    )
    development.public_claims = [Claim(status=status) for status in statuses]
    return development


VERIFIED, UNVERIFIED, DISPUTED = Claim.Status.VERIFIED, Claim.Status.UNVERIFIED, Claim.Status.DISPUTED


@pytest.fixture
def developments():
    """Newest first, as the timeline gives them."""
    return [
        _development("roadmaps", datetime.date(2023, 1, 1), Dimension.ENERGY, Tone.COOPERATION, VERIFIED),
        _development("gas-union", datetime.date(2022, 11, 1), Dimension.ENERGY, Tone.NEUTRAL, UNVERIFIED),
        _development("alliance", datetime.date(2022, 6, 1), Dimension.SECURITY, Tone.TENSION),
        _development(
            "trips",
            datetime.date(2022, 3, 1),
            Dimension.DIPLOMATIC,
            Tone.CLOSE_COOPERATION,
            DISPUTED,
            VERIFIED,
        ),
        _development("energy-row", datetime.date(2022, 2, 1), Dimension.ENERGY, Tone.CONFLICT, DISPUTED),
    ]


def test_each_year_and_dimension_has_the_mean_tone_and_count_of_its_developments(developments):
    state = relation_state(relation=Relation(), developments=developments)

    energy_2022 = state.year(2022).figure(Dimension.ENERGY)
    assert (energy_2022.count, energy_2022.mean) == (2, -1.0)
    assert energy_2022.step == Tone.TENSION
    assert [d.slug for d in energy_2022.developments] == ["gas-union", "energy-row"]
    energy_2023 = state.year(2023).figure(Dimension.ENERGY)
    assert (energy_2023.count, energy_2023.mean, energy_2023.step) == (1, 1.0, Tone.COOPERATION)
    assert state.year(2022).figure(Dimension.SECURITY).mean == -1.0
    assert state.year(2023).figure(Dimension.SECURITY) is None


def test_each_year_has_the_mean_over_all_its_dimensions(developments):
    state = relation_state(relation=Relation(), developments=developments)

    overall = state.year(2022).overall
    assert overall.count == 4
    assert overall.mean == pytest.approx((0 - 1 + 2 - 2) / 4)
    assert overall.step == Tone.NEUTRAL
    assert [d.slug for d in overall.developments] == ["gas-union", "alliance", "trips", "energy-row"]
    assert state.year(2023).overall.count == 1


def test_a_figure_counts_as_confirmed_only_developments_with_a_verified_public_claim(developments):
    state = relation_state(relation=Relation(), developments=developments)

    assert state.year(2022).overall.confirmed == 1  # "trips": disputed and verified claims
    assert state.year(2022).figure(Dimension.ENERGY).confirmed == 0  # unverified, disputed
    assert state.year(2023).overall.confirmed == 1
    assert [entry.confirmed for entry in state.timeline] == [True, False, False, True, False]


def test_a_development_without_claims_is_not_confirmed():
    development = _development("bare", datetime.date(2022, 1, 1), Dimension.ECONOMIC, Tone.NEUTRAL)
    assert development_confirmed(development) is False


def test_years_run_newest_first_and_columns_are_the_dimensions_present_in_the_models_order(developments):
    state = relation_state(relation=Relation(), developments=developments)

    assert [row.year for row in state.years] == [2023, 2022]
    assert state.dimensions == (Dimension.DIPLOMATIC, Dimension.SECURITY, Dimension.ENERGY)
    assert [dimension for dimension, _ in state.year(2023).cells] == list(state.dimensions)


def test_the_timeline_is_numbered_in_the_order_given_and_each_entry_has_an_anchor(developments):
    state = relation_state(relation=Relation(), developments=developments)

    assert [(entry.number, entry.development.slug) for entry in state.timeline][:2] == [
        (1, "roadmaps"),
        (2, "gas-union"),
    ]
    assert state.timeline[0].anchor == "development-roadmaps"
    assert state.year(2023).overall.entries == (state.timeline[0],)


def test_a_development_counts_in_the_year_it_began():
    spanning = _development("migration", datetime.date(2022, 3, 1), Dimension.MIGRATION, Tone.NEUTRAL)
    spanning.end_date = datetime.date(2023, 2, 1)

    state = relation_state(relation=Relation(), developments=[spanning])

    assert [row.year for row in state.years] == [2022]


@pytest.mark.parametrize(
    ("mean", "step"),
    [
        (0.5, Tone.NEUTRAL),
        (-0.5, Tone.NEUTRAL),
        (0.51, Tone.COOPERATION),
        (1.5, Tone.COOPERATION),
        (-1.5, Tone.TENSION),
        (1.6, Tone.CLOSE_COOPERATION),
        (-2.0, Tone.CONFLICT),
        (0.0, Tone.NEUTRAL),
    ],
)
def test_a_mean_halfway_between_steps_takes_the_step_nearer_neutral(mean, step):
    assert tone_step(mean) == step


@pytest.mark.parametrize(
    ("tones", "shown"), [((1, 2), "+1.5"), ((0,), "0.0"), ((-1, 0, 0), "−0.3"), ((2, -2), "0.0")]
)
def test_a_mean_is_shown_signed_with_one_decimal(tones, shown):
    developments = [
        _development(f"d{i}", datetime.date(2022, 1, 1), Dimension.ECONOMIC, tone)
        for i, tone in enumerate(tones)
    ]
    state = relation_state(relation=Relation(), developments=developments)
    assert state.year(2022).overall.mean_display == shown


# As of


def test_as_of_is_the_assessment_when_it_is_later_than_the_latest_development(developments):
    relation = Relation(assessed_on=datetime.date(2023, 3, 9))

    as_of = relation_state(relation=relation, developments=developments).as_of

    assert (as_of.date, as_of.basis, as_of.label) == (datetime.date(2023, 3, 9), AsOf.ASSESSED, "assessed on")
    assert as_of.development is None
    assert as_of.display == "9 March 2023"


def test_as_of_is_the_latest_development_when_it_is_later_than_the_assessment(developments):
    relation = Relation(assessed_on=datetime.date(2022, 12, 20))
    developments[0].date_precision = Development.Precision.MONTH

    as_of = relation_state(relation=relation, developments=developments).as_of

    assert (as_of.date, as_of.basis, as_of.label) == (
        datetime.date(2023, 1, 1),
        AsOf.DEVELOPMENT,
        "latest development",
    )
    assert as_of.development.slug == "roadmaps"
    assert as_of.display == "January 2023"  # as precisely as the development is dated
    assert as_of.anchor == "development-roadmaps"


def test_as_of_takes_the_latest_development_whatever_the_order_given(developments):
    as_of = relation_as_of(assessed_on=None, developments=list(reversed(developments)))
    assert (as_of.date, as_of.basis) == (datetime.date(2023, 1, 1), AsOf.DEVELOPMENT)


def test_on_the_same_day_the_assessment_sets_as_of(developments):
    as_of = relation_as_of(assessed_on=datetime.date(2023, 1, 1), developments=developments)
    assert as_of.basis == AsOf.ASSESSED


def test_as_of_never_reads_the_relations_edit_time(developments):
    relation = Relation(assessed_on=None, updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert relation_state(relation=relation, developments=developments).as_of.date == datetime.date(
        2023, 1, 1
    )


def test_a_relation_with_no_developments_has_an_empty_state_and_its_assessment_as_of():
    assessed = relation_state(relation=Relation(assessed_on=datetime.date(2023, 3, 9)), developments=[])

    assert (assessed.timeline, assessed.years, assessed.dimensions) == ((), (), ())
    assert assessed.year(2023) is None
    assert (assessed.as_of.date, assessed.as_of.basis) == (datetime.date(2023, 3, 9), AsOf.ASSESSED)
    assert relation_state(relation=Relation(), developments=[]).as_of is None


# Participants


def test_a_development_needs_two_different_participants():
    kazakhstan, russia = Actor(pk=1, slug="kazakhstan"), Actor(pk=2, slug="russia")

    development_participants_check([kazakhstan, russia])
    development_participants_check(["kazakhstan", "russia"])  # slugs, as a spreadsheet names them
    for too_few in ([], [kazakhstan], [kazakhstan, kazakhstan], ["russia", "russia"]):
        with pytest.raises(ValidationError, match="at least two participants") as raised:
            development_participants_check(too_few)
        assert raised.value.code == "too_few_participants"
