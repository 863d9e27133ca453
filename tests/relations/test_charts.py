"""The geometry of the relation charts: plain Python on unsaved rows, no database."""

import datetime
import itertools
import random

import pytest

from relations.charts import (
    NARROW,
    WIDE,
    RecentTone,
    Scale,
    development_midpoint,
    network_chart,
    relation_bars,
    swarm,
    text_width,
    timeline_chart,
    tone_counts,
)
from relations.models import Actor, Development, Relation
from relations.state import relation_state

Tone, Dimension, Precision = Development.Tone, Development.Dimension, Development.Precision
_ids = itertools.count(1)


def actor(name: str, kind: str = Actor.Kind.STATE) -> Actor:
    return Actor(pk=next(_ids), name=name, slug=name.lower().replace(" ", "-"), kind=kind)


def relation(a: Actor, b: Actor) -> Relation:
    return Relation(pk=next(_ids), actor_a=a, actor_b=b, slug=f"{a.slug}-{b.slug}")


def development(date, tone=Tone.COOPERATION, dimension=Dimension.DIPLOMATIC, precision=Precision.DAY):
    n = next(_ids)
    made = Development(
        pk=n, title=f"Development {n}", slug=f"development-{n}", date=date, tone=tone, dimension=dimension
    )
    made.date_precision = precision
    made.public_claims = []  # as relation_timeline prefetches them: none public here
    return made


def state_of(pair: Relation, developments):
    # Newest first, as the page's timeline gives them.
    return relation_state(
        relation=pair, developments=sorted(developments, key=lambda d: d.date, reverse=True)
    )


@pytest.fixture
def pair():
    return relation(actor("Kazakhstan"), actor("Russia"))


def inside(chart, mark) -> bool:
    return chart.left <= mark.x <= chart.right and chart.top <= mark.y <= chart.bottom


# Scales and dates


def test_a_scale_maps_the_ends_of_its_domain_to_the_ends_of_its_range():
    scale = Scale((10, 20), (100, 300))
    assert (scale(10), scale(15), scale(20)) == (100, 200, 300)
    assert Scale((5, 5), (0, 50))(5) == 25  # one point: the middle


def test_a_development_sits_in_the_middle_of_the_period_its_date_names():
    year = development(datetime.date(2022, 1, 1), precision=Precision.YEAR)
    month = development(datetime.date(2022, 2, 1), precision=Precision.MONTH)
    day = development(datetime.date(2022, 2, 1))
    assert development_midpoint(year) == pytest.approx(datetime.date(2022, 7, 2).toordinal(), abs=1)
    assert development_midpoint(month) == (datetime.date(2022, 2, 1).toordinal() + 14)
    assert development_midpoint(day) == datetime.date(2022, 2, 1).toordinal() + 0.5


def test_marks_close_together_take_different_lanes_and_far_apart_share_one():
    assert swarm([0, 1, 2, 50], pitch=10, lanes=3) == [0, -1, 1, 0]
    assert swarm([0, 1, 2, 3], pitch=10, lanes=2) == [0, -1, 0, -1]  # lanes full: the least crowded


# The timeline chart


def test_no_developments_make_no_chart(pair):
    assert timeline_chart(relation=pair, state=state_of(pair, []), layout=WIDE) is None


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_one_development_is_one_mark_on_its_tone_row_with_its_year_labelled(pair, layout):
    only = development(datetime.date(2022, 9, 14), tone=Tone.TENSION, dimension=Dimension.SECURITY)

    chart = timeline_chart(relation=pair, state=state_of(pair, [only]), layout=layout)

    (mark,) = chart.marks
    assert mark.development is only
    assert mark.href == f"#development-{only.slug}"
    assert inside(chart, mark)
    assert mark.y == next(row.y for row in chart.rows if row.tone == Tone.TENSION)
    assert [tick.year for tick in chart.ticks if tick.labelled] == [2022]
    (mean,) = chart.means
    assert mean.y == mark.y
    assert chart.description == ("1 development in 2022: 1 tension. Mean tone by year: 2022 −1.0 (tension).")


def test_warmer_tones_sit_higher_and_later_dates_further_right(pair):
    early = development(datetime.date(2021, 3, 1), tone=Tone.CONFLICT)
    late = development(datetime.date(2023, 3, 1), tone=Tone.CLOSE_COOPERATION)

    chart = timeline_chart(relation=pair, state=state_of(pair, [early, late]), layout=WIDE)

    marks = {mark.development: mark for mark in chart.marks}
    assert marks[late].y < marks[early].y
    assert marks[late].x > marks[early].x
    assert [mark.development for mark in chart.marks] == [early, late]  # oldest first, as tabbing goes
    assert [row.tone for row in chart.rows] == [2, 1, 0, -1, -2]


def test_each_year_has_a_mean_line_across_it_at_its_mean_tone(pair):
    developments = [
        development(datetime.date(2022, 2, 1), tone=Tone.CONFLICT),
        development(datetime.date(2022, 8, 1), tone=Tone.NEUTRAL),
        development(datetime.date(2023, 5, 1), tone=Tone.COOPERATION),
        development(datetime.date(2023, 6, 1), tone=Tone.CLOSE_COOPERATION),
    ]

    chart = timeline_chart(relation=pair, state=state_of(pair, developments), layout=WIDE)

    rows = {row.tone: row.y for row in chart.rows}
    means = {mean.row.year: mean for mean in chart.means}
    assert means[2022].y == rows[-1]  # −2 and 0: −1.0
    assert means[2023].y == pytest.approx((rows[1] + rows[2]) / 2)  # +1 and +2: +1.5, between the rows
    assert means[2022].x2 == means[2023].x1  # the years meet
    assert "2022 −1.0 (tension); 2023 +1.5 (cooperation)" in chart.description


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_two_hundred_developments_stay_in_the_plot_with_thinned_year_labels_that_never_touch(pair, layout):
    rng = random.Random(10)
    developments = [
        development(
            datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(15 * 365)),
            tone=rng.choice(list(Tone)),
            dimension=rng.choice(list(Dimension)),
            precision=rng.choice(list(Precision)),
        )
        for _ in range(200)
    ]

    chart = timeline_chart(relation=pair, state=state_of(pair, developments), layout=layout)

    assert len(chart.marks) == 200
    assert len({mark.href for mark in chart.marks}) == 200
    assert all(inside(chart, mark) for mark in chart.marks)
    labelled = [tick for tick in chart.ticks if tick.labelled]
    assert 1 < len(labelled) < len([tick for tick in chart.ticks if tick.year <= 2024])
    gaps = [b.label_x - a.label_x for a, b in itertools.pairwise(labelled)]
    assert min(gaps) > text_width("2020", layout.font)
    # Every mark stays within its tone's row, however crowded the row.
    half = (chart.bottom - chart.top) / len(chart.rows) / 2
    rows = {row.tone: row.y for row in chart.rows}
    assert all(abs(mark.y - rows[mark.development.tone]) < half for mark in chart.marks)


def test_row_labels_fit_left_of_the_plot_at_both_widths(pair):
    state = state_of(pair, [development(datetime.date(2022, 1, 1))])
    for layout in (WIDE, NARROW):
        chart = timeline_chart(relation=pair, state=state, layout=layout)
        widest = max(text_width(line, layout.font) for row in chart.rows for line in row.lines)
        assert widest < chart.left
    narrow = timeline_chart(relation=pair, state=state, layout=NARROW)
    assert narrow.rows[0].lines == ("Close", "cooperation")


# The network


@pytest.fixture
def network():
    kz, ru, cn, tj, kg = (
        actor(name) for name in ("Kazakhstan", "Russia", "China", "Tajikistan", "Kyrgyzstan")
    )
    eu = actor("European Union", Actor.Kind.ORGANISATION)
    warm = relation(kz, cn)
    cold = relation(kg, tj)
    quiet = relation(eu, kz)
    pairs = {
        warm: [development(datetime.date(2023, 1, 1), tone=Tone.CLOSE_COOPERATION)],
        cold: [
            development(datetime.date(2021, 1, 1), tone=Tone.COOPERATION),
            development(datetime.date(2022, 9, 14), tone=Tone.CONFLICT),
        ],
        quiet: [],
        relation(kz, ru): [development(datetime.date(2022, 3, 1), tone=Tone.NEUTRAL)],
    }
    return [RecentTone.of(pair, state_of(pair, developments)) for pair, developments in pairs.items()]


def test_no_relations_make_no_network():
    assert network_chart(recents=[], layout=WIDE) is None


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_the_network_has_a_node_per_actor_and_an_edge_per_relation_by_its_latest_year(network, layout):
    chart = network_chart(recents=network, layout=layout)

    assert sorted(node.actor.name for node in chart.nodes) == [
        "China",
        "European Union",
        "Kazakhstan",
        "Kyrgyzstan",
        "Russia",
        "Tajikistan",
    ]
    assert [edge.css for edge in chart.edges] == ["close-cooperation", "conflict", "none", "neutral"]
    assert chart.edges[1].title == "Kyrgyzstan – Tajikistan: Conflict in 2022 (mean −2.0 of 1 development)"
    assert chart.edges[2].title == "European Union – Kazakhstan: No developments recorded"
    assert chart.description == (
        "6 actors linked by 4 relations. Tone in each relation's latest year: "
        "1 close cooperation, 1 neutral, 1 conflict, 1 without developments."
    )
    for node in chart.nodes:
        assert 0 <= node.y <= chart.height
        start = node.label_x - (text_width(node.label, layout.font) if node.anchor == "end" else 0)
        assert start >= 0
        assert start + text_width(node.label, layout.font) <= chart.width


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_labels_on_the_same_side_are_at_least_a_line_apart(layout):
    actors = [actor(f"State number {n}") for n in range(30)]
    hub = actors[0]
    recents = [
        RecentTone.of(pair, state_of(pair, [])) for pair in (relation(hub, other) for other in actors[1:])
    ]

    chart = network_chart(recents=recents, layout=layout)

    for anchor in ("start", "end"):
        ys = sorted(node.label_y for node in chart.nodes if node.anchor == anchor)
        assert all(b - a >= layout.font * 1.2 for a, b in itertools.pairwise(ys))


def test_related_actors_are_placed_next_to_each_other(network):
    chart = network_chart(recents=network, layout=NARROW)
    order = [node.actor.name for node in chart.nodes]
    assert order[0] == "Kazakhstan"  # the most connected first, its partners after it
    assert abs(order.index("Kyrgyzstan") - order.index("Tajikistan")) == 1


# An actor's bars


def test_each_bar_runs_from_neutral_to_the_latest_mean_and_names_the_counterpart(network):
    kazakhstan = network[0].relation.actor_a

    bars = {
        bar.counterpart.name: bar
        for bar in relation_bars(actor=kazakhstan, recents=network[::2] + network[3:])
    }

    assert (bars["China"].x, bars["China"].width) == (100, 96)  # +2: all the way right
    assert (bars["Russia"].x, bars["Russia"].width) == (99, 2)  # neutral: a stub that still shows
    assert bars["European Union"].width == 0  # nothing to draw without developments
    assert bars["European Union"].recent.summary == "No developments recorded"


def test_a_negative_mean_runs_left_of_neutral():
    a, b = actor("A"), actor("B")
    pair = relation(a, b)
    recent = RecentTone.of(pair, state_of(pair, [development(datetime.date(2022, 1, 1), tone=Tone.TENSION)]))
    (bar,) = relation_bars(actor=b, recents=[recent])
    assert bar.counterpart is a
    assert (bar.x, bar.width) == (52, 48)


def test_tone_counts_name_only_the_steps_present_warmest_first():
    assert tone_counts([Tone.TENSION, Tone.COOPERATION, Tone.TENSION, None]) == (
        "1 cooperation, 2 tension, 1 without developments"
    )
